package com.ohmyotp.accounts;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.FailureBudget;
import com.ohmyotp.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Forgot your password?": a link by mail that sets a new one. The link's token carries 256 random
 * bits and is kept only as its SHA-256; it works once, for {@link #VALID}, and using it ends every
 * other link of the account and every website session.
 *
 * <p>Asking answers the same whether or not the address is an account's, and as fast: the lookup
 * and the mail happen on a sender thread after the answer. Mail to one address is limited to three,
 * then one every ten minutes, so that nobody can flood an inbox through us.
 */
public final class PasswordResets implements AutoCloseable {

  /** How long a link works. */
  public static final Duration VALID = Duration.ofMinutes(30);

  private static final Logger log = LoggerFactory.getLogger(PasswordResets.class);

  private final Database db;
  private final Accounts accounts;
  private final Optional<Mailer> mailer;
  private final Clock clock;
  private final FailureBudget mailsTo = new FailureBudget(3, Duration.ofMinutes(10));
  private final FailureBudget asksFrom = new FailureBudget(10, Duration.ofMinutes(1));
  private final FailureBudget wrongTokensFrom = new FailureBudget(20, Duration.ofMinutes(1));
  private final ThreadPoolExecutor sender =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(1_000),
          Thread.ofPlatform().name("password-reset-mail").daemon().factory(),
          (task, pool) -> log.warn("Password-reset mail queue full; a request was dropped"));

  public PasswordResets(Database db, Accounts accounts, Optional<Mailer> mailer, Clock clock) {
    this.db = db;
    this.accounts = accounts;
    this.mailer = mailer;
    this.clock = clock;
  }

  /** Whether this server sends mail at all; without it an operator resets passwords. */
  public boolean available() {
    return mailer.isPresent();
  }

  /**
   * Mails a link to {@code email} if it is an account's (not a disabled one), later, on the sender
   * thread.
   *
   * @throws ApiException 429 when the address asked too often
   */
  public void request(String email, String clientAddress) {
    Optional<Duration> wait = asksFrom.attempt(clientAddress);
    if (wait.isPresent()) {
      throw ApiException.tooManyRequests("Too many requests; try again in a minute.", wait.get());
    }
    if (mailer.isEmpty() || email == null || email.isBlank() || email.length() > 254) {
      return;
    }
    sender.execute(() -> mailLink(email.strip()));
  }

  private void mailLink(String email) {
    try {
      Optional<Account> account =
          accounts.idOf(email).filter(id -> !accounts.disabled(id)).flatMap(accounts::find);
      if (account.isEmpty() || mailsTo.attempt(EmailAddress.key(email)).isPresent()) {
        return;
      }
      String token = WebSessions.newToken();
      long now = clock.instant().getEpochSecond();
      db.inTransaction(
          h ->
              h.createUpdate(
                      "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at)"
                          + " VALUES (:hash, :account, :now, :expires)")
                  .bind("hash", ApiKeys.hash(token))
                  .bind("account", account.get().id())
                  .bind("now", now)
                  .bind("expires", now + VALID.toSeconds())
                  .execute());
      Mailer m = mailer.get();
      m.send(
          account.get().email(),
          "Choose a new ohmyotp password",
          "Someone, hopefully you, asked to choose a new password for the ohmyotp account "
              + account.get().email()
              + ".\n\nOpen this link within 30 minutes to choose it; it works once:\n\n"
              + m.publicUrl()
              + "/reset-password?token="
              + token
              + "\n\nIf it was not you, ignore this mail: your password stays as it is.\n");
      log.info("Password-reset link mailed to account {}", account.get().id());
    } catch (Exception e) {
      log.warn("Password-reset mail not sent: {}", e.getMessage());
    }
  }

  /**
   * Sets a new password with a link's token, once: the token is spent, the account's other links
   * too, and every website session ends.
   *
   * @return the account whose password it was
   * @throws ApiException 400 {@code invalid_password} for a new password of the wrong length or not
   *     typed the same twice (the link still works), 400 {@code invalid_token} for a token unknown,
   *     used or expired, 429 after many wrong tokens from one address
   */
  public long reset(String token, String password, String again, String clientAddress) {
    Optional<Duration> wait = wrongTokensFrom.waitFor(clientAddress);
    if (wait.isPresent()) {
      throw ApiException.tooManyRequests(
          "Too many wrong links; try again in a minute.", wait.get());
    }
    if (password == null || !password.equals(again)) {
      throw ApiException.badRequest(
          "invalid_password", "The new password was not typed the same twice.");
    }
    Passwords.requireAcceptable(password);
    long now = clock.instant().getEpochSecond();
    String hash = ApiKeys.hash(token == null ? "" : token);
    Optional<Long> account =
        db.inTransaction(
            h -> {
              Optional<Long> owner =
                  h.createQuery(
                          "SELECT account_id FROM password_resets WHERE token_hash = :hash"
                              + " AND used_at IS NULL AND expires_at > :now")
                      .bind("hash", hash)
                      .bind("now", now)
                      .mapTo(Long.class)
                      .findOne();
              if (owner.isEmpty()) {
                return owner;
              }
              // Spends every open link of the account, this one with them; a second use finds none.
              int spent =
                  h.createUpdate(
                          "UPDATE password_resets SET used_at = :now"
                              + " WHERE account_id = :account AND used_at IS NULL")
                      .bind("now", now)
                      .bind("account", owner.get())
                      .execute();
              return spent == 0 ? Optional.<Long>empty() : owner;
            });
    if (account.isEmpty()) {
      wrongTokensFrom.failed(clientAddress);
      throw ApiException.badRequest(
          "invalid_token", "This link has expired or has been used already; ask for a new one.");
    }
    accounts.setPassword(account.get(), password);
    log.info("Password of account {} set from a reset link", account.get());
    return account.get();
  }

  @Override
  public void close() {
    sender.shutdownNow();
  }
}
