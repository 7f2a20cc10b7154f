-- Casi: persone, nuclei with their composition history, domande (the measure
-- a nucleo receives), the case (presa in carico), its assignment and
-- history, convocazioni, incontri with presences, giustificati motivi, the
-- diario sociale, office availability for the agenda, and the imports of the
-- nuclei flow. domain.md §2, §11, §12.6, §13.3–13.4.

-- One master record per codice fiscale, never duplicated across nuclei or
-- over time: a person who moves to another nucleo keeps this row.
CREATE TABLE persona (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    codice_fiscale            text NOT NULL UNIQUE CHECK (codice_fiscale ~ '^[A-Z0-9]{16}$'),
    cognome                   text NOT NULL,
    nome                      text NOT NULL,
    sesso                     text NOT NULL CHECK (sesso IN ('M', 'F')),
    data_nascita              date NOT NULL,
    luogo_nascita             text NOT NULL DEFAULT '',
    cittadinanza              text NOT NULL DEFAULT '',
    titolo_soggiorno_tipo     text NOT NULL DEFAULT '',
    titolo_soggiorno_scadenza date,
    residenza                 text NOT NULL DEFAULT '',
    domicilio                 text NOT NULL DEFAULT '',
    telefono                  text NOT NULL DEFAULT '',
    email                     text NOT NULL DEFAULT '',
    versione                  integer NOT NULL DEFAULT 1,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);
-- Search by name among a case manager's cases.
CREATE INDEX persona_cognome_nome_idx ON persona (lower(cognome), lower(nome));

-- A nucleo familiare. fonte: where the composition comes from (ISEE and
-- anagrafe nuclei may legitimately differ, FAQ GePI).
CREATE TABLE nucleo (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    fonte      text NOT NULL DEFAULT 'dichiarato' CHECK (fonte IN ('isee', 'anagrafe', 'dichiarato', 'inps')),
    telefono   text NOT NULL DEFAULT '',
    email      text NOT NULL DEFAULT '',
    indirizzo  text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Composition with history: a member who leaves gets "al"; one who joins a
-- new row with "dal". Minore and ≥60 follow from persona.data_nascita at the
-- date of interest and are not stored.
CREATE TABLE nucleo_componente (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nucleo_id            uuid NOT NULL REFERENCES nucleo (id) ON DELETE CASCADE,
    persona_id           uuid NOT NULL REFERENCES persona (id),
    relazione            text NOT NULL CHECK (relazione IN ('richiedente', 'coniuge', 'convivente', 'figlio',
                             'genitore', 'altro_parente', 'altro')),
    in_scala_equivalenza boolean NOT NULL DEFAULT true,
    disabilita           boolean NOT NULL DEFAULT false,
    svantaggio           boolean NOT NULL DEFAULT false,
    -- T90 exemption (domain.md §2.2); recorded by the case manager.
    vittima_violenza     boolean NOT NULL DEFAULT false,
    -- Sent to the Centro per l'impiego: from then on the member follows the CPI.
    inviato_cpi_il       date,
    dal                  date NOT NULL DEFAULT current_date,
    al                   date,
    CHECK (al IS NULL OR al >= dal)
);
CREATE UNIQUE INDEX nucleo_componente_attuale_idx ON nucleo_componente (nucleo_id, persona_id) WHERE al IS NULL;
CREATE INDEX nucleo_componente_persona_idx ON nucleo_componente (persona_id);
CREATE INDEX nucleo_componente_nucleo_idx ON nucleo_componente (nucleo_id, dal);

-- The measure a nucleo receives, as INPS passes it on (DI 8 Aug 2023 art. 3),
-- or a presa in carico without a measure (misura 'ALTRO', no id_domanda).
CREATE TABLE domanda (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    misura              text NOT NULL CHECK (misura IN ('ADI', 'SFL', 'RDC', 'ALTRO')),
    id_domanda          text UNIQUE,             -- INPS id: the import's idempotence key
    nucleo_id           uuid NOT NULL REFERENCES nucleo (id),
    data_domanda        date,
    data_pad            date,
    data_decorrenza     date,
    data_trasmissione   date,
    stato_erogazione    text NOT NULL DEFAULT '',
    requisiti_verificati boolean NOT NULL DEFAULT true,
    esiti_controlli     text NOT NULL DEFAULT '',
    altre_prestazioni   jsonb NOT NULL DEFAULT '[]',
    importazione_id     bigint,                  -- last import that wrote it
    hash_flusso         bytea,                   -- SHA-256 of the household as last imported: unchanged lines are skipped
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (misura = 'ALTRO' OR id_domanda IS NOT NULL),
    CHECK (misura <> 'ADI' OR data_pad IS NOT NULL)
);
CREATE INDEX domanda_nucleo_idx ON domanda (nucleo_id);

-- The case: a nucleo taken in charge for a measure in a comune. States per
-- domain.md §2.3. The deadline columns are derived (internal/scadenze) and
-- refreshed on every write that affects them, so that lists can sort
-- overdue cases first over hundreds of thousands of rows.
CREATE TABLE caso (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    numero                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    domanda_id            uuid NOT NULL REFERENCES domanda (id),
    nucleo_id             uuid NOT NULL REFERENCES nucleo (id),
    ambito_id             bigint NOT NULL REFERENCES ambito (id),
    comune_id             bigint NOT NULL REFERENCES comune (id),
    case_manager_id       uuid REFERENCES operatore (id),
    assegnato_il          timestamptz,
    stato                 text NOT NULL DEFAULT 'ricevuto' CHECK (stato IN (
                              'ricevuto', 'assegnato', 'convocato', 'in_valutazione', 'qda_in_corso',
                              'progettazione', 'patto_sottoscritto', 'monitoraggio', 'sospeso', 'chiuso')),
    stato_prima_chiusura  text,                  -- to reopen where it was
    origine               text NOT NULL DEFAULT 'flusso' CHECK (origine IN ('flusso', 'manuale')),
    aperto_il             date NOT NULL DEFAULT current_date,
    -- Derived deadlines (refreshed by the casi service).
    t120_scadenza         date,
    t120_stato            text NOT NULL DEFAULT '',
    t90_scadenza          date,
    t90_stato             text NOT NULL DEFAULT '',
    urgenza               date,                  -- earliest pending due date; NULL when none
    prossimo_appuntamento timestamptz,
    motivo_chiusura       text,
    chiuso_il             date,
    versione              integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ((stato = 'chiuso') = (chiuso_il IS NOT NULL)),
    CHECK (case_manager_id IS NOT NULL OR stato IN ('ricevuto', 'chiuso'))
);
-- At most one open case per domanda.
CREATE UNIQUE INDEX caso_domanda_aperto_idx ON caso (domanda_id) WHERE stato <> 'chiuso';
-- The case manager's list: own cases, overdue first, keyset on (urgenza, numero).
CREATE INDEX caso_case_manager_idx ON caso (case_manager_id, urgenza NULLS LAST, numero) WHERE stato <> 'chiuso';
-- The coordinatore's board: by ambito and comune.
CREATE INDEX caso_ambito_idx ON caso (ambito_id, comune_id, stato, urgenza NULLS LAST, numero);
CREATE INDEX caso_nucleo_idx ON caso (nucleo_id);
CREATE INDEX caso_domanda_idx ON caso (domanda_id);

-- Who the case was assigned to, and when; never updated but to close a period.
CREATE TABLE caso_assegnazione (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caso_id         uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    case_manager_id uuid NOT NULL REFERENCES operatore (id),
    assegnato_da    uuid REFERENCES operatore (id),
    dal             timestamptz NOT NULL DEFAULT now(),
    al              timestamptz,
    motivo          text NOT NULL DEFAULT ''
);
CREATE INDEX caso_assegnazione_caso_idx ON caso_assegnazione (caso_id, dal);

-- Everything that happened to the case as a case (not its content): opened,
-- assigned, transferred, state changes, closed, reopened. Append-only.
CREATE TABLE caso_storico (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caso_id      uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    quando       timestamptz NOT NULL DEFAULT now(),
    operatore_id uuid REFERENCES operatore (id),  -- NULL: an import or the system
    evento       text NOT NULL,
    da           text NOT NULL DEFAULT '',
    a            text NOT NULL DEFAULT '',
    nota         text NOT NULL DEFAULT ''
);
CREATE INDEX caso_storico_caso_idx ON caso_storico (caso_id, id);

-- Convocazioni of the nucleo (GePI function): when, where, how it was sent and
-- whether it arrived.
CREATE TABLE convocazione (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id        uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    operatore_id   uuid REFERENCES operatore (id),   -- who meets the nucleo
    tipo           text NOT NULL DEFAULT 'primo_incontro' CHECK (tipo IN (
                       'primo_incontro', 'aggiornamento_90', 'monitoraggio', 'equipe', 'verifica')),
    inizio         timestamptz NOT NULL,
    durata_minuti  integer NOT NULL DEFAULT 60 CHECK (durata_minuti BETWEEN 5 AND 600),
    luogo          text NOT NULL,
    canale         text NOT NULL CHECK (canale IN ('sms', 'email', 'notifica_siisl', 'telefono', 'lettera', 'di_persona')),
    inviata_il     date NOT NULL DEFAULT current_date,
    esito_consegna text NOT NULL DEFAULT 'inviata' CHECK (esito_consegna IN ('inviata', 'consegnata', 'non_consegnata')),
    annullata      boolean NOT NULL DEFAULT false,
    note           text NOT NULL DEFAULT '',
    versione       integer NOT NULL DEFAULT 1,
    created_by     uuid REFERENCES operatore (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX convocazione_caso_idx ON convocazione (caso_id, inizio);
CREATE INDEX convocazione_operatore_idx ON convocazione (operatore_id, inizio) WHERE NOT annullata;

-- Incontri held (or missed): primo incontro, aggiornamento 90 giorni,
-- monitoraggio... with presence per member.
CREATE TABLE incontro (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id         uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    convocazione_id uuid REFERENCES convocazione (id),
    tipo            text NOT NULL CHECK (tipo IN (
                        'primo_incontro', 'aggiornamento_90', 'monitoraggio', 'equipe', 'verifica', 'presentazione')),
    data            date NOT NULL,
    luogo           text NOT NULL DEFAULT '',
    note            text NOT NULL DEFAULT '',
    registrato_da   uuid REFERENCES operatore (id),
    registrato_il   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incontro_caso_idx ON incontro (caso_id, data);

CREATE TABLE incontro_presenza (
    incontro_id  uuid NOT NULL REFERENCES incontro (id) ON DELETE CASCADE,
    persona_id   uuid NOT NULL REFERENCES persona (id),
    presente     boolean NOT NULL,
    giustificato boolean NOT NULL DEFAULT false,
    motivo       text NOT NULL DEFAULT '',
    PRIMARY KEY (incontro_id, persona_id)
);

-- Giustificato motivo recorded by the case manager: it suspends the terms
-- for the member in its period (domain.md §2.2).
CREATE TABLE giustificato_motivo (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id       uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    persona_id    uuid NOT NULL REFERENCES persona (id),
    motivo        text NOT NULL,
    dal           date NOT NULL,
    al            date,
    documento     text NOT NULL DEFAULT '',
    registrato_da uuid REFERENCES operatore (id),
    registrato_il timestamptz NOT NULL DEFAULT now(),
    CHECK (al IS NULL OR al >= dal)
);
CREATE INDEX giustificato_motivo_caso_idx ON giustificato_motivo (caso_id);

-- Diario sociale: dated notes, never edited in place; a correction is a new
-- note that references the old one. sanitaria and giudiziaria notes are for
-- the assigned case manager only.
CREATE TABLE diario_nota (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id      uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    data_evento  date NOT NULL,
    categoria    text NOT NULL CHECK (categoria IN ('ordinaria', 'sanitaria', 'giudiziaria')),
    testo        text NOT NULL CHECK (length(testo) BETWEEN 1 AND 20000),
    autore_id    uuid NOT NULL REFERENCES operatore (id),
    rettifica_di uuid REFERENCES diario_nota (id),
    scritta_il   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diario_nota_caso_idx ON diario_nota (caso_id, data_evento DESC, scritta_il DESC);
-- A note is corrected at most once: two simultaneous corrections, one wins.
CREATE UNIQUE INDEX diario_nota_rettifica_idx ON diario_nota (rettifica_di) WHERE rettifica_di IS NOT NULL;

CREATE FUNCTION diario_nota_immutabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM caso WHERE id = OLD.caso_id) THEN
        RETURN OLD; -- the case itself is being removed (cascade)
    END IF;
    RAISE EXCEPTION 'diario_nota is never changed in place: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER diario_nota_no_update_delete BEFORE UPDATE OR DELETE ON diario_nota
    FOR EACH ROW EXECUTE FUNCTION diario_nota_immutabile();

-- Office availability for the agenda ("disponibilità degli uffici", DI 2023
-- art. 6): weekly opening slots of a comune's office.
CREATE TABLE disponibilita_ufficio (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comune_id bigint NOT NULL REFERENCES comune (id),
    ufficio   text NOT NULL,
    giorno    smallint NOT NULL CHECK (giorno BETWEEN 1 AND 7), -- 1 = lunedì
    dalle     time NOT NULL,
    alle      time NOT NULL,
    CHECK (alle > dalle)
);
CREATE INDEX disponibilita_ufficio_comune_idx ON disponibilita_ufficio (comune_id, giorno);

-- Secret token of an operator's iCalendar feed (only its hash is kept).
CREATE TABLE calendario_token (
    operatore_id uuid PRIMARY KEY REFERENCES operatore (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Imports of the nuclei flow: progress and the report of rejected lines.
CREATE TABLE importazione (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ambito_id    bigint NOT NULL REFERENCES ambito (id),
    operatore_id uuid REFERENCES operatore (id),  -- NULL: from the command line
    file_nome    text NOT NULL DEFAULT '',
    file_byte    bigint NOT NULL DEFAULT 0,
    stato        text NOT NULL DEFAULT 'in_corso' CHECK (stato IN ('in_corso', 'completata', 'fallita')),
    byte_letti   bigint NOT NULL DEFAULT 0,
    righe        integer NOT NULL DEFAULT 0,
    inseriti     integer NOT NULL DEFAULT 0,
    aggiornati   integer NOT NULL DEFAULT 0,
    invariati    integer NOT NULL DEFAULT 0,
    scartati     integer NOT NULL DEFAULT 0,
    errore       text NOT NULL DEFAULT '',
    iniziata_il  timestamptz NOT NULL DEFAULT now(),
    conclusa_il  timestamptz
);
CREATE INDEX importazione_ambito_idx ON importazione (ambito_id, id DESC);

CREATE TABLE importazione_scarto (
    importazione_id bigint NOT NULL REFERENCES importazione (id) ON DELETE CASCADE,
    riga            integer NOT NULL,
    id_domanda      text NOT NULL DEFAULT '',
    motivo          text NOT NULL,
    PRIMARY KEY (importazione_id, riga)
);
