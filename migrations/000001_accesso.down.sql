DROP TABLE operatore_ruolo;
DROP TABLE operatore;
DROP TABLE comune;
DROP TABLE ambito;
