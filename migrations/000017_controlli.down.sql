-- campione: (first: it references controllo_campione)
DROP TABLE IF EXISTS controllo_campione_nucleo;

-- The segnalazione_tipo rows stay: tipo rows are never deleted (trigger),
-- and the up migration inserts them only when missing.
DROP INDEX IF EXISTS segnalazione_controlli_idx;
ALTER TABLE segnalazione DROP COLUMN IF EXISTS origine;
ALTER TABLE controllo_richiesta DROP CONSTRAINT IF EXISTS controllo_richiesta_importazione_fk;
ALTER TABLE controllo_richiesta DROP CONSTRAINT IF EXISTS controllo_richiesta_campione_fk;
DROP TABLE IF EXISTS controllo_importazione;
DROP TABLE IF EXISTS controllo_discrepanza;
DROP TABLE IF EXISTS controllo_campione;
DROP TABLE IF EXISTS controllo_esito;
DROP FUNCTION IF EXISTS controllo_esito_immutabile();
DROP TABLE IF EXISTS controllo_invio;
DROP TABLE IF EXISTS controllo_documento;
DROP TABLE IF EXISTS controllo_assenza;
DROP TABLE IF EXISTS controllo_periodo;
DROP TABLE IF EXISTS controllo_tappa;
DROP TABLE IF EXISTS controllo_richiesta;

-- esiti:
ALTER TABLE segnalazione_invio DROP COLUMN IF EXISTS origine;
