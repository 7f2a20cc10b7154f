DROP INDEX siuss_ente_codice_idx;
UPDATE prestazione_flusso SET stato = 'pronto' WHERE stato = 'offerto';
ALTER TABLE prestazione_flusso DROP CONSTRAINT prestazione_flusso_stato_check;
ALTER TABLE prestazione_flusso
    DROP CONSTRAINT prestazione_flusso_ts_ms_check,
    DROP COLUMN offerto_il,
    DROP COLUMN offerte,
    DROP COLUMN codice_esito,
    DROP COLUMN descrizione_esito,
    DROP COLUMN id_acquisizione_siuss,
    DROP COLUMN ts_acquisizione,
    DROP COLUMN esito_il,
    ADD CONSTRAINT prestazione_flusso_stato_check CHECK (stato IN ('pronto', 'acquisito', 'scartato'));
