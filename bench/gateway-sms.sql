-- pgbench's side of bench/gateways.sh: what storing one inbound SMS takes, written by hand as one
-- transaction on tables shaped like ohmyotp's: the message's key recorded once (a repeat would
-- fail here), the rental holding the number locked, the SMS stored, the rental's newest SMS and
-- count moved, and the SMS's event written with a delivery for each of the account's webhook
-- endpoints (here none), as the push of codes needs.
\set num random(1, 200)
\set key random(1, 9000000000000000000)
BEGIN;
INSERT INTO b_seen (dedup_key, seen_at) VALUES ('g1:' || :key, 1);
SELECT id FROM b_rentals WHERE number_id = :num FOR UPDATE;
INSERT INTO b_sms (rental_id, sender, message, code, received_at)
  VALUES (:num, 'Uber', 'Your Uber code is 4821', '4821', 1);
UPDATE b_rentals SET last_sms_id = lastval(), sms_count = sms_count + 1 WHERE id = :num;
INSERT INTO b_events (account_id, rental_id, type, sms_id, created_at)
  VALUES (1, :num, 'sms.received', currval('b_sms_id_seq'), 1);
INSERT INTO b_deliveries (endpoint_id, event_id)
  SELECT e.id, currval('b_events_id_seq') FROM b_endpoints e WHERE e.account_id = 1;
COMMIT;
