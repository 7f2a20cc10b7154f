-- The operators and other people who took part in a monitoring meeting
-- besides the case manager and the members (domain.md §7, "partecipanti":
-- the équipe's professionals, the centro per l'impiego, the school...), as
-- the verbale lists them. Written when the meeting is recorded.
ALTER TABLE monitoraggio_incontro
    ADD COLUMN partecipanti text NOT NULL DEFAULT '' CHECK (length(partecipanti) <= 1000);
