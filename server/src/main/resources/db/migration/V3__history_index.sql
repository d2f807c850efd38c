-- History pages and their totals read only these columns of an account's rentals: with them all
-- in one index, a deep page or a count walks the index alone, not the table.
CREATE INDEX rentals_account_history ON rentals (account_id, rented_at, id, status, sms_count);
