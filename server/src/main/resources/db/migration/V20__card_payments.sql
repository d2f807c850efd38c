-- Card top-ups through Stripe Checkout: one row per session created, credited once when Stripe's
-- signed event says it is paid.
CREATE TABLE card_payments (
    session_id   VARCHAR(255)   NOT NULL PRIMARY KEY,
    account_id   BIGINT         NOT NULL REFERENCES accounts (id),
    amount       DECIMAL(19, 4) NOT NULL,
    created_at   BIGINT         NOT NULL,
    credited_at  BIGINT
);
CREATE INDEX card_payments_account ON card_payments (account_id);
