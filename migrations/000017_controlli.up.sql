-- Controlli anagrafici and verifiche del nucleo (domain.md §9, docs/roles.md):
-- the requests of verification INPS sends to a comune, their assignment to
-- a responsabile, what the anagrafe holds (residence periods, absences,
-- documents seen), the backward chain between comuni, the esito (immutable
-- once finalised; a rectification is a new esito), the sample of the
-- verifiche del nucleo with its discrepancies, and the export batches of
-- the esiti for INPS.

-- A request of verification. comune_id is the comune INPS asked (the comune
-- of last residence): it alone finalises; its 60-day term (scadenza) is the
-- term of the whole chain. The person is as INPS sent it; caso_id links the
-- request to the case of the domanda when Cartella has it.
CREATE TABLE controllo_richiesta (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    id_richiesta     text NOT NULL UNIQUE CHECK (id_richiesta ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
    tipo             text NOT NULL CHECK (tipo IN ('residenza', 'soggiorno', 'cittadinanza',
                         'residenza_ex_post', 'composizione_nucleo', 'svantaggio')),
    ambito_id        bigint NOT NULL REFERENCES ambito (id),
    comune_id        bigint NOT NULL REFERENCES comune (id),
    codice_fiscale   text NOT NULL CHECK (codice_fiscale ~ '^[A-Z0-9]{16}$'),
    cognome          text NOT NULL CHECK (length(cognome) BETWEEN 1 AND 200),
    nome             text NOT NULL CHECK (length(nome) BETWEEN 1 AND 200),
    data_nascita     date,
    id_domanda       text NOT NULL DEFAULT '',
    caso_id          uuid REFERENCES caso (id),
    data_richiesta   date NOT NULL,
    -- The date the requirement is checked at: the date of the domanda, or
    -- for an ex post check the day of the check.
    data_riferimento date NOT NULL,
    scadenza         date NOT NULL,
    nota_inps        text NOT NULL DEFAULT '',
    -- aperta: with the comune asked; inoltrata: with a comune of previous
    -- residence (the open controllo_tappa); conclusa: an esito is final.
    stato            text NOT NULL DEFAULT 'aperta' CHECK (stato IN ('aperta', 'inoltrata', 'conclusa')),
    assegnatario     uuid REFERENCES operatore (id),
    assegnata_il     timestamptz,
    origine          text NOT NULL DEFAULT 'manuale' CHECK (origine IN ('importazione', 'manuale', 'campione')),
    importazione_id  bigint,
    campione_id      bigint,
    -- The responsabile's working notes: never shown outside the comune.
    note_lavoro      text NOT NULL DEFAULT '',
    versione         integer NOT NULL DEFAULT 1,
    created_by       uuid REFERENCES operatore (id),   -- NULL: command line import
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       uuid REFERENCES operatore (id),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (scadenza = data_richiesta + 60),
    CHECK ((assegnatario IS NULL) = (assegnata_il IS NULL))
);
-- The worklist: a comune's requests by state and due date, and by responsabile.
CREATE INDEX controllo_richiesta_lista_idx ON controllo_richiesta (comune_id, stato, scadenza, id);
CREATE INDEX controllo_richiesta_assegnatario_idx ON controllo_richiesta (assegnatario, stato, scadenza) WHERE assegnatario IS NOT NULL;
CREATE INDEX controllo_richiesta_caso_idx ON controllo_richiesta (caso_id) WHERE caso_id IS NOT NULL;
CREATE INDEX controllo_richiesta_cf_idx ON controllo_richiesta (codice_fiscale);

-- One step of the backward chain: the request forwarded to the comune of
-- previous residence (n from 1, in order). At most one open step per request.
-- esito: restituita (its periods returned), nessun_record (the comune holds
-- no residence of the person), inoltrata (passed on to the next comune).
CREATE TABLE controllo_tappa (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    richiesta_id   uuid NOT NULL REFERENCES controllo_richiesta (id),
    n              integer NOT NULL CHECK (n >= 1),
    da_comune_id   bigint NOT NULL REFERENCES comune (id),
    comune_id      bigint NOT NULL REFERENCES comune (id),
    inoltrata_da   uuid NOT NULL REFERENCES operatore (id),
    inoltrata_il   timestamptz NOT NULL DEFAULT now(),
    nota_inoltro   text NOT NULL DEFAULT '',
    assegnatario   uuid REFERENCES operatore (id),
    assegnata_il   timestamptz,
    esito          text CHECK (esito IN ('restituita', 'nessun_record', 'inoltrata')),
    chiusa_da      uuid REFERENCES operatore (id),
    chiusa_il      timestamptz,
    nota_chiusura  text NOT NULL DEFAULT '',
    UNIQUE (richiesta_id, n),
    CHECK (comune_id <> da_comune_id),
    CHECK ((esito IS NULL) = (chiusa_il IS NULL)),
    CHECK ((assegnatario IS NULL) = (assegnata_il IS NULL))
);
CREATE UNIQUE INDEX controllo_tappa_aperta_idx ON controllo_tappa (richiesta_id) WHERE esito IS NULL;
CREATE INDEX controllo_tappa_comune_idx ON controllo_tappa (comune_id, richiesta_id) WHERE esito IS NULL;
CREATE INDEX controllo_tappa_assegnatario_idx ON controllo_tappa (assegnatario) WHERE esito IS NULL AND assegnatario IS NOT NULL;

-- A residence period as an anagrafe holds it. comune_id is the comune that
-- recorded it (its own anagrafe); the period's comune is by ISTAT code and
-- name, since a person may have lived in a comune outside the installation.
CREATE TABLE controllo_periodo (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    richiesta_id    uuid NOT NULL REFERENCES controllo_richiesta (id),
    comune_id       bigint NOT NULL REFERENCES comune (id),
    comune_istat    text NOT NULL CHECK (comune_istat ~ '^[0-9]{6}$'),
    comune_nome     text NOT NULL CHECK (length(comune_nome) BETWEEN 1 AND 200),
    iscrizione      date NOT NULL,
    cancellazione   date,
    fonte           text NOT NULL DEFAULT '',
    registrato_da   uuid NOT NULL REFERENCES operatore (id),
    registrato_il   timestamptz NOT NULL DEFAULT now(),
    CHECK (cancellazione IS NULL OR cancellazione >= iscrizione)
);
CREATE INDEX controllo_periodo_richiesta_idx ON controllo_periodo (richiesta_id);

-- An absence from Italy known to the anagrafe (or documented by the person).
CREATE TABLE controllo_assenza (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    richiesta_id    uuid NOT NULL REFERENCES controllo_richiesta (id),
    comune_id       bigint NOT NULL REFERENCES comune (id),
    dal             date NOT NULL,
    al              date NOT NULL,
    -- Serious health reasons, documented: the absence does not interrupt
    -- continuity (domain.md §9.1).
    motivi_salute   boolean NOT NULL DEFAULT false,
    nota            text NOT NULL DEFAULT '',
    registrato_da   uuid NOT NULL REFERENCES operatore (id),
    registrato_il   timestamptz NOT NULL DEFAULT now(),
    CHECK (al >= dal)
);
CREATE INDEX controllo_assenza_richiesta_idx ON controllo_assenza (richiesta_id);

-- A document the responsabile saw (not the document itself): its kind, its
-- reference, its date.
CREATE TABLE controllo_documento (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    richiesta_id    uuid NOT NULL REFERENCES controllo_richiesta (id),
    comune_id       bigint NOT NULL REFERENCES comune (id),
    tipo            text NOT NULL CHECK (length(tipo) BETWEEN 1 AND 200),
    estremi         text NOT NULL DEFAULT '',
    data_documento  date,
    nota            text NOT NULL DEFAULT '',
    registrato_da   uuid NOT NULL REFERENCES operatore (id),
    registrato_il   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX controllo_documento_richiesta_idx ON controllo_documento (richiesta_id);

-- A batch of finalised esiti exported for INPS (docs/formats/controlli-esiti.md):
-- the file is kept to be downloaded again byte for byte.
CREATE TABLE controllo_invio (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    comune_id   bigint NOT NULL REFERENCES comune (id),
    created_by  uuid REFERENCES operatore (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    nome_file   text NOT NULL,
    contenuto   bytea NOT NULL,
    sha256      bytea NOT NULL CHECK (length(sha256) = 32),
    numero      integer NOT NULL CHECK (numero > 0)
);
CREATE INDEX controllo_invio_comune_idx ON controllo_invio (comune_id, id DESC);

-- The esito of a request, finalised by the comune asked. Immutable (trigger
-- below) except for the batch that carries it to INPS; a rectification is a
-- new esito referencing the one it corrects (at most one each).
CREATE TABLE controllo_esito (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    richiesta_id     uuid NOT NULL REFERENCES controllo_richiesta (id),
    esito            text NOT NULL CHECK (esito IN ('positivo', 'negativo', 'non_verificabile')),
    motivazione      text NOT NULL CHECK (length(motivazione) BETWEEN 1 AND 4000),
    -- The rule engine's evaluation at finalisation (internal/residenza):
    -- days covered, continuity, interruptions. NULL for types without rules.
    valutazione      jsonb,
    data_esito       date NOT NULL,
    entro_termine    boolean NOT NULL,   -- data_esito <= the request's scadenza
    finalizzato_da   uuid NOT NULL REFERENCES operatore (id),
    finalizzato_il   timestamptz NOT NULL DEFAULT now(),
    rettifica_di     bigint UNIQUE REFERENCES controllo_esito (id),
    -- The segnalazione drafted automatically (ex post negative; discrepancy).
    segnalazione_id  uuid REFERENCES segnalazione (id),
    invio_id         bigint REFERENCES controllo_invio (id),
    inviato_il       timestamptz,
    CHECK ((invio_id IS NULL) = (inviato_il IS NULL))
);
CREATE INDEX controllo_esito_richiesta_idx ON controllo_esito (richiesta_id, id DESC);
CREATE INDEX controllo_esito_da_inviare_idx ON controllo_esito (richiesta_id) WHERE invio_id IS NULL;

CREATE FUNCTION controllo_esito_immutabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a finalised esito is never deleted: record a rectification'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - ARRAY['invio_id', 'inviato_il', 'segnalazione_id'])
        IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['invio_id', 'inviato_il', 'segnalazione_id'])
       OR (OLD.invio_id IS NOT NULL AND NEW.invio_id IS DISTINCT FROM OLD.invio_id)
       OR (OLD.segnalazione_id IS NOT NULL AND NEW.segnalazione_id IS DISTINCT FROM OLD.segnalazione_id) THEN
        RAISE EXCEPTION 'a finalised esito is immutable: record a rectification'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER controllo_esito_immutabile BEFORE UPDATE OR DELETE ON controllo_esito
    FOR EACH ROW EXECUTE FUNCTION controllo_esito_immutabile();

-- A sample of the verifiche del nucleo: drawn by the coordinatore controlli
-- among the comune's beneficiary nuclei, reproducibly (docs/formats/campione.md):
-- the seed, the reference date, the method, the population and its size.
CREATE TABLE controllo_campione (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comune_id        bigint NOT NULL REFERENCES comune (id),
    data_riferimento date NOT NULL,
    seme             text NOT NULL CHECK (seme ~ '^[0-9a-f]{16,64}$'),
    metodo           text NOT NULL,
    percentuale      numeric(5,2) NOT NULL CHECK (percentuale >= 5 AND percentuale <= 100),
    popolazione      integer NOT NULL CHECK (popolazione >= 0),
    estratti         integer NOT NULL CHECK (estratti >= 0),
    estratto_da      uuid NOT NULL REFERENCES operatore (id),
    estratto_il      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX controllo_campione_comune_idx ON controllo_campione (comune_id, id DESC);
ALTER TABLE controllo_richiesta ADD CONSTRAINT controllo_richiesta_campione_fk
    FOREIGN KEY (campione_id) REFERENCES controllo_campione (id);

-- A discrepancy between the declared composition of the nucleo and the
-- anagrafe, found in a verifica del nucleo: each becomes a segnalazione
-- that the coordinatore controlli approves or refuses.
CREATE TABLE controllo_discrepanza (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    richiesta_id     uuid NOT NULL REFERENCES controllo_richiesta (id),
    tipo             text NOT NULL CHECK (tipo IN ('componente_non_residente', 'componente_non_dichiarato',
                         'relazione_diversa', 'dati_anagrafici_diversi', 'altro')),
    codice_fiscale   text NOT NULL DEFAULT '' CHECK (codice_fiscale = '' OR codice_fiscale ~ '^[A-Z0-9]{16}$'),
    descrizione      text NOT NULL CHECK (length(descrizione) BETWEEN 1 AND 2000),
    segnalazione_id  uuid REFERENCES segnalazione (id),
    registrato_da    uuid NOT NULL REFERENCES operatore (id),
    registrato_il    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX controllo_discrepanza_richiesta_idx ON controllo_discrepanza (richiesta_id);

-- An import of requests (docs/formats/controlli.md), kept with its report.
CREATE TABLE controllo_importazione (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comune_id   bigint REFERENCES comune (id),       -- NULL: command line, any comune of the installation
    operatore   uuid REFERENCES operatore (id),
    file_nome   text NOT NULL,
    sha256      bytea NOT NULL CHECK (length(sha256) = 32),
    righe       integer NOT NULL DEFAULT 0,
    inserite    integer NOT NULL DEFAULT 0,
    invariate   integer NOT NULL DEFAULT 0,
    scartate    integer NOT NULL DEFAULT 0,
    -- [{"riga": 3, "id_richiesta": "...", "motivi": ["..."]}]: never personal data.
    scarti      jsonb NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE controllo_richiesta ADD CONSTRAINT controllo_richiesta_importazione_fk
    FOREIGN KEY (importazione_id) REFERENCES controllo_importazione (id);

-- Segnalazioni drafted by the controlli anagrafici (ex post negative,
-- discrepancy of a verifica del nucleo) go to the coordinatore controlli of
-- the comune for approval, not to the coordinatore PaIS (domain.md §1.2).
ALTER TABLE segnalazione ADD COLUMN origine text NOT NULL DEFAULT 'caso'
    CHECK (origine IN ('caso', 'controlli'));
CREATE INDEX segnalazione_controlli_idx ON segnalazione (comune_id, stato) WHERE origine = 'controlli';

INSERT INTO segnalazione_tipo (codice, etichetta, descrizione, riferimento_normativo, effetto, riguarda_impegni, ordine) VALUES
    ('perdita_residenza', 'Perdita del requisito di residenza',
     'Il controllo anagrafico ex post ha accertato che un componente ha perso la continuità della residenza in Italia durante la fruizione del beneficio.',
     'D.L. 48/2023, art. 2, comma 2, lettera a), numero 2', 'decadenza', false, 20),
    ('discrepanza_nucleo', 'Composizione del nucleo diversa dall''anagrafe',
     'La verifica del nucleo ha accertato una differenza tra la composizione dichiarata ai fini ISEE e quella risultante all''anagrafe.',
     'Accordo Conferenza Stato-città del 4 luglio 2019; D.L. 48/2023, art. 3', 'verifica', false, 21)
ON CONFLICT (codice, valido_dal) DO NOTHING;

-- campione:
-- The population of a sample as it was drawn (docs/formats/campione.md):
-- every beneficiary nucleo by its id_domanda, with its sort key
-- SHA-256(seme ":" data ":" id_domanda) and its rank; estratto: in the
-- sample. Kept whole so that anyone can redo the draw from the seed, the
-- date and this list even after the nuclei have changed. richiesta_id: the
-- request of verification of a drawn nucleo (the one created by the draw,
-- or the one already open for the same domanda).
CREATE TABLE controllo_campione_nucleo (
    campione_id  bigint NOT NULL REFERENCES controllo_campione (id),
    posizione    integer NOT NULL CHECK (posizione >= 1),
    id_domanda   text NOT NULL,
    chiave       text NOT NULL CHECK (chiave ~ '^[0-9a-f]{64}$'),
    caso_id      uuid NOT NULL REFERENCES caso (id),
    estratto     boolean NOT NULL,
    richiesta_id uuid REFERENCES controllo_richiesta (id),
    nuova        boolean NOT NULL DEFAULT false,   -- the request was created by this draw
    PRIMARY KEY (campione_id, posizione),
    UNIQUE (campione_id, id_domanda),
    CHECK (estratto OR richiesta_id IS NULL)
);

-- esiti:
-- An export batch of segnalazioni carries those of one origine: the
-- coordinatore PaIS's batches hold the case managers' segnalazioni, the
-- coordinatore controlli's those drafted by the controlli; each sees only
-- their own batches (a batch of comune C is not the PaIS coordinatore's of
-- the ambito).
ALTER TABLE segnalazione_invio ADD COLUMN origine text NOT NULL DEFAULT 'caso'
    CHECK (origine IN ('caso', 'controlli'));
