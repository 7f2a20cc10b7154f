-- Accreditation management by the amministratore di ambito: status changes
-- with date and reason, roles ended with date and reason, the full history
-- of every change, and a version for optimistic concurrency (two
-- amministratori editing the same operator never overwrite each other).
ALTER TABLE operatore
    ADD COLUMN stato_dal    date NOT NULL DEFAULT current_date,
    ADD COLUMN stato_motivo text NOT NULL DEFAULT '',
    ADD COLUMN versione     integer NOT NULL DEFAULT 1;

ALTER TABLE operatore_ruolo
    ADD COLUMN motivo_fine text NOT NULL DEFAULT '';

CREATE INDEX operatore_cognome_idx ON operatore (ambito_id, lower(cognome), lower(nome));

-- Who changed what, when: one row per change, with the values before and after.
CREATE TABLE operatore_storico (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operatore_id  uuid NOT NULL REFERENCES operatore (id) ON DELETE CASCADE,
    registrato_il timestamptz NOT NULL DEFAULT now(),
    autore_id     uuid REFERENCES operatore (id),
    azione        text NOT NULL,
    descrizione   text NOT NULL
);
CREATE INDEX operatore_storico_operatore_idx ON operatore_storico (operatore_id, id DESC);
