DROP TABLE sessione_login;
DROP TABLE sessione;
