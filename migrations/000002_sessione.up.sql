-- Server-side sessions. The cookie carries a random token; only its SHA-256
-- is stored, so a copy of this table cannot be replayed as cookies.
CREATE TABLE sessione (
    token_hash    bytea PRIMARY KEY,
    operatore_id  uuid NOT NULL REFERENCES operatore (id) ON DELETE CASCADE,
    ruolo_id      bigint REFERENCES operatore_ruolo (id) ON DELETE SET NULL,
    id_token      text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessione_expires_idx ON sessione (expires_at);
CREATE INDEX sessione_operatore_idx ON sessione (operatore_id);

-- OpenID Connect logins in progress: state, nonce and PKCE verifier are kept
-- here, keyed by the hash of a short-lived cookie, never in the browser.
CREATE TABLE sessione_login (
    token_hash  bytea PRIMARY KEY,
    state       text NOT NULL,
    nonce       text NOT NULL,
    verifier    text NOT NULL,
    return_to   text NOT NULL DEFAULT '/',
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sessione_login_expires_idx ON sessione_login (expires_at);
