-- Regole ADI (issue 16): the registrazioni delle presentazioni with their
-- place (INPS messaggio 2132 of 5 June 2024), the periods of the benefit
-- (DL 48/2023 art. 3 c. 1), the outcome of the CPI convocation of each member
-- sent there, and the role that only registers presentations (comune scope).
-- The rules are internal/scadenze's; the module is internal/presentazioni.

ALTER TABLE operatore_ruolo DROP CONSTRAINT operatore_ruolo_ruolo_valido;
ALTER TABLE operatore_ruolo ADD CONSTRAINT operatore_ruolo_ruolo_valido CHECK (ruolo IN (
    'amministratore_sistema', 'amministratore_ambito', 'coordinatore_pais', 'case_manager',
    'coordinatore_controlli', 'responsabile_controlli', 'operatore_ats', 'gestore_rete', 'operatore_ente',
    'operatore_presentazioni'));

-- A registrazione: avvenuto incontro or presentazione spontanea on "data" at
-- "luogo", or a giustificato motivo from "data" to "al" (NULL: still open).
-- Never edited: a mistake is corrected by annulling it (annullata_il) and
-- registering again, so that what counted for a month's payment stays known.
CREATE TABLE presentazione (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id        uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    evento         text NOT NULL CHECK (evento IN ('avvenuto_incontro', 'presentazione_spontanea', 'giustificato_motivo')),
    luogo          text NOT NULL CHECK (luogo IN ('servizi_sociali', 'patronato', 'cpi', 'domicilio')),
    data           date NOT NULL,
    al             date,
    motivo         text NOT NULL DEFAULT '' CHECK (length(motivo) <= 500),
    registrato_da  uuid NOT NULL REFERENCES operatore (id),
    ruolo          text NOT NULL,              -- the role it was registered in
    registrato_il  timestamptz NOT NULL DEFAULT now(),
    CHECK (al IS NULL OR al >= data),
    CHECK (evento = 'giustificato_motivo' OR al IS NULL),
    CHECK (evento <> 'giustificato_motivo' OR btrim(motivo) <> '')
);
CREATE INDEX presentazione_caso_idx ON presentazione (caso_id, data);

-- The benefit's first month paid (the first day of the month); versione for
-- optimistic locking of its form.
CREATE TABLE beneficio (
    caso_id        uuid PRIMARY KEY REFERENCES caso (id) ON DELETE CASCADE,
    primo_mese     date NOT NULL CHECK (extract(day FROM primo_mese) = 1),
    versione       integer NOT NULL DEFAULT 1,
    aggiornato_da  uuid REFERENCES operatore (id),
    aggiornato_il  timestamptz NOT NULL DEFAULT now()
);

-- Renewals: each a new domanda with a new PAD (a new 120-day term).
CREATE TABLE beneficio_rinnovo (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id        uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    data_pad       date NOT NULL,
    primo_mese     date CHECK (primo_mese IS NULL OR extract(day FROM primo_mese) = 1),
    registrato_da  uuid REFERENCES operatore (id),
    registrato_il  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (caso_id, data_pad)
);

-- The CPI's convocation of a member sent there, and its outcome ('' not yet
-- recorded). One row per member and case; versione for optimistic locking.
CREATE TABLE convocazione_cpi (
    caso_id        uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    persona_id     uuid NOT NULL REFERENCES persona (id),
    convocato_il   date NOT NULL,
    esito          text NOT NULL DEFAULT '' CHECK (esito IN ('', 'presente', 'assente_giustificato', 'assente')),
    versione       integer NOT NULL DEFAULT 1,
    registrato_da  uuid REFERENCES operatore (id),
    registrato_il  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caso_id, persona_id)
);
