-- pgbench's side of bench/rent-cancel.sh: the same cycle written by hand as two transactions on
-- tables shaped like ohmyotp's. Rent: a conditional debit, claim a free number, insert the rental
-- and its charge. Cancel: lock the rental, release it and its number, refund, insert the refund.
\set acct random(1, 100)
\set rid random(1, 9000000000000000000)
BEGIN;
UPDATE b_accounts SET balance = balance - 0.25 WHERE id = :acct AND balance >= 0.25;
SELECT id AS num FROM b_numbers WHERE held_by IS NULL LIMIT 1 FOR UPDATE SKIP LOCKED \gset
UPDATE b_numbers SET held_by = :rid WHERE id = :num;
INSERT INTO b_rentals (id, account_id, number_id, status, cost) VALUES (:rid, :acct, :num, 'active', 0.25);
INSERT INTO b_transactions (account_id, type, amount, rental_id) VALUES (:acct, 'rental_charge', -0.25, :rid);
COMMIT;
BEGIN;
SELECT status FROM b_rentals WHERE id = :rid FOR UPDATE;
UPDATE b_rentals SET status = 'cancelled' WHERE id = :rid AND status = 'active';
UPDATE b_numbers SET held_by = NULL WHERE id = :num;
UPDATE b_accounts SET balance = balance + 0.25 WHERE id = :acct;
INSERT INTO b_transactions (account_id, type, amount, rental_id) VALUES (:acct, 'refund', 0.25, :rid);
COMMIT;
