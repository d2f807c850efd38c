package com.ohmyotp.accounts;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.FailureBudget;
import com.ohmyotp.crypto.SecretBox;
import com.ohmyotp.db.Database;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.commons.codec.binary.Base32;

/**
 * Optional two-factor sign-in to the website: RFC 6238 codes from an authenticator app (SHA-1, six
 * digits, 30 s, as every app reads an {@code otpauth://} QR code), or one of ten single-use
 * recovery codes for a lost phone.
 *
 * <p>The secret is sealed with the secrets key before it is stored. A code is taken once: the
 * account keeps the last time step a code was accepted at and takes only a later one, through a
 * conditional update, so a code seen over a shoulder or replayed does not sign in again, on any
 * node. Wrong codes are limited per account: five, then one a minute.
 */
public final class TwoFactor {

  /** How long a password-checked sign-in waits for its code. */
  public static final Duration PENDING = Duration.ofMinutes(5);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final SecretBox box;
  private final Clock clock;
  private final FailureBudget wrongCodes = new FailureBudget(5, Duration.ofMinutes(1));

  public TwoFactor(Database db, SecretBox box, Clock clock) {
    this.db = db;
    this.box = box;
    this.clock = clock;
  }

  /** Whether the account signs in with a code as well as its password. */
  public boolean enabled(long accountId) {
    return storedSecret(accountId, true).isPresent();
  }

  /** The account's sealed secret, of the kind asked: turned on, or begun and not yet confirmed. */
  private Optional<String> storedSecret(long accountId, boolean turnedOn) {
    return db.read(h -> storedSecretIn(h, accountId, turnedOn));
  }

  private static Optional<String> storedSecretIn(
      org.jdbi.v3.core.Handle h, long accountId, boolean turnedOn) {
    return h.createQuery(
            "SELECT secret_sealed FROM two_factor WHERE account_id = :id AND enabled_at IS"
                + (turnedOn ? " NOT NULL" : " NULL"))
        .bind("id", accountId)
        .mapTo(String.class)
        .findOne();
  }

  /** How many of the account's recovery codes are still unused. */
  public int recoveryCodesLeft(long accountId) {
    return db.read(
        h ->
            h.createQuery(
                    "SELECT COUNT(*) FROM recovery_codes WHERE account_id = :id AND used_at IS NULL")
                .bind("id", accountId)
                .mapTo(Integer.class)
                .one());
  }

  /**
   * A new secret for an account that has none on yet, replacing any set-up not finished.
   *
   * @throws ApiException 409 {@code two_factor_on} when two-factor sign-in is on already
   */
  public AuthenticatorApp.Setup begin(long accountId, String email) {
    byte[] secret = new byte[20];
    RANDOM.nextBytes(secret);
    String base32 = new Base32().encodeToString(secret).replace("=", "");
    String stored = box.seal(base32);
    // Two set-ups begun at once (a double click) both insert; the one that finds the other's row
    // begins again over it.
    for (int attempt = 1; ; attempt++) {
      try {
        replaceUnconfirmed(accountId, stored);
        break;
      } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
        if (attempt == 2) {
          throw e;
        }
      }
    }
    return AuthenticatorApp.setup(base32, email);
  }

  private void replaceUnconfirmed(long accountId, String stored) {
    db.inTransaction(
        h -> {
          if (storedSecretIn(h, accountId, true).isPresent()) {
            throw ApiException.conflict("two_factor_on", "Two-factor sign-in is on already.");
          }
          h.createUpdate("DELETE FROM two_factor WHERE account_id = :id")
              .bind("id", accountId)
              .execute();
          return h.createUpdate(
                  "INSERT INTO two_factor (account_id, secret_sealed) VALUES (:id, :sealed)")
              .bind("id", accountId)
              .bind("sealed", stored)
              .execute();
        });
  }

  /** The set-up of a secret begun and not yet confirmed, to show again after a wrong code. */
  public Optional<AuthenticatorApp.Setup> pending(long accountId, String email) {
    return storedSecret(accountId, false)
        .map(stored -> AuthenticatorApp.setup(box.open(stored), email));
  }

  /**
   * Turns two-factor sign-in on once a code from the app proves it holds the secret begun.
   *
   * @return the recovery codes, shown this once
   * @throws ApiException 400 {@code invalid_code} for a wrong code, 409 when nothing was begun
   */
  public List<String> enable(long accountId, String code) {
    String stored =
        storedSecret(accountId, false)
            .orElseThrow(
                () ->
                    ApiException.conflict(
                        "two_factor_not_begun", "Start the set-up again from the account page."));
    Optional<Long> step = AuthenticatorApp.stepOf(box.open(stored), code, clock.instant());
    if (step.isEmpty()) {
      throw ApiException.badRequest(
          "invalid_code", "That code is not the one the app shows now; try the next one.");
    }
    List<String> codes = RecoveryCodes.issue();
    long now = clock.instant().getEpochSecond();
    db.inTransaction(
        h -> {
          int turnedOn =
              h.createUpdate(
                      "UPDATE two_factor SET enabled_at = :now, last_step = :step"
                          + " WHERE account_id = :id AND enabled_at IS NULL")
                  .bind("now", now)
                  .bind("step", step.get())
                  .bind("id", accountId)
                  .execute();
          if (turnedOn == 0) {
            throw ApiException.conflict("two_factor_on", "Two-factor sign-in is on already.");
          }
          RecoveryCodes.replace(h, accountId, codes);
          return turnedOn;
        });
    return codes;
  }

  /**
   * Turns two-factor sign-in off; the caller has checked the password, and a code is needed too.
   *
   * @throws ApiException 400 {@code invalid_code} for a wrong code
   */
  public void disable(long accountId, String code) {
    requireCode(accountId, code);
    turnOff(accountId);
  }

  /** Turns two-factor sign-in off with no code: the operator's way, for a customer locked out. */
  public void turnOff(long accountId) {
    db.inTransaction(
        h -> {
          h.createUpdate("DELETE FROM recovery_codes WHERE account_id = :id")
              .bind("id", accountId)
              .execute();
          return h.createUpdate("DELETE FROM two_factor WHERE account_id = :id")
              .bind("id", accountId)
              .execute();
        });
  }

  /**
   * Ten new recovery codes in place of the old ones, for a code from the app or a recovery code.
   *
   * @throws ApiException 400 {@code invalid_code} for a wrong code
   */
  public List<String> replaceRecoveryCodes(long accountId, String code) {
    requireCode(accountId, code);
    List<String> codes = RecoveryCodes.issue();
    db.inTransaction(
        h -> {
          RecoveryCodes.replace(h, accountId, codes);
          return null;
        });
    return codes;
  }

  /**
   * Takes a code for the account: from the app (each time step once) or a recovery code (once).
   *
   * @throws ApiException 400 {@code invalid_code} for a wrong or used code, 429 after five wrong
   *     ones
   */
  public void requireCode(long accountId, String code) {
    String key = Long.toString(accountId);
    Optional<Duration> wait = wrongCodes.waitFor(key);
    if (wait.isPresent()) {
      throw ApiException.tooManyRequests(
          "Too many wrong codes; try again in " + Math.max(1, wait.get().toSeconds()) + " s.",
          wait.get());
    }
    if (!takeCode(accountId, code == null ? "" : code)) {
      wrongCodes.failed(key);
      throw ApiException.badRequest(
          "invalid_code", "That code is not right, or has been used already.");
    }
  }

  private boolean takeCode(long accountId, String code) {
    Optional<String> stored = storedSecret(accountId, true);
    if (stored.isEmpty()) {
      return false;
    }
    Optional<Long> step = AuthenticatorApp.stepOf(box.open(stored.get()), code, clock.instant());
    if (step.isPresent()) {
      return db.inTransaction(
              h ->
                  h.createUpdate(
                          "UPDATE two_factor SET last_step = :step"
                              + " WHERE account_id = :id AND last_step < :step")
                      .bind("step", step.get())
                      .bind("id", accountId)
                      .execute())
          == 1;
    }
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(h -> RecoveryCodes.take(h, accountId, code, now));
  }

  /**
   * A sealed note that an account's password was right, for the sign-in's second step: it names the
   * account and when it lapses, and only this service can make or read one.
   */
  public String pendingSignIn(long accountId) {
    return box.seal("sign-in:" + accountId + ":" + clock.instant().plus(PENDING).getEpochSecond());
  }

  /** The account a {@link #pendingSignIn} note names, while it has not lapsed. */
  public Optional<Long> pendingAccount(String note) {
    if (note == null || note.isEmpty()) {
      return Optional.empty();
    }
    try {
      String[] parts = box.open(note).split(":");
      if (parts.length == 3
          && parts[0].equals("sign-in")
          && Long.parseLong(parts[2]) > clock.instant().getEpochSecond()) {
        return Optional.of(Long.parseLong(parts[1]));
      }
    } catch (RuntimeException e) {
      // Altered, sealed under another key, or not ours: no pending sign-in.
    }
    return Optional.empty();
  }
}
