-- Transfer of a case to another comune or ambito (issue 4): the case keeps
-- its workflow state, history, diary and meetings, loses its case manager
-- and waits on the receiving coordinatore's board as "da assegnare".
--
-- Decision: the constraint is relaxed, not dropped. 000005 required a case
-- manager unless the case is 'ricevuto' or 'chiuso' (auto-named caso_check1,
-- verified in pg_constraint). A transferred case may now also be without a
-- case manager in any state: trasferito_il, set by every transfer and never
-- cleared, records the last one and is what the constraint allows on. A case
-- never transferred still needs its case manager past 'ricevuto'.
ALTER TABLE caso ADD COLUMN trasferito_il timestamptz;

ALTER TABLE caso DROP CONSTRAINT caso_check1;
ALTER TABLE caso ADD CONSTRAINT caso_case_manager_check
    CHECK (case_manager_id IS NOT NULL OR stato IN ('ricevuto', 'chiuso') OR trasferito_il IS NOT NULL);
