DELETE FROM operatore_ruolo WHERE ruolo IN ('gestore_rete', 'operatore_ente');
ALTER TABLE operatore_ruolo DROP CONSTRAINT operatore_ruolo_portata;
ALTER TABLE operatore_ruolo DROP CONSTRAINT operatore_ruolo_ruolo_valido;
ALTER TABLE operatore_ruolo DROP COLUMN ente_id;
ALTER TABLE operatore_ruolo ADD CONSTRAINT operatore_ruolo_ruolo_check CHECK (ruolo IN (
    'amministratore_sistema', 'amministratore_ambito', 'coordinatore_pais',
    'case_manager', 'coordinatore_controlli', 'responsabile_controlli', 'operatore_ats'));
ALTER TABLE operatore_ruolo ADD CONSTRAINT operatore_ruolo_check1 CHECK (CASE ruolo
    WHEN 'amministratore_sistema' THEN ambito_id IS NULL AND comune_id IS NULL
    WHEN 'amministratore_ambito'  THEN ambito_id IS NOT NULL AND comune_id IS NULL
    WHEN 'operatore_ats'          THEN ambito_id IS NOT NULL AND comune_id IS NULL
    WHEN 'coordinatore_pais'      THEN ambito_id IS NOT NULL
    ELSE ambito_id IS NOT NULL AND comune_id IS NOT NULL
END);
DROP TABLE rete_invio_nota;
DROP TABLE rete_invio_stato;
DROP TABLE rete_invio;
DROP TABLE rete_protocollo_servizio;
DROP TABLE rete_protocollo_ente;
DROP TABLE rete_protocollo;
DROP TABLE rete_servizio_comune;
DROP TABLE rete_servizio;
DROP TABLE rete_ente_comune;
DROP TABLE rete_ente;
