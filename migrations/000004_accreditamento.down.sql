DROP TABLE operatore_storico;
DROP INDEX operatore_cognome_idx;
ALTER TABLE operatore_ruolo DROP COLUMN motivo_fine;
ALTER TABLE operatore DROP COLUMN versione, DROP COLUMN stato_motivo, DROP COLUMN stato_dal;
