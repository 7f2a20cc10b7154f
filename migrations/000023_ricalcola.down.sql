DROP INDEX caso_ricalcola_idx;
ALTER TABLE caso DROP COLUMN ricalcola_il;
