-- Patto per l'inclusione sociale (domain.md §6). The patto itself is a
-- versioned scheda of internal/schede (tipo 'patto'): a finalised version is
-- a signed one and never changes. This migration adds its reference lists
-- (the catalogue of sostegni, the areas of the impegni), the signed scans and
-- the progress of the sostegni after signing, which is not part of the
-- signed version.
--
-- The lists are data, not code (docs/operations.md, "Catalogo dei sostegni
-- e aree degli impegni del patto"): a row is offered in new drafts while
-- attivo and valido_dal <= today <= valido_al; rows are never deleted, so
-- that signed versions keep their labels and codes.

-- Catalogue of the sostegni (§6.3), with the columns to load the official
-- classification (nomenclatore degli interventi e servizi sociali, §12.4):
-- nomenclatore_codice and nomenclatore_versione are what the national
-- records carry; macrolivello is the FNPS macrolivello (1–5, '' when none);
-- tirocinio marks the tirocini di inclusione, which the FSL "Invio sostegni"
-- names apart.
CREATE TABLE patto_sostegno_tipo (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice                text NOT NULL CHECK (codice ~ '^[a-z0-9_]{1,40}$'),
    etichetta             text NOT NULL,
    descrizione           text NOT NULL DEFAULT '',
    macrolivello          text NOT NULL DEFAULT '',
    nomenclatore_codice   text NOT NULL DEFAULT '',
    nomenclatore_versione text NOT NULL DEFAULT '',
    tirocinio             boolean NOT NULL DEFAULT false,
    ordine                integer NOT NULL DEFAULT 0,
    attivo                boolean NOT NULL DEFAULT true,
    valido_dal            date NOT NULL DEFAULT '2019-01-01',
    valido_al             date,
    UNIQUE (codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal),
    CHECK ((nomenclatore_codice = '') = (nomenclatore_versione = ''))
);

-- Areas of the impegni (§6.2).
CREATE TABLE patto_impegno_area (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice      text NOT NULL CHECK (codice ~ '^[a-z0-9_]{1,40}$'),
    etichetta   text NOT NULL,
    descrizione text NOT NULL DEFAULT '',
    ordine      integer NOT NULL DEFAULT 0,
    attivo      boolean NOT NULL DEFAULT true,
    valido_dal  date NOT NULL DEFAULT '2019-01-01',
    valido_al   date,
    UNIQUE (codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);

CREATE FUNCTION patto_riferimento_non_cancellabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reference rows of the patto are never deleted: set valido_al instead'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER patto_sostegno_tipo_non_cancellabile BEFORE DELETE ON patto_sostegno_tipo
    FOR EACH ROW EXECUTE FUNCTION patto_riferimento_non_cancellabile();
CREATE TRIGGER patto_impegno_area_non_cancellabile BEFORE DELETE ON patto_impegno_area
    FOR EACH ROW EXECUTE FUNCTION patto_riferimento_non_cancellabile();

-- domain.md §6.3 [C for the types; I for the macrolivelli]. The nomenclatore
-- codes are empty until the official list is loaded (docs/operations.md).
INSERT INTO patto_sostegno_tipo (codice, etichetta, descrizione, macrolivello, tirocinio, ordine) VALUES
    ('segretariato_sociale', 'Segretariato sociale', 'Informazione e orientamento.', '1', false, 1),
    ('servizio_sociale_professionale', 'Servizio sociale professionale', 'Presa in carico da parte dell''assistente sociale.', '1', false, 2),
    ('socio_educativo', 'Sostegno socio-educativo domiciliare o territoriale', 'Anche gestione delle spese e del bilancio familiare.', '2', false, 3),
    ('assistenza_domiciliare', 'Assistenza domiciliare socio-assistenziale e servizi di prossimità', '', '2', false, 4),
    ('genitorialita', 'Sostegno alla genitorialità e mediazione familiare', '', '3', false, 5),
    ('mediazione_culturale', 'Mediazione culturale', '', '1', false, 6),
    ('pronto_intervento', 'Pronto intervento sociale', '', '1', false, 7),
    ('sanitario', 'Interventi e servizi di natura sanitaria', 'Servizi sanitari e socio-sanitari (consultorio, servizi per le dipendenze, salute mentale).', '', false, 8),
    ('politiche_lavoro', 'Politiche attive del lavoro', 'Orientamento, formazione, accompagnamento al lavoro.', '5', false, 9),
    ('tirocinio_inclusione', 'Tirocinio finalizzato all''inclusione sociale, all''autonomia e alla riabilitazione', '', '5', true, 10),
    ('istruzione', 'Interventi per l''istruzione', 'Sostegno scolastico, iscrizione a corsi, educazione degli adulti.', '', false, 11),
    ('altro', 'Altro intervento', 'Descrivilo nelle note.', '', false, 99);

-- domain.md §6.2.
INSERT INTO patto_impegno_area (codice, etichetta, descrizione, ordine) VALUES
    ('contatti_servizi', 'Contatti con i servizi', 'Incontri con il case manager e con i servizi: almeno uno ogni 90 giorni.', 1),
    ('ricerca_lavoro', 'Ricerca attiva di lavoro', 'Ricerca attiva e disponibilità al lavoro, rapporti con il centro per l''impiego.', 2),
    ('frequenza_scolastica', 'Frequenza e impegno scolastico', 'Frequenza regolare della scuola o dei corsi da parte dei minori e degli adulti iscritti.', 3),
    ('salute', 'Salute e prevenzione', 'Comportamenti di prevenzione e cura indicati dai professionisti sanitari.', 4),
    ('puc_volontariato', 'Progetti utili alla collettività o volontariato', 'PUC del comune o attività di volontariato con enti del terzo settore.', 5),
    ('altro', 'Altro impegno', '', 99);

-- The signed scan of a version signed on paper: PDF, JPEG or PNG (checked
-- on the content, not the name), at most 10 MB. Kept as long as the case;
-- never changed.
CREATE TABLE patto_scansione (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id     uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    versione    integer NOT NULL CHECK (versione >= 1),
    nome        text NOT NULL CHECK (length(nome) BETWEEN 1 AND 255),
    mime        text NOT NULL CHECK (mime IN ('application/pdf', 'image/jpeg', 'image/png')),
    dimensione  integer NOT NULL CHECK (dimensione BETWEEN 1 AND 10485760),
    contenuto   bytea NOT NULL,
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    caricata_da uuid NOT NULL REFERENCES operatore (id),
    caricata_il timestamptz NOT NULL DEFAULT now(),
    UNIQUE (caso_id, versione),
    CHECK (octet_length(contenuto) = dimensione)
);

CREATE FUNCTION patto_scansione_immutabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM caso WHERE id = OLD.caso_id) THEN
        RETURN OLD; -- the case itself is being removed (cascade)
    END IF;
    RAISE EXCEPTION 'the signed scan of a patto never changes: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER patto_scansione_immutabile BEFORE UPDATE OR DELETE ON patto_scansione
    FOR EACH ROW EXECUTE FUNCTION patto_scansione_immutabile();

-- Progress of a sostegno after signing (§6.3): its state with the reason,
-- the actual dates. One row per sostegno of the case (sostegno_id is the
-- stable ID of the patto's content, kept across versions), created
-- 'proposto' when a version with that sostegno is signed. versione:
-- optimistic locking.
CREATE TABLE patto_sostegno_attuazione (
    caso_id         uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    sostegno_id     text NOT NULL CHECK (sostegno_id ~ '^[0-9a-f-]{36}$'),
    stato           text NOT NULL DEFAULT 'proposto'
                    CHECK (stato IN ('proposto', 'attivato', 'in_corso', 'concluso', 'non_attivato')),
    motivo          text NOT NULL DEFAULT '',
    avvio_effettivo date,
    fine_effettiva  date,
    versione        integer NOT NULL DEFAULT 1,
    updated_by      uuid REFERENCES operatore (id),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caso_id, sostegno_id),
    CHECK (fine_effettiva IS NULL OR avvio_effettivo IS NULL OR fine_effettiva >= avvio_effettivo),
    CHECK (stato <> 'non_attivato' OR motivo <> '')
);
