-- Restores 000005's rule under its original name. It fails while a
-- transferred case waits without a case manager past 'ricevuto': assign
-- (or close) those cases first; refusing is better than losing the state.
ALTER TABLE caso DROP CONSTRAINT caso_case_manager_check;
ALTER TABLE caso ADD CONSTRAINT caso_check1
    CHECK (case_manager_id IS NOT NULL OR stato IN ('ricevuto', 'chiuso'));
ALTER TABLE caso DROP COLUMN trasferito_il;
