DROP TABLE analisi_servizio;
DROP TABLE analisi_esito;
DROP TABLE analisi_percorso;
DROP TABLE analisi_motivo;
DROP TABLE analisi_area;
DROP FUNCTION analisi_riferimento_non_cancellabile();
