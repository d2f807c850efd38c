-- Whether a rental has received an SMS, for the history's "used" filter. It changes once, with the
-- first SMS, where sms_count changes with every one: with sms_count in the history's index, every
-- SMS rewrote each of the rental's index entries; with this flag there instead, a later SMS
-- updates the rental in place (on PostgreSQL, a heap-only update that touches no index).
ALTER TABLE rentals ADD COLUMN used BOOLEAN DEFAULT FALSE NOT NULL;

UPDATE rentals SET used = TRUE WHERE sms_count > 0;

CREATE INDEX rentals_account_pages ON rentals (account_id, rented_at, id, status, used);

DROP INDEX rentals_account_history;
