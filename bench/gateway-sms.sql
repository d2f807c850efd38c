-- pgbench's side of bench/gateways.sh: what storing one inbound SMS takes, written by hand as one
-- transaction on tables shaped like ohmyotp's: the message's key recorded once (a repeat would
-- fail here), the rental holding the number locked, the SMS stored, the rental's newest SMS and
-- count moved.
\set num random(1, 200)
\set key random(1, 9000000000000000000)
BEGIN;
INSERT INTO b_seen (dedup_key, seen_at) VALUES ('g1:' || :key, 1);
SELECT id FROM b_rentals WHERE number_id = :num FOR UPDATE;
INSERT INTO b_sms (rental_id, sender, message, code, received_at)
  VALUES (:num, 'Uber', 'Your Uber code is 4821', '4821', 1);
UPDATE b_rentals SET last_sms_id = lastval(), sms_count = sms_count + 1 WHERE id = :num;
COMMIT;
