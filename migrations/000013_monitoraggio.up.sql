-- Monitoring of the Patto per l'inclusione sociale (domain.md §7): the
-- meetings the case manager plans with the nucleo (date, time, duration,
-- place, the risultati attesi and the impegni to assess), and their
-- assessment once held. Registering a held meeting also registers an
-- `incontro` of tipo 'monitoraggio' with the presences (internal/incontri),
-- which resets the 90-day counter (internal/scadenze).

-- A meeting refers to the signed version of the patto it assesses
-- (scheda.tipo = 'patto', stato 'definitiva'); items are referred to by the
-- patto's stable IDs (internal/patto/contenuto.go), kept across versions.
-- stato: pianificato → svolto (incontro_id set) | annullato (with reason).
-- versione: optimistic locking.
CREATE TABLE monitoraggio_incontro (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id             uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    patto_id            uuid NOT NULL REFERENCES scheda (id),
    patto_versione      integer NOT NULL CHECK (patto_versione >= 1),
    data                date NOT NULL,
    ora                 time NOT NULL,
    durata_minuti       integer NOT NULL CHECK (durata_minuti BETWEEN 5 AND 600),
    luogo               text NOT NULL DEFAULT '',
    stato               text NOT NULL DEFAULT 'pianificato' CHECK (stato IN ('pianificato', 'svolto', 'annullato')),
    note                text NOT NULL DEFAULT '',           -- agenda when planned, general notes once held
    motivo_annullamento text NOT NULL DEFAULT '',
    prossimo_incontro   date,                               -- the next meeting, stated when this one is held
    incontro_id         uuid REFERENCES incontro (id),      -- the incontro registered when held
    precedente_id       uuid REFERENCES monitoraggio_incontro (id), -- planned when that one was held
    versione            integer NOT NULL DEFAULT 1,
    created_by          uuid NOT NULL REFERENCES operatore (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_by          uuid NOT NULL REFERENCES operatore (id),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((stato = 'svolto') = (incontro_id IS NOT NULL)),
    CHECK ((stato = 'annullato') = (motivo_annullamento <> '')),
    CHECK (prossimo_incontro IS NULL OR prossimo_incontro > data)
);
CREATE INDEX monitoraggio_incontro_caso_idx ON monitoraggio_incontro (caso_id, data);
CREATE UNIQUE INDEX monitoraggio_incontro_incontro_idx ON monitoraggio_incontro (incontro_id) WHERE incontro_id IS NOT NULL;

-- The risultati attesi to assess at a meeting, with the member of their
-- objective (NULL: the nucleo); valutazione is NULL until assessed.
CREATE TABLE monitoraggio_obiettivo (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incontro_id uuid NOT NULL REFERENCES monitoraggio_incontro (id) ON DELETE CASCADE,
    risultato_id text NOT NULL,
    persona_id  uuid REFERENCES persona (id),
    valutazione text CHECK (valutazione IN ('raggiunto', 'parziale', 'non_raggiunto', 'non_valutabile')),
    nota        text NOT NULL DEFAULT '',
    UNIQUE (incontro_id, risultato_id)
);

-- The impegni to assess at a meeting; valutazione is NULL until assessed.
CREATE TABLE monitoraggio_impegno (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incontro_id uuid NOT NULL REFERENCES monitoraggio_incontro (id) ON DELETE CASCADE,
    impegno_id  text NOT NULL,
    valutazione text CHECK (valutazione IN ('rispettato', 'non_rispettato', 'giustificato')),
    nota        text NOT NULL DEFAULT '',
    UNIQUE (incontro_id, impegno_id)
);
