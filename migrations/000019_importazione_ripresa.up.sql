-- Crash recovery of the imports of the nuclei flow (issue 20).
-- interrotta: the process running the import stopped (crash, kill -9,
-- shutdown) before its end; the households confirmed until then stay,
-- with counters that match them, and the same file uploaded again picks
-- up where it stopped (ripresa_di links the new import to this one).
-- battito: the heartbeat of the process running the import; an import in
-- corso whose heartbeat is old belongs to no living process.
ALTER TABLE importazione DROP CONSTRAINT importazione_stato_check;
ALTER TABLE importazione ADD CONSTRAINT importazione_stato_check
    CHECK (stato IN ('in_corso', 'completata', 'fallita', 'interrotta'));
ALTER TABLE importazione ADD COLUMN battito timestamptz NOT NULL DEFAULT now();
ALTER TABLE importazione ADD COLUMN istanza uuid;
ALTER TABLE importazione ADD COLUMN ripresa_di bigint REFERENCES importazione (id);
-- Imports in corso from before this version have no heartbeat: the time
-- they started is the last sign of life known.
UPDATE importazione SET battito = iniziata_il;
CREATE INDEX importazione_in_corso_idx ON importazione (battito) WHERE stato = 'in_corso';
CREATE INDEX importazione_ripresa_idx ON importazione (ripresa_di) WHERE ripresa_di IS NOT NULL;
