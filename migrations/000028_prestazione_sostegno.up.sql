-- A sostegno of the signed patto that is also a prestazione sociale erogata
-- is recorded once, not twice (issue 18): the prestazione names the
-- sostegno it is (its ID within the patto's content, patto.Sostegno.ID).
-- One sostegno is at most one live prestazione of its case: a cancelled
-- prestazione (cancellata_il set) frees it, so it can be linked again.
ALTER TABLE prestazione
    ADD COLUMN sostegno_id text CHECK (sostegno_id IS NULL OR char_length(sostegno_id) BETWEEN 1 AND 64);

CREATE UNIQUE INDEX prestazione_sostegno_idx ON prestazione (caso_id, sostegno_id)
    WHERE sostegno_id IS NOT NULL AND cancellata_il IS NULL;
