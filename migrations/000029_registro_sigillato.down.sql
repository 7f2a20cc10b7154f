ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM cartella_applicazione;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM cartella_applicazione;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM cartella_applicazione;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM cartella_applicazione;
REVOKE USAGE ON SCHEMA public FROM cartella_applicazione;
DROP TABLE registro_lotti;
DROP TRIGGER registro_accessi_xid ON registro_accessi;
DROP FUNCTION registro_accessi_xid();
ALTER TABLE registro_accessi DROP CONSTRAINT registro_accessi_firmato, DROP CONSTRAINT registro_accessi_mac_unico;
DROP INDEX registro_accessi_xid_idx;
-- Records signed since the up migration have no SHA-256 chain: the table
-- cannot go back to NOT NULL hashes while they are in it.
ALTER TABLE registro_accessi DROP COLUMN xid, DROP COLUMN nonce, DROP COLUMN mac;
