-- What the available counts of /services start from, kept in the same transactions that change
-- it, so that a count reads a few hundred rows instead of every number and every past use of one.
-- A number is counted while it is neither retired nor past its expiry (the sweep takes expired
-- numbers out of the counts). Each count is spread over a few rows (stripes) so that concurrent
-- rentals of one service rarely wait for each other's row; a count is the sum of its stripes.
ALTER TABLE phone_numbers ADD COLUMN counted BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE phone_numbers SET counted = FALSE WHERE retired_at IS NOT NULL;

-- The counted numbers of each source.
CREATE TABLE source_numbers (
    source           VARCHAR(20)    NOT NULL,
    stripe           SMALLINT       NOT NULL,
    numbers          BIGINT         NOT NULL,
    PRIMARY KEY (source, stripe)
);
INSERT INTO source_numbers (source, stripe, numbers)
SELECT source, 0, COUNT(*) FROM phone_numbers WHERE counted GROUP BY source;

-- The counted numbers rented for each service before (their number_usage rows).
CREATE TABLE service_usage (
    service_id       INT            NOT NULL REFERENCES services (id),
    stripe           SMALLINT       NOT NULL,
    numbers          BIGINT         NOT NULL,
    PRIMARY KEY (service_id, stripe)
);
INSERT INTO service_usage (service_id, stripe, numbers)
SELECT u.service_id, 0, COUNT(*) FROM number_usage u JOIN phone_numbers p ON p.id = u.number_id
WHERE p.counted GROUP BY u.service_id;

-- The counted numbers that expire soon (and those the sweep has yet to take out of the counts).
CREATE INDEX phone_numbers_counted_expiry ON phone_numbers (counted, expires_at);
