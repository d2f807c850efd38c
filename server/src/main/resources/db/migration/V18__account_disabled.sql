-- An operator may disable an account: it can no longer sign in or use a key, and its money stays.
ALTER TABLE accounts ADD COLUMN disabled_at BIGINT;
