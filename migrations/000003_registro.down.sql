DROP TABLE registro_accessi;
DROP FUNCTION registro_accessi_append_only();
