-- Prestazioni sociali erogate and their PS-PSA-SINA flows to SIUSS (issue 18,
-- first slice; module internal/prestazioni). The XML schema is INPS's
-- docs/specs/inps-waas/PS_PSA_SINA201812.xsd: the CHECKs below repeat its
-- facets so that the table cannot hold what the schema refuses.

-- The catalogue of INPS prestazioni (`cartella import prestazioni FILE`,
-- docs/formats/prestazioni.md). A codice is never deleted: prestazioni refer
-- to it. area: the AreaUtenza it belongs to, '' when the file does not say.
CREATE TABLE prestazione_catalogo (
    codice         text PRIMARY KEY CHECK (codice ~ '^[A-Z0-9][A-Z0-9.]{4,9}$'),
    denominazione  text NOT NULL CHECK (char_length(denominazione) BETWEEN 10 AND 200),
    area           text NOT NULL DEFAULT '' CHECK (area IN ('', '1', '2', '3')),
    aggiornato_il  timestamptz NOT NULL DEFAULT now()
);

-- The ente erogatore of an ambito as the flows name it (EnteType of the
-- schema), set by the amministratore di ambito at /admin/siuss:
-- codice_ente is the code of INPS's access system (Codice, and the EEEEE of
-- id_flusso), belfiore the codice catastale of the ente's seat (Indirizzo).
-- ultimo_ts, giorno and progressivo are the ente's flow sequence: the row is
-- locked (FOR UPDATE) by every flow written, so that ts_flusso grows strictly
-- and the daily progressivo of id_flusso never repeats, whatever runs at the
-- same time.
CREATE TABLE siuss_ente (
    ambito_id      bigint PRIMARY KEY REFERENCES ambito (id),
    codice_ente    text NOT NULL CHECK (codice_ente ~ '^[A-Z0-9]{1,30}$'),
    belfiore       text NOT NULL CHECK (belfiore ~ '^[A-Z][0-9]{3}$'),
    denominazione  text NOT NULL CHECK (char_length(denominazione) BETWEEN 1 AND 100),
    cf_operatore   text NOT NULL CHECK (cf_operatore ~ '^([A-Z]{6}[0-9]{2}[A-Z][0-9]{2}[A-Z][A-Z0-9]{3}[A-Z]|[0-9]{11})$'),
    versione       integer NOT NULL DEFAULT 1,
    aggiornato_da  uuid REFERENCES operatore (id),
    aggiornato_il  timestamptz NOT NULL DEFAULT now(),
    ultimo_ts      timestamptz,
    giorno         date,
    progressivo    integer NOT NULL DEFAULT 0 CHECK (progressivo BETWEEN 0 AND 9999999)
);

-- A prestazione erogata to a person of a case (PrestazioniSocialiType), with
-- the SINA assessment (SINAType) when sina_mobilita is not ''. Amounts are
-- kept as typed-and-checked decimals. A correction rewrites the row
-- (versione + 1) and writes a C then an I flow; a cancellation sets
-- cancellata_il and writes a C flow.
CREATE TABLE prestazione (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id                uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    persona_id             uuid NOT NULL REFERENCES persona (id),
    codice                 text NOT NULL REFERENCES prestazione_catalogo (codice),
    denominazione          text NOT NULL CHECK (char_length(denominazione) BETWEEN 10 AND 200),
    carattere              text NOT NULL CHECK (carattere IN ('1', '2')),
    prova_mezzi            text NOT NULL CHECK (prova_mezzi IN ('1', '2', '3', '4')),
    dsu_protocollo         text NOT NULL DEFAULT '' CHECK (char_length(dsu_protocollo) <= 30),
    dsu_anno               text NOT NULL DEFAULT '' CHECK (dsu_anno ~ '^([0-9]{4})?$'),
    dsu_data               date,
    protocollo_domanda     text NOT NULL CHECK (char_length(protocollo_domanda) BETWEEN 1 AND 32),
    data_evento            date,
    data_inizio            date,
    data_fine              date,
    data_erogazione        date,
    importo                numeric(12, 2),
    periodo_erogazione     integer CHECK (periodo_erogazione BETWEEN 1 AND 12),
    importo_mensile        numeric(12, 2),
    quota_ente             numeric(12, 2),
    quota_utente           numeric(12, 2),
    quota_ssn              numeric(12, 2),
    quota_richiesta        numeric(12, 2),
    soglia_isee            numeric(12, 2),
    ore_mensili            numeric(6, 2),
    presa_carico           text NOT NULL CHECK (presa_carico IN ('1', '2')),
    area_utenza            text NOT NULL DEFAULT '' CHECK (area_utenza IN ('', '1', '2', '3')),
    sina_mobilita          text NOT NULL DEFAULT '' CHECK (sina_mobilita IN ('', '1', '2', '3')),
    sina_avq               text NOT NULL DEFAULT '' CHECK (sina_avq IN ('', '1', '2', '3')),
    sina_cognitivi         text NOT NULL DEFAULT '' CHECK (sina_cognitivi IN ('', '1', '2', '3')),
    sina_comportamentali   text NOT NULL DEFAULT '' CHECK (sina_comportamentali IN ('', '1', '2')),
    sina_cure              text NOT NULL DEFAULT '' CHECK (sina_cure IN ('', '1', '2', '3')),
    sina_reddituale        text NOT NULL DEFAULT '' CHECK (sina_reddituale IN ('', '1', '2', '3')),
    sina_supporto          text NOT NULL DEFAULT '' CHECK (sina_supporto IN ('', '1', '2', '3')),
    sina_fonte             text NOT NULL DEFAULT '' CHECK (sina_fonte IN ('', '1', '2', '3', '4')),
    sina_strumento         text NOT NULL DEFAULT '' CHECK (sina_strumento IN ('', '1', '2', '3', '4', '5', '6', '7')),
    sina_fonte_invalidita  text NOT NULL DEFAULT '' CHECK (sina_fonte_invalidita IN ('', '1', '2')),
    sina_invalidita        text[] NOT NULL DEFAULT '{}',
    sina_interventi        text[] NOT NULL DEFAULT '{}',
    versione               integer NOT NULL DEFAULT 1,
    registrato_da          uuid NOT NULL REFERENCES operatore (id),
    registrato_il          timestamptz NOT NULL DEFAULT now(),
    aggiornato_da          uuid REFERENCES operatore (id),
    aggiornato_il          timestamptz NOT NULL DEFAULT now(),
    cancellata_il          timestamptz,
    cancellata_da          uuid REFERENCES operatore (id)
);
CREATE INDEX prestazione_caso_idx ON prestazione (caso_id, registrato_il);

-- The flows, one per insertion (I), cancellation (C) or correction (C then
-- I), for one beneficiary and one prestazione, each validated against the
-- schema before it is written: a flow that would not validate is never
-- stored. stato: 'pronto' (offered to INPS's poll); the e-service slice adds
-- the outcomes. The XML is the exact bytes offered (base64 in GET /flussi).
CREATE TABLE prestazione_flusso (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ambito_id        bigint NOT NULL REFERENCES siuss_ente (ambito_id),
    prestazione_id   uuid NOT NULL REFERENCES prestazione (id) ON DELETE CASCADE,
    caso_id          uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    id_flusso        text NOT NULL UNIQUE CHECK (char_length(id_flusso) <= 50),
    tipo_operazione  text NOT NULL CHECK (tipo_operazione IN ('I', 'C')),
    ts_flusso        timestamptz NOT NULL,
    xml              bytea NOT NULL,
    stato            text NOT NULL DEFAULT 'pronto' CHECK (stato IN ('pronto', 'acquisito', 'scartato')),
    creato_da        uuid REFERENCES operatore (id),
    UNIQUE (ambito_id, ts_flusso)
);
CREATE INDEX prestazione_flusso_prestazione_idx ON prestazione_flusso (prestazione_id, ts_flusso);
