-- Quadro di analisi (domain.md §5): the reference lists it uses, the
-- dimensions and the scales. The quadro itself is a versioned scheda of
-- internal/schede (tipo 'quadro_analisi').
--
-- The lists are data, not code, so that the official lists (the QdA
-- allegato of DM 72/2024) can replace them (docs/operations.md, "Tabelle di
-- riferimento del quadro di analisi"): a row is offered in new schede while
-- attivo and valido_dal <= today <= valido_al; rows are never deleted, so
-- that old versions keep their labels.

-- Dimensions: livello 'nucleo' (area Ambiente e famiglia, the nucleo is the
-- unit) or 'persona' (area Bisogni e risorse della persona, each member);
-- solo_minori: offered only for members under 18; eta_minima: offered only
-- from that age (NULL: any age).
CREATE TABLE quadro_dimensione (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice      text NOT NULL CHECK (codice ~ '^[a-z0-9_]{1,40}$'),
    etichetta   text NOT NULL,
    descrizione text NOT NULL DEFAULT '',
    livello     text NOT NULL CHECK (livello IN ('nucleo', 'persona')),
    solo_minori boolean NOT NULL DEFAULT false,
    eta_minima  integer CHECK (eta_minima BETWEEN 0 AND 120),
    ordine      integer NOT NULL DEFAULT 0,
    attivo      boolean NOT NULL DEFAULT true,
    valido_dal  date NOT NULL DEFAULT '2019-01-01',
    valido_al   date,
    UNIQUE (codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);

-- Scales of each dimension's assessment (§5.3): scala 'bisogno' (need
-- level), 'risorse' (resources / protective factors), 'fonte' (who
-- reported). For bisogno and risorse, valore orders the levels.
CREATE TABLE quadro_scala (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scala      text NOT NULL CHECK (scala IN ('bisogno', 'risorse', 'fonte')),
    codice     text NOT NULL CHECK (codice ~ '^[a-z0-9_]{1,40}$'),
    etichetta  text NOT NULL,
    valore     integer,
    ordine     integer NOT NULL DEFAULT 0,
    attivo     boolean NOT NULL DEFAULT true,
    valido_dal date NOT NULL DEFAULT '2019-01-01',
    valido_al  date,
    UNIQUE (scala, codice, valido_dal),
    CHECK (valido_al IS NULL OR valido_al >= valido_dal)
);

CREATE FUNCTION quadro_riferimento_non_cancellabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reference rows of the quadro di analisi are never deleted: set valido_al instead'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER quadro_dimensione_non_cancellabile BEFORE DELETE ON quadro_dimensione
    FOR EACH ROW EXECUTE FUNCTION quadro_riferimento_non_cancellabile();
CREATE TRIGGER quadro_scala_non_cancellabile BEFORE DELETE ON quadro_scala
    FOR EACH ROW EXECUTE FUNCTION quadro_riferimento_non_cancellabile();

-- domain.md §5.2 [C for the family dimensions; I for the personal ones].
INSERT INTO quadro_dimensione (codice, etichetta, descrizione, livello, solo_minori, ordine) VALUES
    ('economica', 'Situazione economica', 'Redditi, spese, debiti, gestione del bilancio familiare.', 'nucleo', false, 1),
    ('abitativa', 'Condizione abitativa', 'Titolo e adeguatezza dell''alloggio, rischio di perdita della casa, utenze.', 'nucleo', false, 2),
    ('cura_assistenza', 'Bisogni di cura e carico di assistenza', 'Familiari non autosufficienti o con disabilità e carico di cura che ne deriva.', 'nucleo', false, 3),
    ('cura_minori', 'Bisogni di cura di bambini e ragazzi', 'Accudimento, conciliazione, servizi per l''infanzia e l''adolescenza.', 'nucleo', false, 4),
    ('reti', 'Reti familiari, di prossimità e sociali', 'Parenti, vicinato, associazioni e servizi su cui il nucleo può contare.', 'nucleo', false, 5),
    ('funzionamenti', 'Condizioni e funzionamenti personali e sociali', 'Salute, disabilità, dipendenze, salute mentale, autonomia nella vita quotidiana.', 'persona', false, 11),
    ('istruzione', 'Istruzione, formazione e competenze', 'Titolo di studio, competenze linguistiche e digitali, formazione in corso.', 'persona', false, 12),
    ('lavoro', 'Lavoro e occupabilità', 'Condizione occupazionale, esperienze, disponibilità e ostacoli al lavoro.', 'persona', false, 13),
    ('sviluppo_minore', 'Sviluppo, frequenza scolastica e relazioni del minore', 'Crescita, frequenza e rendimento scolastico, relazioni con i pari e con gli adulti.', 'persona', true, 14);

-- domain.md §5.3 [I: to be checked against the QdA allegato of DM 72/2024].
INSERT INTO quadro_scala (scala, codice, etichetta, valore, ordine) VALUES
    ('bisogno', 'assente', 'Assente', 0, 1),
    ('bisogno', 'lieve', 'Lieve', 1, 2),
    ('bisogno', 'moderato', 'Moderato', 2, 3),
    ('bisogno', 'grave', 'Grave o critico', 3, 4),
    ('risorse', 'nessuna', 'Nessuna', 0, 1),
    ('risorse', 'scarse', 'Scarse', 1, 2),
    ('risorse', 'discrete', 'Discrete', 2, 3),
    ('risorse', 'buone', 'Buone', 3, 4),
    ('fonte', 'famiglia', 'Famiglia', NULL, 1),
    ('fonte', 'operatore', 'Operatore del servizio sociale', NULL, 2),
    ('fonte', 'specialistico', 'Servizio specialistico', NULL, 3),
    ('fonte', 'equipe', 'Équipe multidisciplinare', NULL, 4),
    ('fonte', 'altro', 'Altra fonte', NULL, 5);

-- Work is assessed from the end of compulsory schooling.
UPDATE quadro_dimensione SET eta_minima = 16 WHERE codice = 'lavoro';
