-- Website sign-ins. The cookie carries a random token; only its SHA-256 is stored here, so a
-- copy of this table lets nobody in.
CREATE TABLE web_sessions (
    token_hash       VARCHAR(64)    NOT NULL PRIMARY KEY,
    account_id       BIGINT         NOT NULL REFERENCES accounts (id),
    created_at       BIGINT         NOT NULL,
    last_seen_at     BIGINT         NOT NULL,
    expires_at       BIGINT         NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions (account_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
