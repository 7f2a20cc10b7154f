-- Versioned schede of a case (analisi preliminare, quadro di analisi, and
-- whatever scheda comes next): one row per version, its content as a JSON
-- document whose shape the owning package defines. A version is a draft
-- (bozza) until finalised; a finalised version (definitiva) never changes
-- (trigger below): reopening creates version n+1 as a draft copied from it.
-- revisione is the draft's optimistic lock, bumped by every save.
CREATE TABLE scheda (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id           uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    tipo              text NOT NULL CHECK (tipo ~ '^[a-z_]{1,40}$'),
    versione          integer NOT NULL CHECK (versione >= 1),
    stato             text NOT NULL DEFAULT 'bozza' CHECK (stato IN ('bozza', 'definitiva')),
    contenuto         jsonb NOT NULL DEFAULT '{}',
    esito             text NOT NULL DEFAULT '',
    revisione         integer NOT NULL DEFAULT 1,
    creata_da         uuid REFERENCES operatore (id),
    creata_il         timestamptz NOT NULL DEFAULT now(),
    aggiornata_da     uuid REFERENCES operatore (id),
    aggiornata_il     timestamptz NOT NULL DEFAULT now(),
    finalizzata_da    uuid REFERENCES operatore (id),
    finalizzata_il    timestamptz,
    motivo_riapertura text NOT NULL DEFAULT '',
    UNIQUE (caso_id, tipo, versione),
    CHECK ((stato = 'definitiva') = (finalizzata_il IS NOT NULL))
);
-- At most one draft per case and tipo.
CREATE UNIQUE INDEX scheda_bozza_idx ON scheda (caso_id, tipo) WHERE stato = 'bozza';

CREATE FUNCTION scheda_immutabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.stato <> 'definitiva' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM caso WHERE id = OLD.caso_id) THEN
        RETURN OLD; -- the case itself is being removed (cascade)
    END IF;
    RAISE EXCEPTION 'a finalised scheda never changes: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER scheda_definitiva BEFORE UPDATE OR DELETE ON scheda
    FOR EACH ROW EXECUTE FUNCTION scheda_immutabile();

-- The content of a draft at each of its revisions: when two people save the
-- same draft, the second is shown what the first changed since the revision
-- they loaded. Dropped when the draft is finalised (the version keeps the
-- final content).
CREATE TABLE scheda_revisione (
    scheda_id  uuid NOT NULL REFERENCES scheda (id) ON DELETE CASCADE,
    revisione  integer NOT NULL,
    contenuto  jsonb NOT NULL,
    salvata_da uuid REFERENCES operatore (id),
    salvata_il timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scheda_id, revisione)
);
