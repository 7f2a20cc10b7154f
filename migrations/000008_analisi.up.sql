-- Analisi preliminare (domain.md §3): the reference lists it uses (aree of
-- the valutazione multidimensionale, motivi di esclusione/esonero, percorsi,
-- esiti, servizi). The scheda itself is a versioned scheda of tipo
-- 'analisi_preliminare' (table scheda, migration 000007); its content is a
-- JSON document that refers to these lists by codice.
--
-- The reference lists are data, not code, so that the official lists can
-- replace them (docs/operations.md, "Tabelle di riferimento dell'analisi
-- preliminare"): a row is offered in new schede while attivo and
-- valido_dal <= today <= valido_al; rows are never deleted (trigger below),
-- so that old versions keep their labels.

-- The six areas of D.Lgs. 147/2017 art. 5 (domain.md §3.2).
CREATE TABLE analisi_area (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice     text NOT NULL CHECK (codice ~ '^[a-z0-9_]{1,40}$'),
    etichetta  text NOT NULL,
    ordine     integer NOT NULL DEFAULT 0,
    attivo     boolean NOT NULL DEFAULT true,
    valido_dal date NOT NULL DEFAULT '2019-01-01',
    valido_al  date,
    UNIQUE (codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);

-- Motivi di esclusione o esonero from the obligations (domain.md §3.5).
-- esonero_t90: also exempts the member from the 90-day presentation (§2.2).
CREATE TABLE analisi_motivo (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice      text NOT NULL CHECK (codice ~ '^[a-z0-9_]{1,40}$'),
    etichetta   text NOT NULL,
    tipo        text NOT NULL CHECK (tipo IN ('esclusione', 'esonero')),
    esonero_t90 boolean NOT NULL DEFAULT false,
    fonte       text NOT NULL DEFAULT '',
    ordine      integer NOT NULL DEFAULT 0,
    attivo      boolean NOT NULL DEFAULT true,
    valido_dal  date NOT NULL DEFAULT '2024-01-01',
    valido_al   date,
    UNIQUE (codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);

-- The four ADI percorsi of each member (domain.md §3.5).
CREATE TABLE analisi_percorso (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice      text NOT NULL CHECK (codice ~ '^[a-z0-9_]{1,40}$'),
    etichetta   text NOT NULL,
    descrizione text NOT NULL DEFAULT '',
    ordine      integer NOT NULL DEFAULT 0,
    attivo      boolean NOT NULL DEFAULT true,
    valido_dal  date NOT NULL DEFAULT '2024-01-01',
    valido_al   date,
    UNIQUE (codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);

-- Esiti of the AP at nucleo level (domain.md §3.4). stato_caso: where the
-- case goes when the AP is finalised with this esito (NULL: it stays where
-- it is). Decision for A (Patto per il lavoro): §2.3 has no ADI state for
-- it (the routing is per member: the members sent to the CPI carry their
-- date of invio), so the case stays where it is.
CREATE TABLE analisi_esito (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice          text NOT NULL CHECK (codice ~ '^[A-Z]$'),
    etichetta       text NOT NULL,
    prossimo_passo  text NOT NULL DEFAULT '',
    stato_caso      text CHECK (stato_caso IN ('in_valutazione', 'qda_in_corso', 'progettazione')),
    ordine          integer NOT NULL DEFAULT 0,
    attivo          boolean NOT NULL DEFAULT true,
    valido_dal      date NOT NULL DEFAULT '2019-01-01',
    valido_al       date,
    UNIQUE (codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);

-- Services already involved with the nucleo or a member (domain.md §3.3).
CREATE TABLE analisi_servizio (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice     text NOT NULL CHECK (codice ~ '^[a-z0-9_]{1,40}$'),
    etichetta  text NOT NULL,
    ordine     integer NOT NULL DEFAULT 0,
    attivo     boolean NOT NULL DEFAULT true,
    valido_dal date NOT NULL DEFAULT '2019-01-01',
    valido_al  date,
    UNIQUE (codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);

INSERT INTO analisi_area (codice, etichetta, ordine) VALUES
    ('funzionamenti', 'Condizioni e funzionamenti personali e sociali', 1),
    ('economica', 'Situazione economica', 2),
    ('lavorativa', 'Situazione lavorativa e profilo di occupabilità', 3),
    ('istruzione', 'Educazione, istruzione e formazione', 4),
    ('abitativa', 'Condizione abitativa', 5),
    ('reti', 'Reti familiari, di prossimità e sociali', 6);

-- Provisional list from domain.md §3.5: to be replaced by the official one.
INSERT INTO analisi_motivo (codice, etichetta, tipo, esonero_t90, fonte, ordine) VALUES
    ('occupato', 'Già occupato', 'esclusione', false, 'D.L. 48/2023, art. 6, c. 4', 1),
    ('studente', 'Frequenta un regolare corso di studi', 'esclusione', false, 'D.L. 48/2023, art. 6, c. 4', 2),
    ('pensione', 'Titolare di pensione diretta', 'esclusione', false, 'D.L. 48/2023, art. 6, c. 5', 3),
    ('eta_60', 'Età pari o superiore a 60 anni', 'esclusione', true, 'D.L. 48/2023, art. 6, c. 5; esonero T90: D.M. 154/2023, art. 9', 4),
    ('disabilita', 'Persona con disabilità (definizione ISEE, DPCM 159/2013)', 'esclusione', true, 'D.L. 48/2023, art. 6, c. 5; esonero T90: D.M. 154/2023, art. 9', 5),
    ('oncologica', 'Patologia oncologica', 'esclusione', false, 'D.L. 48/2023, art. 6, c. 5', 6),
    ('violenza', 'Vittima di violenza di genere', 'esonero', true, 'D.M. 154/2023, art. 9', 7),
    ('cura_minore_3', 'Carico di cura di un minore di tre anni', 'esonero', false, 'D.L. 48/2023, art. 6, c. 5', 8),
    ('cura_disabile', 'Carico di cura di una persona con disabilità o non autosufficiente', 'esonero', false, 'D.L. 48/2023, art. 6, c. 5 (testo da verificare)', 9),
    ('tre_figli', 'Carichi di cura di tre o più figli minori', 'esonero', false, 'D.L. 48/2023, art. 6, c. 5 (testo da verificare)', 10),
    ('non_attivabile', 'Valutato non attivabile dai servizi sociali', 'esonero', false, 'D.L. 48/2023, art. 6', 11);

INSERT INTO analisi_percorso (codice, etichetta, descrizione, ordine) VALUES
    ('1', 'Obbligo di attivazione lavorativa e sociale', 'Componenti 18–59 anni, esercenti la responsabilità genitoriale, senza cause di esclusione: PaIS, PAD individuale e Patto di servizio al CPI.', 1),
    ('2', 'Facoltà di attivazione lavorativa e sociale', 'Componenti esclusi o esonerati che possono aderire volontariamente.', 2),
    ('3', 'Facoltà di attivazione del Supporto per la formazione e il lavoro (SFL)', 'Di norma componenti 18–59 anni non considerati nella scala di equivalenza.', 3),
    ('4', 'Obbligo di attivazione sociale e facoltà di attivazione lavorativa', 'Componenti tenuti al percorso sociale ma non all''attivazione lavorativa.', 4);

INSERT INTO analisi_esito (codice, etichetta, prossimo_passo, stato_caso, ordine) VALUES
    ('A', 'Bisogni esclusivamente lavorativi: Patto per il lavoro', 'Invio al Centro per l''impiego dei componenti attivabili', NULL, 1),
    ('B', 'Bisogni non complessi: PaIS semplificato', 'Progettazione del Patto per l''inclusione sulla base della sola analisi preliminare', 'progettazione', 2),
    ('C', 'Bisogni complessi: attivazione dell''équipe multidisciplinare per il quadro di analisi approfondito', 'Équipe multidisciplinare e quadro di analisi, poi il Patto', 'qda_in_corso', 3),
    ('D', 'Bisogni che richiedono servizi specialistici', 'Presa in carico del servizio specialistico; Patto integrato con il progetto specialistico', 'progettazione', 4);

INSERT INTO analisi_servizio (codice, etichetta, ordine) VALUES
    ('sociale', 'Servizio sociale', 1),
    ('sanitario', 'Servizio sanitario', 2),
    ('serd', 'SerD (dipendenze)', 3),
    ('csm', 'CSM (salute mentale)', 4),
    ('npi', 'Neuropsichiatria infantile', 5),
    ('consultorio', 'Consultorio familiare', 6),
    ('disabilita', 'Servizi per la disabilità', 7),
    ('altro', 'Altro servizio', 8);

-- Rows are retired with valido_al (or attivo = false), never deleted: the
-- finalised schede refer to them by codice.
CREATE FUNCTION analisi_riferimento_non_cancellabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reference rows of the analisi preliminare are never deleted: set valido_al instead'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER analisi_area_non_cancellabile BEFORE DELETE ON analisi_area
    FOR EACH ROW EXECUTE FUNCTION analisi_riferimento_non_cancellabile();
CREATE TRIGGER analisi_motivo_non_cancellabile BEFORE DELETE ON analisi_motivo
    FOR EACH ROW EXECUTE FUNCTION analisi_riferimento_non_cancellabile();
CREATE TRIGGER analisi_percorso_non_cancellabile BEFORE DELETE ON analisi_percorso
    FOR EACH ROW EXECUTE FUNCTION analisi_riferimento_non_cancellabile();
CREATE TRIGGER analisi_esito_non_cancellabile BEFORE DELETE ON analisi_esito
    FOR EACH ROW EXECUTE FUNCTION analisi_riferimento_non_cancellabile();
CREATE TRIGGER analisi_servizio_non_cancellabile BEFORE DELETE ON analisi_servizio
    FOR EACH ROW EXECUTE FUNCTION analisi_riferimento_non_cancellabile();
