-- Registro degli accessi without a global lock (ADR 0023), and the
-- application's own database role.
--
-- A record is now appended with one INSERT and no lock. It carries a
-- signature (mac: HMAC-SHA256 with a key the database never holds, over its
-- fields and a random nonce) and the id of the transaction that wrote it
-- (xid, set by a trigger whatever the INSERT says). A sealer (one at a time,
-- in the serve process) takes every record whose transaction has ended —
-- xid below the oldest transaction still running — and appends a lotto:
-- the ids of those records in order, chained to the previous lotto by an
-- HMAC with the same key. `cartella audit verify` checks every signature,
-- every lotto and every link.
--
-- Records written before this migration keep their SHA-256 chain
-- (hash_prec, hash) and no xid: the first lotto seals them all.
ALTER TABLE registro_accessi
    ALTER COLUMN hash_prec DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL,
    ADD COLUMN xid xid8,
    ADD COLUMN nonce bytea,
    ADD COLUMN mac bytea;
ALTER TABLE registro_accessi
    ADD CONSTRAINT registro_accessi_firmato CHECK (xid IS NULL OR (mac IS NOT NULL AND nonce IS NOT NULL)),
    ADD CONSTRAINT registro_accessi_mac_unico UNIQUE (mac);
CREATE INDEX registro_accessi_xid_idx ON registro_accessi (xid);

CREATE FUNCTION registro_accessi_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.xid := pg_current_xact_id();
    RETURN NEW;
END
$$;
CREATE TRIGGER registro_accessi_xid BEFORE INSERT ON registro_accessi
    FOR EACH ROW EXECUTE FUNCTION registro_accessi_xid();

CREATE TABLE registro_lotti (
    lotto        bigint PRIMARY KEY CHECK (lotto > 0),
    sigillato_il timestamptz NOT NULL DEFAULT now(),
    orizzonte    xid8 NOT NULL,     -- every record with xid below it, and none above, is sealed by now
    voci         bigint[] NOT NULL, -- the ids sealed by this lotto, in order
    chiave       text NOT NULL,     -- fingerprint of the key (never the key)
    hash_prec    bytea NOT NULL,
    hash         bytea NOT NULL UNIQUE
);
CREATE TRIGGER registro_lotti_no_update_delete BEFORE UPDATE OR DELETE ON registro_lotti
    FOR EACH ROW EXECUTE FUNCTION registro_accessi_append_only();
CREATE TRIGGER registro_lotti_no_truncate BEFORE TRUNCATE ON registro_lotti
    FOR EACH STATEMENT EXECUTE FUNCTION registro_accessi_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON registro_lotti FROM PUBLIC;

-- The application's role (docs/operations.md, "Ruoli del database"): the
-- login role `cartella serve` connects as is a member of
-- cartella_applicazione, which may read and write the data but owns
-- nothing, may only append to the register, and cannot change the schema
-- or disable a trigger (only a table's owner can). Migrations run as the
-- owner. The group role is created here when missing (the owner then needs
-- CREATEROLE); a DBA may create it beforehand instead.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cartella_applicazione') THEN
        CREATE ROLE cartella_applicazione NOLOGIN;
    END IF;
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO cartella_applicazione;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cartella_applicazione;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cartella_applicazione;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cartella_applicazione;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO cartella_applicazione;
REVOKE UPDATE, DELETE, TRUNCATE ON registro_accessi, registro_lotti FROM cartella_applicazione;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM cartella_applicazione;
