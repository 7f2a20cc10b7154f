-- The e-service INPS polls (issue 18, second slice: "Consultazione Flussi
-- SIUSS – WaaS", docs/specs/inps-waas/api-comuni.yaml), served by
-- internal/prestazioni at /waas/v1 behind a PDND voucher.
--
-- GET /flussi?since= compares since (Unix milliseconds) with ts_flusso: every
-- ts_flusso is a whole millisecond (the service truncates it, and the CHECK
-- below makes it a rule), so the comparison ts_flusso > since is exact and no
-- flow is skipped or offered twice.
--
-- stato: pronto (written, not yet served), offerto (served by GET /flussi,
-- waiting for INPS's esito), acquisito (esito OK), scartato (any other esito,
-- with INPS's description). offerto_il is the first time it was served,
-- offerte how many times.
ALTER TABLE prestazione_flusso DROP CONSTRAINT prestazione_flusso_stato_check;
ALTER TABLE prestazione_flusso
    ADD CONSTRAINT prestazione_flusso_stato_check CHECK (stato IN ('pronto', 'offerto', 'acquisito', 'scartato')),
    ADD CONSTRAINT prestazione_flusso_ts_ms_check CHECK (date_trunc('milliseconds', ts_flusso) = ts_flusso),
    ADD COLUMN offerto_il            timestamptz,
    ADD COLUMN offerte               integer NOT NULL DEFAULT 0,
    ADD COLUMN codice_esito          text CHECK (codice_esito IN ('OK', 'DATI_NON_TROVATI', 'RICHIESTA_INVALIDA', 'ERRORE_GENERICO')),
    ADD COLUMN descrizione_esito     text NOT NULL DEFAULT '' CHECK (char_length(descrizione_esito) <= 4000),
    ADD COLUMN id_acquisizione_siuss text NOT NULL DEFAULT '' CHECK (char_length(id_acquisizione_siuss) <= 100),
    ADD COLUMN ts_acquisizione       timestamptz,
    ADD COLUMN esito_il              timestamptz;

-- The e-service serves one ente, named by its code in INPS's access system
-- (SIUSS_CODICE_ENTE): two ambiti cannot share it (their id_flusso would
-- collide too).
CREATE UNIQUE INDEX siuss_ente_codice_idx ON siuss_ente (codice_ente);
