-- Generator for bench/scale.sh: grows the rentals of an ohmyotp PostgreSQL database to
-- :target rows, in the shapes real traffic leaves behind (60% completed with an SMS, 25%
-- expired, 15% cancelled; one account in ten is the heavy customer the benchmark reads as), with
-- their charges, messages and number usage. Needs the catalog, numbers and accounts of scale.sh.
-- The rows below are consistent by construction: their foreign keys are not checked one row at a
-- time (replica mode skips the checking triggers; the benchmark connects as a superuser).
SET session_replication_role = replica;
SELECT COUNT(*) AS have FROM rentals \gset
SELECT MIN(id) AS first_number, COUNT(*) AS numbers FROM phone_numbers \gset
SELECT COUNT(*) AS accounts FROM accounts \gset
SELECT COUNT(*) AS services FROM services \gset
SELECT EXTRACT(EPOCH FROM now())::BIGINT AS now \gset
-- Activation ids as the server hands them out: blocks of 1,000 from activation_id_blocks, taken
-- here for all the new rows at once, so that the server's next block comes after them.
SELECT nextval('activation_id_blocks') AS first_block \gset
SELECT setval('activation_id_blocks', :first_block + (:target - :have) / 1000 + 1) AS last_block \gset

CREATE TEMP TABLE batch AS
SELECT gen_random_uuid()::TEXT AS id,
       4294967296 + :first_block * 1000 + (g - :have - 1) AS activation_id,
       CASE WHEN g % 10 = 0 THEN :heavy ELSE 1 + (g * 7919) % :accounts END AS account_id,
       1 + (g * 104729) % :services AS service_id,
       :first_number + (g * 15485863) % :numbers AS number_id,
       CASE WHEN g % 20 < 12 THEN 'completed' WHEN g % 20 < 17 THEN 'expired' ELSE 'cancelled' END AS status,
       :now - 86400 * 90 + (g * 7777) % (86400 * 89) AS rented_at
FROM generate_series((:have + 1)::BIGINT, (:target)::BIGINT) g;

INSERT INTO rentals (id, activation_id, account_id, service_id, number_id, status, cost, rerent,
                     rented_at, expires_at, ended_at, refund_amount, sms_count)
SELECT id, activation_id, account_id, service_id, number_id, status, 0.25, FALSE, rented_at,
       rented_at + 600,
       CASE WHEN status = 'cancelled' THEN rented_at + 120 WHEN status = 'expired' THEN rented_at + 600 END,
       CASE WHEN status = 'completed' THEN NULL ELSE 0.25 END,
       CASE WHEN status = 'completed' THEN 1 ELSE 0 END
FROM batch;

INSERT INTO sms_messages (rental_id, sender, message, code, received_at)
SELECT id, 'Uber', 'Your Uber code is 482913. Never share this code.', '482913', rented_at + 40
FROM batch WHERE status = 'completed';
-- Each rental's newest SMS, as the server records it when one arrives (V6).
UPDATE rentals r SET last_sms_id = m.id
FROM sms_messages m JOIN batch b ON b.id = m.rental_id
WHERE r.id = m.rental_id;

INSERT INTO transactions (account_id, type, amount, rental_id, service_id, created_at)
SELECT account_id, 'rental_charge', -0.25, id, service_id, rented_at FROM batch;
INSERT INTO transactions (account_id, type, amount, rental_id, service_id, created_at)
SELECT account_id, 'refund', 0.25, id, service_id, rented_at + 600 FROM batch WHERE status <> 'completed';

INSERT INTO number_usage (number_id, service_id, account_id, first_rented_at)
SELECT DISTINCT ON (number_id, service_id) number_id, service_id, account_id, rented_at
FROM batch ORDER BY number_id, service_id, rented_at
ON CONFLICT DO NOTHING;

-- The per-account rental counts the server keeps as it goes (V5), recounted for the new rows.
INSERT INTO account_rentals (account_id, active, completed, expired, cancelled, cancelled_used)
SELECT account_id,
       SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'expired' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END),
       0  -- the generated cancellations never had an SMS
FROM batch GROUP BY account_id
ON CONFLICT (account_id) DO UPDATE SET
  active = account_rentals.active + EXCLUDED.active,
  completed = account_rentals.completed + EXCLUDED.completed,
  expired = account_rentals.expired + EXCLUDED.expired,
  cancelled = account_rentals.cancelled + EXCLUDED.cancelled,
  cancelled_used = account_rentals.cancelled_used + EXCLUDED.cancelled_used;

DROP TABLE batch;

-- The inventory counts the server keeps as it goes (V7), recounted: the numbers and services
-- were inserted by scale.sh, and the number usage above.
DELETE FROM source_numbers;
INSERT INTO source_numbers (source, stripe, numbers)
SELECT source, 0, COUNT(*) FROM phone_numbers WHERE counted GROUP BY source;
DELETE FROM service_usage;
INSERT INTO service_usage (service_id, stripe, numbers)
SELECT u.service_id, 0, COUNT(*) FROM number_usage u JOIN phone_numbers p ON p.id = u.number_id
WHERE p.counted GROUP BY u.service_id;
-- What autovacuum does on a live system: statistics, and the visibility map index-only scans need.
VACUUM ANALYZE;
-- And what the checkpointer would have done in the background long before: without it, the
-- writing of the bulk load's pages lands in the middle of the measurements.
CHECKPOINT;
