package com.ohmyotp.payments;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.db.Database;
import com.ohmyotp.ledger.Ledger;
import com.ohmyotp.ledger.Money;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Prepaid vouchers: the operator issues codes worth an amount, a customer redeems one into a
 * deposit. A code is shown once when issued and kept only as its SHA-256 (it carries 80 random
 * bits, so no slower hash is needed); redeeming marks it used and credits the balance in one
 * transaction, so a code pays once however many redeem it at the same moment.
 */
public final class Vouchers {

  /** The most codes issued in one request. */
  public static final int MAX_COUNT = 1000;

  /** The largest amount one voucher may carry. */
  public static final Money MAX_AMOUNT = Money.of("100000");

  /** Letters and digits that cannot be mistaken for one another when typed from a card. */
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final Ledger ledger;
  private final Clock clock;

  public Vouchers(Database db, Ledger ledger, Clock clock) {
    this.db = db;
    this.ledger = ledger;
    this.clock = clock;
  }

  /** A voucher redeemed: what it added and the balance after. */
  public record Redeemed(Money amount, Money balance) {}

  /**
   * Issues {@code count} codes worth {@code amount} each, all or none.
   *
   * @throws ApiException 400 for an amount or count out of range
   */
  public List<String> issue(Money amount, int count) {
    if (amount == null || !amount.isPositive() || amount.compareTo(MAX_AMOUNT) > 0) {
      throw ApiException.badRequest(
          "invalid_amount",
          "'amount' must be more than 0 and at most " + MAX_AMOUNT.display() + ".");
    }
    if (count < 1 || count > MAX_COUNT) {
      throw ApiException.badRequest(
          "invalid_field", "'count' must be from 1 to " + MAX_COUNT + ".");
    }
    long now = clock.instant().getEpochSecond();
    List<String> codes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      codes.add(newCode());
    }
    db.inTransaction(
        h -> {
          var batch =
              h.prepareBatch(
                  "INSERT INTO vouchers (code_hash, last4, amount, created_at)"
                      + " VALUES (:hash, :last4, :amount, :now)");
          for (String code : codes) {
            String plain = normalize(code);
            batch
                .bind("hash", hash(plain))
                .bind("last4", plain.substring(plain.length() - 4))
                .bind("amount", amount.amount())
                .bind("now", now)
                .add();
          }
          return batch.execute();
        });
    return codes;
  }

  /**
   * Redeems a code into a deposit on the account, with a ledger note naming the voucher.
   *
   * @throws ApiException 404 {@code voucher_not_found} for a code never issued, 409 {@code
   *     voucher_used} for one already redeemed
   */
  public Redeemed redeem(long accountId, String code) {
    String plain = normalize(code);
    String hash = hash(plain);
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h -> {
          int taken =
              h.createUpdate(
                      "UPDATE vouchers SET redeemed_by = :account, redeemed_at = :now"
                          + " WHERE code_hash = :hash AND redeemed_at IS NULL")
                  .bind("account", accountId)
                  .bind("now", now)
                  .bind("hash", hash)
                  .execute();
          if (taken == 0) {
            boolean issued =
                h.createQuery("SELECT COUNT(*) FROM vouchers WHERE code_hash = :hash")
                        .bind("hash", hash)
                        .mapTo(Integer.class)
                        .one()
                    > 0;
            throw issued
                ? ApiException.conflict("voucher_used", "This voucher has been redeemed already.")
                : ApiException.notFound("voucher_not_found", "There is no such voucher.");
          }
          Money amount =
              Money.of(
                  h.createQuery("SELECT amount FROM vouchers WHERE code_hash = :hash")
                      .bind("hash", hash)
                      .mapTo(java.math.BigDecimal.class)
                      .one());
          ledger.deposit(
              h, accountId, amount, "voucher …" + plain.substring(plain.length() - 4), now);
          return new Redeemed(amount, ledger.balance(h, accountId));
        });
  }

  /** A code as it is printed: {@code OMO-XXXX-XXXX-XXXX-XXXX}, 80 random bits. */
  private static String newCode() {
    StringBuilder code = new StringBuilder("OMO");
    for (int group = 0; group < 4; group++) {
      code.append('-');
      for (int i = 0; i < 4; i++) {
        code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
      }
    }
    return code.toString();
  }

  /**
   * A code as typed, in the one form it is stored by: capitals, no spaces or dashes, the prefix
   * optional. Anything not of that shape is a code never issued.
   */
  static String normalize(String code) {
    if (code == null) {
      throw ApiException.badRequest("missing_field", "Field 'code' is required.");
    }
    String plain = code.strip().toUpperCase(Locale.ROOT).replaceAll("[\\s-]", "");
    if (plain.startsWith("OMO")) {
      plain = plain.substring(3);
    }
    if (!plain.matches("[A-Z0-9]{16}")) {
      throw ApiException.notFound("voucher_not_found", "There is no such voucher.");
    }
    return plain;
  }

  static String hash(String plain) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(plain.getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
