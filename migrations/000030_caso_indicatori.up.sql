-- The cruscotto's narrow copy of the cases (issue 17 point 5; docs/indicatori.md,
-- docs/performance.md "The cruscotto at 200,000 households"). casi's indicators
-- read it instead of caso and domanda: one row per case with only the fields
-- they filter and group on, 17 MB at 200,000 cases against caso's 79 MB and
-- domanda's 47 MB. It is owned by casi and kept in step by the database: a
-- case inserted (one statement at a time, so that a COPY of the flow writes
-- it in one pass), a case whose scope, state, dates or motivo change (by casi
-- or by the modules that move a case's state), a domanda whose measure or PAD
-- changes, a case deleted. Nothing is scheduled.
CREATE TABLE caso_indicatori (
    caso_id         uuid PRIMARY KEY,         -- caso.id (no foreign key: its check would lock every new case's row)
    ambito_id       bigint NOT NULL,
    comune_id       bigint NOT NULL,
    stato           text NOT NULL,
    misura          text NOT NULL,            -- domanda.misura
    aperto_il       date NOT NULL,
    chiuso_il       date,
    motivo_chiusura text,
    data_pad        date                      -- domanda.data_pad
);
CREATE INDEX caso_indicatori_ambito_idx ON caso_indicatori (ambito_id, comune_id);
-- The cohort of the 120-day term (incontri's primo-incontro-120, through
-- casi.Service.CoortePAD).
CREATE INDEX caso_indicatori_pad_idx ON caso_indicatori (ambito_id, data_pad) WHERE data_pad IS NOT NULL;

INSERT INTO caso_indicatori (caso_id, ambito_id, comune_id, stato, misura, aperto_il, chiuso_il, motivo_chiusura, data_pad)
SELECT c.id, c.ambito_id, c.comune_id, c.stato, d.misura, c.aperto_il, c.chiuso_il, c.motivo_chiusura, d.data_pad
FROM caso c JOIN domanda d ON d.id = c.domanda_id;

-- New cases: once per statement, from the statement's rows. The domanda is
-- read by its key for each new case: the transition table has no
-- statistics, and a join let the planner scan all of domanda for every
-- batch of the flow's COPY (2,000 cases at 200,000 took 4.1 s, against
-- 1.1 s without the trigger and 1.4 s so).
CREATE FUNCTION caso_indicatori_inseriti() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO caso_indicatori (caso_id, ambito_id, comune_id, stato, misura, aperto_il, chiuso_il, motivo_chiusura, data_pad)
    SELECT c.id, c.ambito_id, c.comune_id, c.stato, (SELECT d.misura FROM domanda d WHERE d.id = c.domanda_id),
           c.aperto_il, c.chiuso_il, c.motivo_chiusura, (SELECT d.data_pad FROM domanda d WHERE d.id = c.domanda_id)
    FROM nuovi c;
    RETURN NULL;
END
$$;
CREATE TRIGGER caso_indicatori_insert AFTER INSERT ON caso
    REFERENCING NEW TABLE AS nuovi FOR EACH STATEMENT EXECUTE FUNCTION caso_indicatori_inseriti();

-- A case whose projected fields change (only those: the frequent writes of
-- versione and of the deadline columns leave the copy alone).
CREATE FUNCTION caso_indicatori_aggiorna() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE caso_indicatori
    SET ambito_id = NEW.ambito_id, comune_id = NEW.comune_id, stato = NEW.stato, aperto_il = NEW.aperto_il,
        chiuso_il = NEW.chiuso_il, motivo_chiusura = NEW.motivo_chiusura
    WHERE caso_id = NEW.id;
    IF OLD.domanda_id IS DISTINCT FROM NEW.domanda_id THEN
        UPDATE caso_indicatori k SET misura = d.misura, data_pad = d.data_pad
        FROM domanda d WHERE k.caso_id = NEW.id AND d.id = NEW.domanda_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER caso_indicatori_update AFTER UPDATE OF domanda_id, ambito_id, comune_id, stato, aperto_il, chiuso_il, motivo_chiusura ON caso
    FOR EACH ROW
    WHEN (OLD.domanda_id IS DISTINCT FROM NEW.domanda_id OR OLD.ambito_id IS DISTINCT FROM NEW.ambito_id
          OR OLD.comune_id IS DISTINCT FROM NEW.comune_id OR OLD.stato IS DISTINCT FROM NEW.stato
          OR OLD.aperto_il IS DISTINCT FROM NEW.aperto_il OR OLD.chiuso_il IS DISTINCT FROM NEW.chiuso_il
          OR OLD.motivo_chiusura IS DISTINCT FROM NEW.motivo_chiusura)
    EXECUTE FUNCTION caso_indicatori_aggiorna();

-- A case deleted (cases are not deleted today; the tables that hang on a
-- case go with it, and so does its row here).
CREATE FUNCTION caso_indicatori_tolti() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM caso_indicatori k USING tolti t WHERE k.caso_id = t.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER caso_indicatori_delete AFTER DELETE ON caso
    REFERENCING OLD TABLE AS tolti FOR EACH STATEMENT EXECUTE FUNCTION caso_indicatori_tolti();

-- A domanda whose measure or PAD changes (the import of the flow): its cases.
CREATE FUNCTION caso_indicatori_domanda() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE caso_indicatori k SET misura = NEW.misura, data_pad = NEW.data_pad
    FROM caso c
    WHERE c.domanda_id = NEW.id AND k.caso_id = c.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER caso_indicatori_domanda AFTER UPDATE OF misura, data_pad ON domanda
    FOR EACH ROW
    WHEN (OLD.misura IS DISTINCT FROM NEW.misura OR OLD.data_pad IS DISTINCT FROM NEW.data_pad)
    EXECUTE FUNCTION caso_indicatori_domanda();

-- casi-trasferiti reads the transfers of the period: without this it read
-- the whole history (docs/indicatori.md, "Indexes not added").
CREATE INDEX caso_storico_trasferito_idx ON caso_storico (quando) WHERE evento = 'trasferito';
