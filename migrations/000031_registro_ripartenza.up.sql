-- The registro across a restore into a new cluster (ADR 0023, amendment
-- "Ripartenza"). A logical dump restored into another cluster starts
-- transaction ids again from the beginning, below the horizon of the last
-- lotto: the records written there would never be sealed. Each lotto now
-- notes the cluster that sealed it (sistema: pg_control_system()'s
-- system_identifier, the same after a physical or point-in-time restore, a
-- different one in every cluster initdb creates). When the sealer finds
-- itself in another cluster it writes, signed and chained like any other,
-- a lotto that opens a new sequence of transaction ids (ripartenza: the
-- highest record id sealed before it; every record written in the new
-- cluster has a higher one) and seals in it every record still unsealed.
-- Verify accepts a horizon that goes back only at such a lotto.
--
-- Lotti sealed before this migration keep sistema and ripartenza NULL and
-- their signature (lotto/v1); the new ones are signed over both (lotto/v2).
-- The grants of migration 000029 cover the new columns (INSERT and SELECT
-- only, for the application's role), and the append-only triggers stay.
ALTER TABLE registro_lotti
    ADD COLUMN sistema    bigint,  -- system_identifier of the cluster that sealed it (NULL before 000031)
    ADD COLUMN ripartenza bigint;  -- NULL, or on the lotto that opens a new sequence of transaction ids: the highest id sealed before it
ALTER TABLE registro_lotti
    ADD CONSTRAINT registro_lotti_ripartenza CHECK (ripartenza IS NULL OR sistema IS NOT NULL);
-- The sealer reads the newest ripartenza every time it seals.
CREATE INDEX registro_lotti_ripartenze_idx ON registro_lotti (lotto) WHERE ripartenza IS NOT NULL;
