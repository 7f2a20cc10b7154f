-- Registro degli accessi: one row per access to personal data, per
-- administrative change and per security event (login, logout, refused
-- access). Append-only: no role, not even the table's owner, may change or
-- remove a row through SQL; and each row carries the SHA-256 of its content
-- chained to the previous row's, so that `cartella audit verify` detects a
-- row altered or removed by someone who bypassed the triggers.
-- Metadata only: never the content of a case.
CREATE TABLE registro_accessi (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registrato_il timestamptz NOT NULL,
    operatore_id  uuid,                 -- NULL: a failed login by someone unknown
    ruolo         text NOT NULL DEFAULT '',
    ambito_id     bigint,               -- scope of the role acted in
    comune_id     bigint,
    azione        text NOT NULL,
    oggetto_tipo  text NOT NULL DEFAULT '',
    oggetto_id    text NOT NULL DEFAULT '',
    caso_id       text NOT NULL DEFAULT '', -- the case or nucleo concerned, if any
    esito         text NOT NULL CHECK (esito IN ('consentito', 'negato')),
    request_id    text NOT NULL DEFAULT '',
    indirizzo     text NOT NULL DEFAULT '',
    dettaglio     text NOT NULL DEFAULT '',
    hash_prec     bytea NOT NULL,
    hash          bytea NOT NULL UNIQUE
);
CREATE INDEX registro_accessi_ambito_idx ON registro_accessi (ambito_id, id DESC);
CREATE INDEX registro_accessi_operatore_idx ON registro_accessi (operatore_id, id DESC);
CREATE INDEX registro_accessi_caso_idx ON registro_accessi (caso_id, id DESC) WHERE caso_id <> '';

CREATE FUNCTION registro_accessi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'registro_accessi is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER registro_accessi_no_update_delete BEFORE UPDATE OR DELETE ON registro_accessi
    FOR EACH ROW EXECUTE FUNCTION registro_accessi_append_only();
CREATE TRIGGER registro_accessi_no_truncate BEFORE TRUNCATE ON registro_accessi
    FOR EACH STATEMENT EXECUTE FUNCTION registro_accessi_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON registro_accessi FROM PUBLIC;
