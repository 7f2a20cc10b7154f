-- Équipe multidisciplinare of a case (domain.md §4) and the outbox of the
-- e-mails Cartella sends (internal/posta).
--
-- The case manager is the équipe's referente by definition: shown from
-- caso.case_manager_id, never stored as a member.

-- Outbox: every e-mail is written here inside the transaction that decides
-- to send it, then a worker delivers it with retries (docs/operations.md,
-- "Posta in uscita"). Generic: the équipe's convocazioni now, the patto
-- later. stato: in_coda (waiting, or waiting for a retry at
-- prossimo_tentativo), inviato (accepted by the SMTP server), errore (given
-- up after the last attempt), sink (demo and tests: delivered to the local
-- mail sink, never left the system).
CREATE TABLE posta_uscita (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id         text NOT NULL UNIQUE,
    destinatario       text NOT NULL,
    oggetto            text NOT NULL,
    corpo              text NOT NULL,
    allegato           bytea,
    allegato_nome      text NOT NULL DEFAULT '',
    allegato_mime      text NOT NULL DEFAULT '',
    caso_id            uuid REFERENCES caso (id) ON DELETE SET NULL,
    stato              text NOT NULL DEFAULT 'in_coda' CHECK (stato IN ('in_coda', 'inviato', 'errore', 'sink')),
    tentativi          integer NOT NULL DEFAULT 0,
    prossimo_tentativo timestamptz NOT NULL DEFAULT now(),
    errore             text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    inviato_at         timestamptz,
    CHECK ((allegato IS NULL) = (allegato_nome = ''))
);
-- The worker's queue: only the messages still to send.
CREATE INDEX posta_uscita_coda_idx ON posta_uscita (prossimo_tentativo) WHERE stato = 'in_coda';
CREATE INDEX posta_uscita_caso_idx ON posta_uscita (caso_id) WHERE caso_id IS NOT NULL;

-- Members of the équipe: professionals (nome, cognome, funzione, ente or
-- servizio, contacts) and the familiare referente, a member of the nucleo
-- (persona_id), with the period of their role. versione: optimistic locking.
CREATE TABLE equipe_membro (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id    uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    ruolo      text NOT NULL CHECK (ruolo IN ('componente', 'referente_servizio', 'esperto', 'familiare_referente')),
    persona_id uuid REFERENCES persona (id),
    nome       text NOT NULL,
    cognome    text NOT NULL,
    funzione   text NOT NULL DEFAULT '',
    ente       text NOT NULL DEFAULT '',
    email      text NOT NULL DEFAULT '',
    telefono   text NOT NULL DEFAULT '',
    dal        date NOT NULL DEFAULT current_date,
    al         date,
    versione   integer NOT NULL DEFAULT 1,
    created_by uuid NOT NULL REFERENCES operatore (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid NOT NULL REFERENCES operatore (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (al IS NULL OR al >= dal),
    CHECK ((ruolo = 'familiare_referente') = (persona_id IS NOT NULL))
);
CREATE INDEX equipe_membro_caso_idx ON equipe_membro (caso_id, dal);

-- A convocazione of the équipe: when and where, the agenda, and the extract
-- of the analisi preliminare exactly as it was sent (sezioni: the codes the
-- case manager chose; estratto: [{codice, titolo, testo}] at sending time).
CREATE TABLE equipe_convocazione (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    caso_id           uuid NOT NULL REFERENCES caso (id) ON DELETE CASCADE,
    inizio            timestamptz NOT NULL,
    luogo             text NOT NULL,
    ordine_del_giorno text NOT NULL DEFAULT '',
    sezioni           text[] NOT NULL,
    estratto          jsonb NOT NULL,
    stato             text NOT NULL DEFAULT 'inviata' CHECK (stato IN ('inviata', 'annullata')),
    created_by        uuid NOT NULL REFERENCES operatore (id),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX equipe_convocazione_caso_idx ON equipe_convocazione (caso_id, inizio DESC);

-- Who was invited, at which address, and the message that carried the
-- extract to them.
CREATE TABLE equipe_invito (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    convocazione_id uuid NOT NULL REFERENCES equipe_convocazione (id) ON DELETE CASCADE,
    membro_id       uuid NOT NULL REFERENCES equipe_membro (id),
    email           text NOT NULL,
    posta_id        bigint REFERENCES posta_uscita (id),
    UNIQUE (convocazione_id, membro_id)
);
CREATE INDEX equipe_invito_membro_idx ON equipe_invito (membro_id);
