-- How many rentals each account has in each stored status, kept in the same transactions that
-- change the rentals, so that a history page's total is one row read instead of a count of the
-- account's rentals. A cancelled rental is counted apart when an SMS had arrived before, because
-- "used" (sms_count > 0) is a history filter too: active and expired rentals never have an SMS,
-- completed ones always do.
CREATE TABLE account_rentals (
    account_id       BIGINT         NOT NULL PRIMARY KEY REFERENCES accounts (id),
    active           BIGINT         NOT NULL DEFAULT 0,
    completed        BIGINT         NOT NULL DEFAULT 0,
    expired          BIGINT         NOT NULL DEFAULT 0,
    cancelled        BIGINT         NOT NULL DEFAULT 0,
    cancelled_used   BIGINT         NOT NULL DEFAULT 0
);

INSERT INTO account_rentals (account_id, active, completed, expired, cancelled, cancelled_used)
SELECT account_id,
       SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'expired' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'cancelled' AND sms_count = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'cancelled' AND sms_count > 0 THEN 1 ELSE 0 END)
FROM rentals
GROUP BY account_id;
