DROP TABLE convocazione_cpi;
DROP TABLE beneficio_rinnovo;
DROP TABLE beneficio;
DROP TABLE presentazione;
DELETE FROM operatore_ruolo WHERE ruolo = 'operatore_presentazioni';
ALTER TABLE operatore_ruolo DROP CONSTRAINT operatore_ruolo_ruolo_valido;
ALTER TABLE operatore_ruolo ADD CONSTRAINT operatore_ruolo_ruolo_valido CHECK (ruolo IN (
    'amministratore_sistema', 'amministratore_ambito', 'coordinatore_pais', 'case_manager',
    'coordinatore_controlli', 'responsabile_controlli', 'operatore_ats', 'gestore_rete', 'operatore_ente'));
