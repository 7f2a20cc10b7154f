-- Ambiti territoriali, comuni, operatori and their accreditation (role + scope).
-- Source: nota Ministero 2019 on GePI accreditation; domain.md §1.1, §13.4.

CREATE TABLE ambito (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice        text NOT NULL UNIQUE CHECK (codice ~ '^[A-Z0-9_-]{2,32}$'),
    denominazione text NOT NULL CHECK (length(denominazione) BETWEEN 2 AND 200),
    ente_capofila text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE comune (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice_istat     text NOT NULL UNIQUE CHECK (codice_istat ~ '^[0-9]{6}$'),
    codice_catastale text NOT NULL UNIQUE CHECK (codice_catastale ~ '^[A-Z][0-9]{3}$'),
    denominazione    text NOT NULL,
    provincia        text NOT NULL CHECK (provincia ~ '^[A-Z]{2}$'),
    regione          text NOT NULL,
    ambito_id        bigint REFERENCES ambito (id)
);
CREATE INDEX comune_ambito_idx ON comune (ambito_id);

CREATE TABLE operatore (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    codice_fiscale  text NOT NULL UNIQUE CHECK (codice_fiscale ~ '^[A-Z0-9]{16}$'),
    nome            text NOT NULL,
    cognome         text NOT NULL,
    data_nascita    date,
    comune_nascita  text NOT NULL DEFAULT '',
    genere          text NOT NULL DEFAULT '' CHECK (genere IN ('', 'M', 'F')),
    email           text NOT NULL DEFAULT '',
    telefono        text NOT NULL DEFAULT '',
    -- NULL only for the amministratore di sistema, who belongs to no ambito.
    ambito_id       bigint REFERENCES ambito (id),
    stato           text NOT NULL DEFAULT 'attivo' CHECK (stato IN ('attivo', 'sospeso', 'revocato')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operatore_ambito_idx ON operatore (ambito_id);

-- One row per role an operator holds, with its scope. The scope columns that
-- a role needs are enforced here so that no code path can create a case
-- manager without a comune, or an amministratore di ambito without an ambito.
CREATE TABLE operatore_ruolo (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operatore_id uuid NOT NULL REFERENCES operatore (id) ON DELETE CASCADE,
    ruolo        text NOT NULL CHECK (ruolo IN (
                     'amministratore_sistema', 'amministratore_ambito', 'coordinatore_pais',
                     'case_manager', 'coordinatore_controlli', 'responsabile_controlli',
                     'operatore_ats')),
    ambito_id    bigint REFERENCES ambito (id),
    comune_id    bigint REFERENCES comune (id),
    fondo        text NOT NULL DEFAULT '',
    dal          date NOT NULL DEFAULT current_date,
    al           date,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (al IS NULL OR al >= dal),
    CHECK (CASE ruolo
        WHEN 'amministratore_sistema' THEN ambito_id IS NULL AND comune_id IS NULL
        WHEN 'amministratore_ambito'  THEN ambito_id IS NOT NULL AND comune_id IS NULL
        WHEN 'operatore_ats'          THEN ambito_id IS NOT NULL AND comune_id IS NULL
        WHEN 'coordinatore_pais'      THEN ambito_id IS NOT NULL
        ELSE ambito_id IS NOT NULL AND comune_id IS NOT NULL
    END)
);
CREATE INDEX operatore_ruolo_operatore_idx ON operatore_ruolo (operatore_id);
