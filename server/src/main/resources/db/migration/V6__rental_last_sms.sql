-- Each rental's newest SMS, kept on the rental by the transaction that stores the SMS, so that a
-- poll or a history page joins one message by its key instead of finding the newest of each
-- rental's messages.
ALTER TABLE rentals ADD COLUMN last_sms_id BIGINT;

UPDATE rentals
SET last_sms_id = (SELECT MAX(m.id) FROM sms_messages m WHERE m.rental_id = rentals.id)
WHERE sms_count > 0;
