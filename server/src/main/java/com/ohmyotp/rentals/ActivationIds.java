package com.ohmyotp.rentals;

import com.ohmyotp.db.Database;

/**
 * Numeric ids for rentals, which clients of the SMS-Activate protocol parse as integers: unique
 * across nodes, from 2^32 (so that a client reading them into 32 bits fails in its own tests, not
 * in production) to below 2^53 (so that JavaScript reads them exactly). Each node takes a block of
 * {@value #BLOCK} ids at a time from one database sequence, so renting costs no round trip for it.
 */
public final class ActivationIds {

  /** The first id of all. */
  public static final long FIRST = 1L << 32;

  /** How many ids a node takes from the sequence at a time. */
  public static final int BLOCK = 1000;

  private final Database db;
  private long next;
  private long end;

  public ActivationIds(Database db) {
    this.db = db;
  }

  /** A new id, never handed out before by any node. */
  public synchronized long next() {
    if (next == end) {
      long block =
          db.read(
              h ->
                  h.createQuery(
                          switch (db.dialect()) {
                            case POSTGRESQL -> "SELECT nextval('activation_id_blocks')";
                            case H2 -> "SELECT NEXT VALUE FOR activation_id_blocks";
                          })
                      .mapTo(Long.class)
                      .one());
      next = FIRST + block * BLOCK;
      end = next + BLOCK;
    }
    return next++;
  }
}
