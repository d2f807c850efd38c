-- Card payments refunded in Stripe come off the balance: the payment's PaymentIntent finds it,
-- and how much of it has been taken back so far keeps a refund from being counted twice.
ALTER TABLE card_payments ADD COLUMN payment_intent VARCHAR(255);
ALTER TABLE card_payments ADD COLUMN refunded DECIMAL(19, 4) NOT NULL DEFAULT 0;
CREATE INDEX card_payments_payment_intent ON card_payments (payment_intent);
