-- The day from which the case's deadlines may change with the passing of
-- days alone because a dated reason of exclusion or exemption of a member
-- starts or ends (issue 16; scadenze.Scadenze.Ricalcola): the daily refresh
-- (casi.AggiornaScadenze) picks the case up on that day.
ALTER TABLE caso ADD COLUMN ricalcola_il date;
CREATE INDEX caso_ricalcola_idx ON caso (ricalcola_il) WHERE ricalcola_il IS NOT NULL AND stato <> 'chiuso';
