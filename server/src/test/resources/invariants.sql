-- What must be true of the data whatever happened before: races, several nodes, a database
-- outage, a crash. Each check lists the rows that break it; every check must return no row.
-- Read by the tests (support/Invariants) and by bench/soak.sh (through psql). Runs on H2 and
-- PostgreSQL alike. A rental holds its number from rented_at until its cancellation, or else
-- until the end of its window; it must be refunded iff it expired or was cancelled before any SMS.

-- check: a number held by two rentals at once
SELECT n.e164 || ': ' || a.id || ' and ' || b.id FROM rentals a
JOIN rentals b ON b.number_id = a.number_id AND a.id < b.id
JOIN phone_numbers n ON n.id = a.number_id
WHERE a.rented_at < CASE WHEN b.status = 'cancelled' THEN b.ended_at ELSE b.expires_at END
  AND b.rented_at < CASE WHEN a.status = 'cancelled' THEN a.ended_at ELSE a.expires_at END;

-- check: a balance that is not the sum of its transactions, or is negative
SELECT 'account ' || a.id || ': balance ' || a.balance || ', transactions ' || COALESCE(SUM(t.amount), 0)
FROM accounts a LEFT JOIN transactions t ON t.account_id = a.id
GROUP BY a.id, a.balance
HAVING a.balance <> COALESCE(SUM(t.amount), 0) OR a.balance < 0;

-- check: a rental not charged exactly once, for its cost, to its account
SELECT r.id || ': ' || COUNT(t.id) || ' charges' FROM rentals r
LEFT JOIN transactions t ON t.rental_id = r.id AND t.type = 'rental_charge'
GROUP BY r.id, r.cost, r.account_id
HAVING COUNT(t.id) <> 1 OR SUM(t.amount) <> -r.cost OR MIN(t.account_id) <> r.account_id;

-- check: a rental refunded when it should not be, twice, or not in full
SELECT r.id || ' (' || r.status || ', ' || r.sms_count || ' sms): ' || COUNT(t.id) || ' refunds of '
    || COALESCE(SUM(t.amount), 0)
FROM rentals r LEFT JOIN transactions t ON t.rental_id = r.id AND t.type = 'refund'
GROUP BY r.id, r.status, r.sms_count, r.cost
HAVING COUNT(t.id) <> CASE WHEN r.status = 'expired' OR (r.status = 'cancelled' AND r.sms_count = 0) THEN 1 ELSE 0 END
    OR COALESCE(SUM(t.amount), 0) <> CASE WHEN r.status = 'expired' OR (r.status = 'cancelled' AND r.sms_count = 0)
        THEN r.cost ELSE 0 END;

-- check: a rental whose status, count, used flag or newest message disagrees with its messages
SELECT r.id || ' (' || r.status || '): sms_count ' || r.sms_count || ', messages ' || COUNT(m.id)
    || ', last_sms_id ' || COALESCE(r.last_sms_id, 0) || ', newest ' || COALESCE(MAX(m.id), 0)
    || ', used ' || CASE WHEN r.used THEN 'true' ELSE 'false' END
FROM rentals r LEFT JOIN sms_messages m ON m.rental_id = r.id
GROUP BY r.id, r.status, r.sms_count, r.last_sms_id, r.used
HAVING r.sms_count <> COUNT(m.id)
    OR r.used <> (r.sms_count > 0)
    OR COALESCE(r.last_sms_id, 0) <> COALESCE(MAX(m.id), 0)
    OR (r.status = 'completed' AND r.sms_count = 0)
    OR (r.status IN ('active', 'expired') AND r.sms_count > 0);

-- check: a transaction for a rental of another account, or of no rental
SELECT 'transaction ' || t.id FROM transactions t LEFT JOIN rentals r ON r.id = t.rental_id
WHERE t.rental_id IS NOT NULL AND (r.id IS NULL OR r.account_id <> t.account_id);

-- check: an account whose rental counts disagree with its rentals
SELECT 'account ' || a.id || ': counted ' || COALESCE(c.active, 0) || '/' || COALESCE(c.completed, 0) || '/'
    || COALESCE(c.expired, 0) || '/' || COALESCE(c.cancelled, 0) || '/' || COALESCE(c.cancelled_used, 0)
    || ', found ' || SUM(CASE WHEN r.status = 'active' THEN 1 ELSE 0 END) || '/'
    || SUM(CASE WHEN r.status = 'completed' THEN 1 ELSE 0 END) || '/'
    || SUM(CASE WHEN r.status = 'expired' THEN 1 ELSE 0 END) || '/'
    || SUM(CASE WHEN r.status = 'cancelled' AND r.sms_count = 0 THEN 1 ELSE 0 END) || '/'
    || SUM(CASE WHEN r.status = 'cancelled' AND r.sms_count > 0 THEN 1 ELSE 0 END)
FROM accounts a
LEFT JOIN rentals r ON r.account_id = a.id
LEFT JOIN account_rentals c ON c.account_id = a.id
GROUP BY a.id, c.active, c.completed, c.expired, c.cancelled, c.cancelled_used
HAVING COALESCE(c.active, 0) <> SUM(CASE WHEN r.status = 'active' THEN 1 ELSE 0 END)
    OR COALESCE(c.completed, 0) <> SUM(CASE WHEN r.status = 'completed' THEN 1 ELSE 0 END)
    OR COALESCE(c.expired, 0) <> SUM(CASE WHEN r.status = 'expired' THEN 1 ELSE 0 END)
    OR COALESCE(c.cancelled, 0) <> SUM(CASE WHEN r.status = 'cancelled' AND r.sms_count = 0 THEN 1 ELSE 0 END)
    OR COALESCE(c.cancelled_used, 0) <> SUM(CASE WHEN r.status = 'cancelled' AND r.sms_count > 0 THEN 1 ELSE 0 END);

-- check: a rental whose number was first rented for its service by another account, or by none
-- (only the first renter may rent it again, so history may take a rental as proof of it; a
-- provider's number is the provider's to give, and never rented again here)
SELECT r.id || ': number ' || r.number_id || ', service ' || r.service_id || ', first renter '
    || COALESCE(u.account_id, 0) || ', renter ' || r.account_id
FROM rentals r LEFT JOIN number_usage u ON u.number_id = r.number_id AND u.service_id = r.service_id
WHERE (u.account_id IS NULL OR u.account_id <> r.account_id)
  AND NOT EXISTS (SELECT 1 FROM upstream_rentals ur WHERE ur.rental_id = r.id);

-- check: a source's counted numbers that disagree with its numbers, or a retired number counted
SELECT 'source ' || source || ': counted ' || SUM(counted) || ', found ' || SUM(found)
FROM (SELECT source, numbers AS counted, 0 AS found FROM source_numbers
      UNION ALL SELECT source, 0, 1 FROM phone_numbers WHERE counted) x
GROUP BY source
HAVING SUM(counted) <> SUM(found)
UNION ALL
SELECT 'number ' || e164 || ' is retired and counted' FROM phone_numbers WHERE counted AND retired_at IS NOT NULL;

-- check: a service's count of counted numbers rented for it that disagrees with their uses
SELECT 'service ' || service_id || ': counted ' || SUM(counted) || ', found ' || SUM(found)
FROM (SELECT service_id, numbers AS counted, 0 AS found FROM service_usage
      UNION ALL SELECT u.service_id, 0, 1 FROM number_usage u
                JOIN phone_numbers p ON p.id = u.number_id WHERE p.counted) x
GROUP BY service_id
HAVING SUM(counted) <> SUM(found);
