-- Rete dei servizi (Linee guida Reti ADI, chapters III and V; domain.md §4,
-- §6.3): the enti of the network and the services they offer (the mappa
-- delle risorse), the protocolli d'intesa, the invii of a member by the case
-- manager to a service with the consent to share chosen sections, their
-- states and answers, and two new roles: the gestore della rete (ambito) and
-- the operatore of an ente (scope: the ente).

-- An ente of the network.
CREATE TABLE rete_ente (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ambito_id       bigint NOT NULL REFERENCES ambito (id),
    denominazione   text NOT NULL CHECK (length(denominazione) BETWEEN 1 AND 200),
    tipo            text NOT NULL CHECK (tipo IN ('comune', 'ats', 'cpi', 'sanitario', 'scuola', 'terzo_settore',
                        'patronato_caf', 'formazione', 'altro')),
    codice_fiscale  text NOT NULL DEFAULT '' CHECK (codice_fiscale = '' OR codice_fiscale ~ '^([0-9]{11}|[A-Z0-9]{16})$'),
    indirizzo       text NOT NULL DEFAULT '',
    telefono        text NOT NULL DEFAULT '',
    email           text NOT NULL DEFAULT '',
    pec             text NOT NULL DEFAULT '',
    referente       text NOT NULL DEFAULT '',
    attivo          boolean NOT NULL DEFAULT true,
    versione        integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ambito_id, denominazione)
);

-- The comuni an ente serves.
CREATE TABLE rete_ente_comune (
    ente_id   bigint NOT NULL REFERENCES rete_ente (id) ON DELETE CASCADE,
    comune_id bigint NOT NULL REFERENCES comune (id),
    PRIMARY KEY (ente_id, comune_id)
);

-- A service or intervention an ente offers: an entry of the mappa delle risorse.
CREATE TABLE rete_servizio (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ente_id          bigint NOT NULL REFERENCES rete_ente (id),
    denominazione    text NOT NULL CHECK (length(denominazione) BETWEEN 1 AND 200),
    descrizione      text NOT NULL DEFAULT '',
    area             text NOT NULL CHECK (area IN ('lavoro_formazione', 'salute', 'istruzione', 'abitazione',
                         'relazioni_socializzazione', 'sostegno_economico', 'altro')),
    -- The code of the catalogue of sostegni of the patto, when it is one
    -- (patto_sostegno_tipo.codice).
    sostegno_codice  text NOT NULL DEFAULT '',
    destinatari      text NOT NULL DEFAULT '',
    criteri_accesso  text NOT NULL DEFAULT '',
    modalita_accesso text NOT NULL DEFAULT '',
    contatti         text NOT NULL DEFAULT '',
    capacita         integer CHECK (capacita IS NULL OR capacita >= 0),   -- places per period; NULL: not limited
    periodo_capacita text NOT NULL DEFAULT 'mese' CHECK (periodo_capacita IN ('settimana', 'mese', 'trimestre', 'anno')),
    valido_dal       date NOT NULL DEFAULT current_date,
    valido_al        date,
    attivo           boolean NOT NULL DEFAULT true,
    versione         integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);
CREATE INDEX rete_servizio_ente_idx ON rete_servizio (ente_id);

-- The comuni a service covers (none: every comune the ente serves).
CREATE TABLE rete_servizio_comune (
    servizio_id bigint NOT NULL REFERENCES rete_servizio (id) ON DELETE CASCADE,
    comune_id   bigint NOT NULL REFERENCES comune (id),
    PRIMARY KEY (servizio_id, comune_id)
);

-- A protocollo d'intesa between the ambito and enti of the network.
CREATE TABLE rete_protocollo (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ambito_id                bigint NOT NULL REFERENCES ambito (id),
    titolo                   text NOT NULL CHECK (length(titolo) BETWEEN 1 AND 300),
    data_stipula             date NOT NULL,
    valido_dal               date NOT NULL,
    valido_al                date,
    -- How the provider accepts a person sent (Linee guida, Tabella 2).
    procedura                text NOT NULL CHECK (procedura IN ('immediata', 'ordine_arrivo', 'priorita',
                                 'nuova_valutazione', 'disponibilita_budget')),
    priorita                 text NOT NULL DEFAULT '',   -- the agreed priorities, for procedura 'priorita'
    giorni_risposta_cm       integer NOT NULL CHECK (giorni_risposta_cm BETWEEN 1 AND 365),
    giorni_risposta_persona  integer NOT NULL CHECK (giorni_risposta_persona BETWEEN 1 AND 365),
    periodo_rendicontazione  text NOT NULL CHECK (periodo_rendicontazione IN ('mese', 'trimestre', 'semestre', 'anno')),
    -- The reasons of refusal the parties agreed, one per element.
    motivi_rifiuto           text[] NOT NULL DEFAULT '{}',
    documento_nome           text NOT NULL DEFAULT '',
    documento                bytea,
    documento_sha256         bytea CHECK (documento_sha256 IS NULL OR length(documento_sha256) = 32),
    versione                 integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal),
    CHECK ((documento IS NULL) = (documento_sha256 IS NULL))
);

CREATE TABLE rete_protocollo_ente (
    protocollo_id bigint NOT NULL REFERENCES rete_protocollo (id) ON DELETE CASCADE,
    ente_id       bigint NOT NULL REFERENCES rete_ente (id),
    PRIMARY KEY (protocollo_id, ente_id)
);

-- The services a protocol covers, with the capacity agreed per period.
CREATE TABLE rete_protocollo_servizio (
    protocollo_id bigint NOT NULL REFERENCES rete_protocollo (id) ON DELETE CASCADE,
    servizio_id   bigint NOT NULL REFERENCES rete_servizio (id),
    capacita      integer CHECK (capacita IS NULL OR capacita >= 0),
    PRIMARY KEY (protocollo_id, servizio_id)
);

-- An invio: the case manager sends a member of a case to a service.
-- sezioni are the sections of the case the person consented to share;
-- estratto is what the ente sees of them, frozen when sent. Without
-- consent nothing is shared but the request itself (sezioni empty).
CREATE TABLE rete_invio (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    numero               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    caso_id              uuid NOT NULL REFERENCES caso (id),
    ambito_id            bigint NOT NULL REFERENCES ambito (id),
    comune_id            bigint NOT NULL REFERENCES comune (id),
    persona_id           uuid NOT NULL REFERENCES persona (id),
    servizio_id          bigint NOT NULL REFERENCES rete_servizio (id),
    ente_id              bigint NOT NULL REFERENCES rete_ente (id),
    protocollo_id        bigint REFERENCES rete_protocollo (id),
    -- The sostegno of the patto it comes from: its id in the patto's content.
    sostegno_id          text NOT NULL DEFAULT '',
    sostegno_testo       text NOT NULL DEFAULT '',
    motivazione          text NOT NULL CHECK (length(motivazione) BETWEEN 1 AND 4000),
    consenso             boolean NOT NULL DEFAULT false,
    consenso_da          text NOT NULL DEFAULT '',    -- who gave it: the person, or who for them (name, relation)
    consenso_il          date,
    consenso_modalita    text NOT NULL DEFAULT '' CHECK (consenso_modalita IN ('', 'scritto', 'orale_verbalizzato', 'digitale')),
    sezioni              text[] NOT NULL DEFAULT '{}',
    estratto             jsonb NOT NULL DEFAULT '{}',
    stato                text NOT NULL DEFAULT 'inviato' CHECK (stato IN ('inviato', 'ricevuto', 'accettato', 'rifiutato',
                             'in_corso', 'concluso', 'ritirato')),
    -- The answer is due by (from the protocol's giorni_risposta_cm; NULL without a protocol).
    risposta_entro       timestamptz,
    inviato_il           timestamptz NOT NULL DEFAULT now(),
    ricevuto_il          timestamptz,
    risposta_il          timestamptz,
    data_inizio          date,
    motivo_rifiuto       text NOT NULL DEFAULT '',
    concluso_il          timestamptz,
    esito_conclusione    text NOT NULL DEFAULT '' CHECK (esito_conclusione IN ('', 'completato', 'interrotto')),
    esito_testo          text NOT NULL DEFAULT '',
    ritirato_il          timestamptz,
    motivo_ritiro        text NOT NULL DEFAULT '',
    sollecito_inviato_il timestamptz,     -- the e-mail about an overdue answer
    case_manager_id      uuid NOT NULL REFERENCES operatore (id),
    versione             integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (consenso OR cardinality(sezioni) = 0),
    CHECK (NOT consenso OR (consenso_da <> '' AND consenso_il IS NOT NULL AND consenso_modalita <> '')),
    CHECK (stato <> 'rifiutato' OR motivo_rifiuto <> ''),
    CHECK (stato NOT IN ('accettato', 'in_corso') OR data_inizio IS NOT NULL),
    CHECK (stato <> 'concluso' OR esito_conclusione <> '')
);
CREATE INDEX rete_invio_caso_idx ON rete_invio (caso_id);
CREATE INDEX rete_invio_ente_idx ON rete_invio (ente_id, stato, inviato_il DESC);
CREATE INDEX rete_invio_scadute_idx ON rete_invio (ambito_id, risposta_entro) WHERE stato IN ('inviato', 'ricevuto');

-- Every state change of an invio.
CREATE TABLE rete_invio_stato (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invio_id     uuid NOT NULL REFERENCES rete_invio (id),
    da           text NOT NULL DEFAULT '',
    a            text NOT NULL,
    operatore_id uuid NOT NULL REFERENCES operatore (id),
    quando       timestamptz NOT NULL DEFAULT now(),
    nota         text NOT NULL DEFAULT ''
);
CREATE INDEX rete_invio_stato_invio_idx ON rete_invio_stato (invio_id, id);

-- The progress notes the ente writes for the case manager.
CREATE TABLE rete_invio_nota (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invio_id     uuid NOT NULL REFERENCES rete_invio (id),
    testo        text NOT NULL CHECK (length(testo) BETWEEN 1 AND 4000),
    operatore_id uuid NOT NULL REFERENCES operatore (id),
    scritta_il   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rete_invio_nota_invio_idx ON rete_invio_nota (invio_id, id);

-- The two new roles: the gestore della rete (ambito) and the operatore of
-- an ente (ambito and ente).
ALTER TABLE operatore_ruolo ADD COLUMN ente_id bigint REFERENCES rete_ente (id);
DO $$
DECLARE c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'operatore_ruolo'::regclass AND contype = 'c'
               AND pg_get_constraintdef(oid) LIKE '%ruolo%' LOOP
        EXECUTE format('ALTER TABLE operatore_ruolo DROP CONSTRAINT %I', c);
    END LOOP;
END
$$;
ALTER TABLE operatore_ruolo ADD CONSTRAINT operatore_ruolo_ruolo_valido CHECK (ruolo IN (
    'amministratore_sistema', 'amministratore_ambito', 'coordinatore_pais', 'case_manager',
    'coordinatore_controlli', 'responsabile_controlli', 'operatore_ats', 'gestore_rete', 'operatore_ente'));
ALTER TABLE operatore_ruolo ADD CONSTRAINT operatore_ruolo_portata CHECK (CASE ruolo
    WHEN 'amministratore_sistema' THEN ambito_id IS NULL AND comune_id IS NULL AND ente_id IS NULL
    WHEN 'amministratore_ambito'  THEN ambito_id IS NOT NULL AND comune_id IS NULL AND ente_id IS NULL
    WHEN 'operatore_ats'          THEN ambito_id IS NOT NULL AND comune_id IS NULL AND ente_id IS NULL
    WHEN 'gestore_rete'           THEN ambito_id IS NOT NULL AND comune_id IS NULL AND ente_id IS NULL
    WHEN 'operatore_ente'         THEN ambito_id IS NOT NULL AND comune_id IS NULL AND ente_id IS NOT NULL
    WHEN 'coordinatore_pais'      THEN ambito_id IS NOT NULL AND ente_id IS NULL
    ELSE ambito_id IS NOT NULL AND comune_id IS NOT NULL AND ente_id IS NULL
END);
