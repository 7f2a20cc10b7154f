-- Idempotency keys of the forms that create records (docs/adr/0012): a
-- key is consumed in the transaction of the write it asked for, so that the
-- same form sent again writes nothing twice. Keys are kept seven days
-- (registro.ConservazioneChiavi), then purged by the daily job.
CREATE TABLE richiesta_idempotente (
    operatore_id  uuid NOT NULL,
    percorso      text NOT NULL,        -- the path the form was posted to
    chiave        text NOT NULL,        -- the form's random key
    richiesta     text NOT NULL,        -- the request id that consumed it
    destinazione  text NOT NULL DEFAULT '', -- where its answer led, once known
    registrata_il timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (operatore_id, percorso, chiave)
);
CREATE INDEX richiesta_idempotente_registrata_idx ON richiesta_idempotente (registrata_il);
