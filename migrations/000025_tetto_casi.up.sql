-- The cruscotto (issue 17): the caseload cap each ambito sets for its case
-- managers (default 40, OpenSPP's maximum), edited by the amministratore di
-- ambito on /admin/ambito.
ALTER TABLE ambito ADD COLUMN tetto_casi integer NOT NULL DEFAULT 40 CHECK (tetto_casi BETWEEN 1 AND 500);
