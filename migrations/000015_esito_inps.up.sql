-- The outcome INPS returns for a sent segnalazione (domain.md §8.3,
-- esito_inps): acquisita, or scartata with the reason INPS gave. The
-- coordinatore PaIS records it on the export batch's page or on the
-- segnalazione's page; a correction overwrites these columns under
-- optimistic locking (versione), and every esito recorded or corrected is
-- also a row of segnalazione_stato (da = a = the current state), so that
-- nothing is lost. The content-frozen trigger of 000014 does not look at
-- these columns: recording an esito does not change what was sent.
ALTER TABLE segnalazione
    ADD COLUMN esito_inps_nota text NOT NULL DEFAULT '',
    ADD COLUMN esito_inps_il   date,
    ADD COLUMN esito_inps_da   uuid REFERENCES operatore (id);

ALTER TABLE segnalazione
    ADD CONSTRAINT segnalazione_esito_inps_valore CHECK (esito_inps IN ('', 'acquisita', 'scartata')),
    -- A scartata always says why: the case manager corrects it from that.
    ADD CONSTRAINT segnalazione_esito_inps_motivo CHECK (esito_inps <> 'scartata' OR btrim(esito_inps_nota) <> ''),
    -- An esito is only of a segnalazione that was sent, with its day and who recorded it.
    ADD CONSTRAINT segnalazione_esito_inps_registrato CHECK (esito_inps = '' OR (
        stato IN ('inviata', 'rettificata') AND esito_inps_il IS NOT NULL AND esito_inps_da IS NOT NULL)),
    ADD CONSTRAINT segnalazione_esito_inps_vuoto CHECK (esito_inps <> '' OR (
        esito_inps_nota = '' AND esito_inps_il IS NULL AND esito_inps_da IS NULL)),
    ADD CONSTRAINT segnalazione_esito_inps_nota_lunghezza CHECK (length(esito_inps_nota) <= 2000);

-- The coordinatore's count of scartate not yet rectified.
CREATE INDEX segnalazione_scartate_idx ON segnalazione (ambito_id, comune_id) WHERE esito_inps = 'scartata' AND stato = 'inviata';
-- The segnalazioni of an export batch, by number.
CREATE INDEX segnalazione_invio_idx ON segnalazione (invio_id, numero) WHERE invio_id IS NOT NULL;
