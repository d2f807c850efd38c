-- Inbound SMS seen, by their sender's message id or a hash of their signed post, so that a
-- message posted twice (a retry, a replay) is stored once. Forgotten after a week.
CREATE TABLE inbound_sms_seen (
    dedup_key  VARCHAR(120) PRIMARY KEY,
    seen_at    BIGINT       NOT NULL
);

CREATE INDEX inbound_sms_seen_seen_at ON inbound_sms_seen (seen_at);
