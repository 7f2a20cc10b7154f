ALTER TABLE monitoraggio_incontro DROP COLUMN partecipanti;
