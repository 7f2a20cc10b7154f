-- Lotti sealed after a ripartenza cannot be verified without the column:
-- going back is only for a database that never restarted its sequence.
DROP INDEX registro_lotti_ripartenze_idx;
ALTER TABLE registro_lotti DROP CONSTRAINT registro_lotti_ripartenza;
ALTER TABLE registro_lotti DROP COLUMN ripartenza, DROP COLUMN sistema;
