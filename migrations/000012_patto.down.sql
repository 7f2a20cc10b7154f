DROP TABLE patto_sostegno_attuazione;
DROP TABLE patto_scansione;
DROP FUNCTION patto_scansione_immutabile();
DROP TABLE patto_impegno_area;
DROP TABLE patto_sostegno_tipo;
DROP FUNCTION patto_riferimento_non_cancellabile();
