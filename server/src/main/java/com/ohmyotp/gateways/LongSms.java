package com.ohmyotp.gateways;

import com.ohmyotp.db.Database;
import java.util.List;
import java.util.Optional;

/**
 * The parts of long SMS that their sender posts one by one, kept until the last one is here, then
 * joined in order. A part posted twice is kept once. Parts never completed are forgotten after a
 * day.
 */
public final class LongSms {

  /** How long an incomplete SMS's parts are kept. */
  static final long KEEP_SECONDS = 86_400;

  private final Database db;

  public LongSms(Database db) {
    this.db = db;
  }

  /**
   * Keeps a part; the whole text once every part is here, empty before. Two nodes given the last
   * two parts at once may both answer the whole text: the caller stores it under a key of the long
   * SMS, which keeps it once.
   */
  public Optional<String> add(
      int gatewayId, String ref, Inbound.Part part, String from, String to, String text, long at) {
    String key = ref.length() > 100 ? ref.substring(0, 100) : ref;
    db.inTransaction(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO sms_parts (gateway_id, ref, part, total, sender, recipient, text,
                        received_at)
                    SELECT :g, :ref, :part, :total, :from, :to, :text, :at
                    WHERE NOT EXISTS (SELECT 1 FROM sms_parts
                                      WHERE gateway_id = :g AND ref = :ref AND part = :part)
                    """)
                .bind("g", gatewayId)
                .bind("ref", key)
                .bind("part", part.number())
                .bind("total", part.total())
                .bind("from", from)
                .bind("to", to)
                .bind("text", text)
                .bind("at", at)
                .execute());
    // Read after the part's own commit: of two last parts committed at once, the later reader
    // sees both.
    List<String> texts =
        db.read(
            h ->
                h.createQuery(
                        "SELECT text FROM sms_parts WHERE gateway_id = :g AND ref = :ref ORDER BY part")
                    .bind("g", gatewayId)
                    .bind("ref", key)
                    .mapTo(String.class)
                    .list());
    if (texts.size() < part.total()) {
      return Optional.empty();
    }
    return Optional.of(String.join("", texts));
  }

  /** Forgets the parts of a long SMS once it is stored. */
  public void done(int gatewayId, String ref) {
    String key = ref.length() > 100 ? ref.substring(0, 100) : ref;
    db.inTransaction(
        h ->
            h.createUpdate("DELETE FROM sms_parts WHERE gateway_id = :g AND ref = :ref")
                .bind("g", gatewayId)
                .bind("ref", key)
                .execute());
  }

  /** Forgets parts of SMS never completed; returns how many. */
  public int forgetOld(long now) {
    return db.inTransaction(
        h ->
            h.createUpdate("DELETE FROM sms_parts WHERE received_at < :cutoff")
                .bind("cutoff", now - KEEP_SECONDS)
                .execute());
  }
}
