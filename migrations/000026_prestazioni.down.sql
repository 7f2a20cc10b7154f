DROP TABLE prestazione_flusso;
DROP TABLE prestazione;
DROP TABLE siuss_ente;
DROP TABLE prestazione_catalogo;
