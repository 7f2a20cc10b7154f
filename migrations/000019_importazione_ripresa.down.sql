DROP INDEX importazione_ripresa_idx;
DROP INDEX importazione_in_corso_idx;
ALTER TABLE importazione DROP COLUMN ripresa_di;
ALTER TABLE importazione DROP COLUMN istanza;
ALTER TABLE importazione DROP COLUMN battito;
UPDATE importazione SET stato = 'fallita' WHERE stato = 'interrotta';
ALTER TABLE importazione DROP CONSTRAINT importazione_stato_check;
ALTER TABLE importazione ADD CONSTRAINT importazione_stato_check
    CHECK (stato IN ('in_corso', 'completata', 'fallita'));
