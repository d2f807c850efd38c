-- A fresh-number search walks one source's numbers in id order from a random starting point and
-- stops at the first few that qualify; (source, id) serves that walk directly. The old
-- (source, held_until) index made every claim and release rewrite an index entry, and let the
-- planner pick a walk over all of a source's numbers followed by a sort.
CREATE INDEX phone_numbers_source_id ON phone_numbers (source, id);
DROP INDEX phone_numbers_source;

-- (account_id, rented_at, id) is a prefix of rentals_account_history (V3), which serves every
-- query it served; one index fewer to write on every rental.
DROP INDEX rentals_account_rented;

-- No query looks rentals up by number (an inbound SMS finds its rental through the number's
-- hold), so this index only cost a write on every rental.
DROP INDEX rentals_number;
