-- Links that let a customer choose a new password from a mail: kept only as the SHA-256 of their
-- token, valid for 30 minutes, used once.
CREATE TABLE password_resets (
    token_hash  VARCHAR(64) NOT NULL PRIMARY KEY,
    account_id  BIGINT      NOT NULL REFERENCES accounts (id),
    created_at  BIGINT      NOT NULL,
    expires_at  BIGINT      NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_account ON password_resets (account_id);
