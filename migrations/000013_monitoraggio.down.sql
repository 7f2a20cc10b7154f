DROP TABLE monitoraggio_impegno;
DROP TABLE monitoraggio_obiettivo;
DROP TABLE monitoraggio_incontro;
