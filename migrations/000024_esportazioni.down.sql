DROP TABLE esportazione_chiave;
DROP TABLE esportazione_blocco;
DROP TABLE esportazione;
