DROP TABLE quadro_scala;
DROP TABLE quadro_dimensione;
DROP FUNCTION quadro_riferimento_non_cancellabile();
