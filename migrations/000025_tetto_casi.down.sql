ALTER TABLE ambito DROP COLUMN tetto_casi;
