DROP INDEX prestazione_sostegno_idx;
ALTER TABLE prestazione DROP COLUMN sostegno_id;
