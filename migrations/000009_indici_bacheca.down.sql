DROP INDEX caso_da_assegnare_idx;
DROP INDEX caso_bacheca_idx;
