-- Optional two-factor sign-in: an RFC 6238 secret per account (sealed with the secrets key), the
-- last time step a code was taken at (so no code works twice), and single-use recovery codes kept
-- as hashes.
CREATE TABLE two_factor (
    account_id     BIGINT       NOT NULL PRIMARY KEY REFERENCES accounts (id),
    secret_sealed  VARCHAR(255) NOT NULL,
    enabled_at     BIGINT,
    last_step      BIGINT       NOT NULL DEFAULT 0
);
CREATE TABLE recovery_codes (
    account_id  BIGINT      NOT NULL REFERENCES accounts (id),
    code_hash   VARCHAR(64) NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (account_id, code_hash)
);
