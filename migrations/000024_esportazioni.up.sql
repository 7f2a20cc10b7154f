-- Exports of the cruscotto (issue 17, internal/report, docs/formats/esportazioni.md
-- and dataset.md): background jobs whose file is kept in PostgreSQL, in
-- blocks of about 1 MB, so that every instance serves it and memory stays
-- constant; deleted with its blocks 7 days after it was requested.
CREATE TABLE esportazione (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ambito_id       bigint NOT NULL REFERENCES ambito (id),
    -- The scope of the requester when they asked (a comune coordinatore: their comune).
    ambito_comune_id bigint REFERENCES comune (id),
    operatore_id    uuid NOT NULL REFERENCES operatore (id),
    ruolo           text NOT NULL,
    -- The code of an indicator (docs/indicatori.md) or 'dataset'.
    tipo            text NOT NULL CHECK (tipo ~ '^[a-z0-9-]{1,60}$'),
    titolo          text NOT NULL DEFAULT '', -- the table's title, once run
    formato         text NOT NULL CHECK (formato IN ('csv', 'xlsx')),
    dal             date NOT NULL,
    al              date NOT NULL CHECK (al >= dal),
    comune_id       bigint REFERENCES comune (id),
    stato           text NOT NULL DEFAULT 'in_attesa' CHECK (stato IN ('in_attesa', 'in_corso', 'pronta', 'fallita')),
    tentativi       integer NOT NULL DEFAULT 0,
    righe_totali    bigint NOT NULL DEFAULT 0,
    righe_scritte   bigint NOT NULL DEFAULT 0,
    -- The lease of the process running it (as importazione: 000019).
    battito         timestamptz,
    istanza         uuid,
    creata_il       timestamptz NOT NULL DEFAULT now(),
    iniziata_il     timestamptz,
    completata_il   timestamptz,
    scade_il        timestamptz NOT NULL DEFAULT now() + interval '7 days',
    errore          text NOT NULL DEFAULT '',
    sha256          text NOT NULL DEFAULT '',
    dimensione      bigint NOT NULL DEFAULT 0
);
CREATE INDEX esportazione_operatore_idx ON esportazione (operatore_id, id DESC);
CREATE INDEX esportazione_attesa_idx ON esportazione (id) WHERE stato = 'in_attesa';
CREATE INDEX esportazione_in_corso_idx ON esportazione (battito) WHERE stato = 'in_corso';
CREATE INDEX esportazione_scade_idx ON esportazione (scade_il);

-- The file, block n (from 0) after block n-1.
CREATE TABLE esportazione_blocco (
    esportazione_id bigint NOT NULL REFERENCES esportazione (id) ON DELETE CASCADE,
    n               integer NOT NULL,
    dati            bytea NOT NULL,
    PRIMARY KEY (esportazione_id, n)
);

-- The key of the pseudonymous ids of an ambito's dataset
-- (HMAC-SHA256(chiave, caso id)): random, created on first use, never shown.
CREATE TABLE esportazione_chiave (
    ambito_id  bigint PRIMARY KEY REFERENCES ambito (id),
    chiave     bytea NOT NULL CHECK (length(chiave) = 32),
    creata_il  timestamptz NOT NULL DEFAULT now()
);
