-- The coordinatore's board lists the open cases of an ambito overdue first
-- (urgenza, numero) and pages by keyset: measured at 200,000 cases
-- (docs/performance.md), the ambito index of 000005 could not serve the
-- order. The second index serves "solo da assegnare", usually a small part
-- of the ambito's cases.
CREATE INDEX caso_bacheca_idx ON caso (ambito_id, urgenza NULLS LAST, numero) WHERE stato <> 'chiuso';
CREATE INDEX caso_da_assegnare_idx ON caso (ambito_id, urgenza NULLS LAST, numero) WHERE stato <> 'chiuso' AND case_manager_id IS NULL;
