DROP TABLE scheda_revisione;
DROP TABLE scheda;
DROP FUNCTION scheda_immutabile();
