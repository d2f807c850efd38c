package com.ohmyotp.accounts;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.db.Database;
import com.ohmyotp.ledger.Ledger;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.ledger.Transaction;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Creating and reading accounts, and what the operator and the owner change on one: password,
 * disabled or not. Just past 300 lines; each method is one transaction over the accounts table, and
 * the password rules (length, hashing, sessions ended) are stated once here.
 */
public final class Accounts {

  private final Database db;
  private final Ledger ledger;
  private final ApiKeys apiKeys;
  private final Clock clock;

  public Accounts(Database db, Ledger ledger, ApiKeys apiKeys, Clock clock) {
    this.db = db;
    this.ledger = ledger;
    this.apiKeys = apiKeys;
    this.clock = clock;
  }

  /** An account just made, with the one API key that is shown once (null when none was made). */
  public record Created(Account account, ApiKeys.IssuedKey key) {}

  /**
   * Creates an account with a first API key, and an opening deposit when {@code balance} is
   * positive.
   *
   * @throws ApiException 400 for a malformed email or weak password, 409 when the email is taken
   */
  public Created create(String email, String password, Money balance) {
    return create(email, password, balance, true);
  }

  /**
   * Signs up through the website: an account with a password, no money and no API key yet (the
   * customer creates keys in Settings and sees each once).
   *
   * @throws ApiException 400 for a malformed email or weak password, 409 when the email is taken
   */
  public Account signUp(String email, String password) {
    if (password == null) {
      throw ApiException.badRequest("invalid_password", "A password needs 8 to 200 characters.");
    }
    return create(email, password, Money.ZERO, false).account();
  }

  /** The account whose email and password these are; the same answer and cost either way. */
  public Optional<Account> signIn(String email, String password) {
    String key = email == null ? "" : EmailAddress.key(email);
    record Row(long id, String hash) {}
    Optional<Row> row =
        db.read(
            h ->
                h.createQuery(
                        "SELECT id, password_hash FROM accounts WHERE email_key = :key AND password_hash IS NOT NULL AND disabled_at IS NULL")
                    .bind("key", key)
                    .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("password_hash")))
                    .findOne());
    // Hash even for an unknown email, so timing does not tell which emails have accounts.
    boolean matches =
        Passwords.matches(
            password == null ? "" : password, row.map(Row::hash).orElse(Passwords.DECOY));
    return row.filter(r -> matches).flatMap(r -> find(r.id()));
  }

  private Created create(String email, String password, Money balance, boolean withKey) {
    String normalized = checkEmail(email);
    String skeleton = EmailAddress.skeleton(normalized);
    if (password != null && (password.length() < 8 || password.length() > 200)) {
      throw ApiException.badRequest("invalid_password", "A password needs 8 to 200 characters.");
    }
    if (balance.isNegative() || balance.compareTo(Money.MAX_INPUT) > 0) {
      throw ApiException.badRequest(
          "invalid_amount", "The opening balance must be from 0 to 1000000000.");
    }
    String passwordHash = password == null ? null : Passwords.hash(password);
    long now = clock.instant().getEpochSecond();
    try {
      return db.inTransaction(
          h -> {
            long id =
                h.createUpdate(
                        """
                    INSERT INTO accounts
                      (email, email_key, email_skeleton, password_hash, balance, created_at)
                    VALUES (:email, :key, :skeleton, :hash, 0, :now)
                    """)
                    .bind("email", email.trim())
                    .bind("key", normalized)
                    .bind("skeleton", skeleton)
                    .bind("hash", passwordHash)
                    .bind("now", now)
                    .executeAndReturnGeneratedKeys("id")
                    .mapTo(Long.class)
                    .one();
            if (balance.isPositive()) {
              ledger.deposit(h, id, balance, "opening balance", now);
            }
            ApiKeys.IssuedKey key = withKey ? apiKeys.issue(h, id, "default", now) : null;
            return new Created(find(h, id).orElseThrow(), key);
          });
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw ApiException.conflict(
            "email_taken",
            "An account with this email, or one that looks the same, already exists.");
      }
      throw e;
    }
  }

  /** An account as the operator sees it. */
  public record Standing(Account account, Long disabledAt, int activeKeys) {}

  /** The account by id, with whether it is disabled. */
  public Standing standing(long id) {
    return db.read(
        h -> {
          Account account = find(h, id).orElseThrow(Accounts::notFound);
          Long disabledAt =
              h.createQuery("SELECT disabled_at FROM accounts WHERE id = :id")
                  .bind("id", id)
                  .mapTo(Long.class)
                  .one();
          int keys =
              h.createQuery(
                      "SELECT COUNT(*) FROM api_keys WHERE account_id = :id AND revoked_at IS NULL")
                  .bind("id", id)
                  .mapTo(Integer.class)
                  .one();
          return new Standing(account, disabledAt, keys);
        });
  }

  /** The id of the account with this email (as typed or in any form that signs in as it). */
  public Optional<Long> idOf(String email) {
    String key = EmailAddress.key(email);
    return db.read(
        h ->
            h.createQuery("SELECT id FROM accounts WHERE email_key = :key")
                .bind("key", key)
                .mapTo(Long.class)
                .findOne());
  }

  /**
   * Disables an account: its keys are revoked and its website sessions ended, and it can sign in no
   * more until enabled. Its balance and history stay. Disabling twice changes nothing.
   *
   * @return the keys revoked now
   */
  public int disable(long id) {
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h -> {
          requireExists(h, id);
          h.createUpdate(
                  "UPDATE accounts SET disabled_at = :now WHERE id = :id AND disabled_at IS NULL")
              .bind("now", now)
              .bind("id", id)
              .execute();
          h.createUpdate("DELETE FROM web_sessions WHERE account_id = :id")
              .bind("id", id)
              .execute();
          return apiKeys.revokeAll(h, id, now);
        });
  }

  /** Lets a disabled account sign in again; its old keys stay revoked. */
  public void enable(long id) {
    db.inTransaction(
        h -> {
          requireExists(h, id);
          return h.createUpdate("UPDATE accounts SET disabled_at = NULL WHERE id = :id")
              .bind("id", id)
              .execute();
        });
  }

  /** Whether the account is disabled (an unknown account is not). */
  public boolean disabled(long id) {
    return db.read(
        h ->
            h.createQuery(
                        "SELECT COUNT(*) FROM accounts WHERE id = :id AND disabled_at IS NOT NULL")
                    .bind("id", id)
                    .mapTo(Integer.class)
                    .one()
                > 0);
  }

  /**
   * Sets a new password and ends every website session of the account, so that whoever knew the old
   * one is signed out.
   *
   * @throws ApiException 400 for a password of the wrong length, 404 for an unknown account
   */
  public void setPassword(long id, String password) {
    Passwords.requireAcceptable(password);
    String hash = Passwords.hash(password);
    db.inTransaction(
        h -> {
          requireExists(h, id);
          h.createUpdate("UPDATE accounts SET password_hash = :hash WHERE id = :id")
              .bind("hash", hash)
              .bind("id", id)
              .execute();
          return h.createUpdate("DELETE FROM web_sessions WHERE account_id = :id")
              .bind("id", id)
              .execute();
        });
  }

  /**
   * Changes a website password, the current one required, and signs out every other website session
   * of the account: whoever knew the old password and signed in with it is out. The session making
   * the change stays.
   *
   * @param keepSession the raw token of the session that asked, kept signed in
   * @throws ApiException 403 {@code wrong_password} when {@code current} is not the password, 400
   *     for a new one of the wrong length or not typed the same twice
   */
  public void changePassword(
      long id, String current, String next, String nextAgain, String keepSession) {
    String stored =
        db.read(
            h ->
                h.createQuery("SELECT password_hash FROM accounts WHERE id = :id")
                    .bind("id", id)
                    .mapTo(String.class)
                    .findOne()
                    .orElse(null));
    if (stored == null || current == null || !Passwords.matches(current, stored)) {
      throw ApiException.forbidden("wrong_password", "The current password is not right.");
    }
    if (next == null || !next.equals(nextAgain)) {
      throw ApiException.badRequest(
          "invalid_password", "The new password was not typed the same twice.");
    }
    Passwords.requireAcceptable(next);
    String hash = Passwords.hash(next);
    db.inTransaction(
        h -> {
          h.createUpdate("UPDATE accounts SET password_hash = :hash WHERE id = :id")
              .bind("hash", hash)
              .bind("id", id)
              .execute();
          return h.createUpdate(
                  "DELETE FROM web_sessions WHERE account_id = :id AND token_hash <> :keep")
              .bind("id", id)
              .bind("keep", ApiKeys.hash(keepSession == null ? "" : keepSession))
              .execute();
        });
  }

  private void requireExists(Handle h, long id) {
    if (find(h, id).isEmpty()) {
      throw notFound();
    }
  }

  private static ApiException notFound() {
    return ApiException.notFound("account_not_found", "There is no such account.");
  }

  public Optional<Account> find(long id) {
    return db.read(h -> find(h, id));
  }

  public Optional<Account> find(Handle h, long id) {
    return h.createQuery("SELECT id, email, balance, created_at FROM accounts WHERE id = :id")
        .bind("id", id)
        .map(
            (rs, ctx) ->
                new Account(
                    rs.getLong("id"),
                    rs.getString("email"),
                    Money.of(rs.getBigDecimal("balance")),
                    rs.getLong("created_at")))
        .findOne();
  }

  /** An account's balance and its newest ledger rows, read together. */
  public record Statement(Money balance, List<Transaction> recent) {}

  /** The balance and the newest {@code recent} transactions of an account. */
  public Statement statement(long accountId, int recent) {
    return db.read(
        h -> new Statement(ledger.balance(h, accountId), ledger.recent(h, accountId, recent)));
  }

  /**
   * Up to {@code limit} of the account's transactions older than {@code beforeId}, newest first.
   */
  public List<Transaction> transactions(long accountId, long beforeId, int limit) {
    return db.read(h -> ledger.olderThan(h, accountId, beforeId, limit));
  }

  /** The account's balance now. */
  public Money balance(long accountId) {
    return db.read(h -> ledger.balance(h, accountId));
  }

  /** How many accounts there are, and the money they hold together. */
  public record Totals(long accounts, Money balances) {}

  public Totals totals() {
    return db.read(
        h ->
            h.createQuery("SELECT COUNT(*) AS n, COALESCE(SUM(balance), 0) AS total FROM accounts")
                .map((rs, ctx) -> new Totals(rs.getLong("n"), Money.of(rs.getBigDecimal("total"))))
                .one());
  }

  /** Deposits money into an account. */
  public Money deposit(long accountId, Money amount, String note) {
    if (!amount.isPositive() || amount.compareTo(Money.MAX_INPUT) > 0) {
      throw ApiException.badRequest(
          "invalid_amount", "A deposit must be more than 0 and at most 1000000000.");
    }
    if (note != null && note.length() > 200) {
      throw ApiException.badRequest("invalid_field", "A note has at most 200 characters.");
    }
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h -> {
          if (find(h, accountId).isEmpty()) {
            throw ApiException.notFound(
                "account_not_found", "There is no account " + accountId + ".");
          }
          ledger.deposit(h, accountId, amount, note, now);
          return ledger.balance(h, accountId);
        });
  }

  static String checkEmail(String email) {
    if (!EmailAddress.isWellFormed(email)) {
      throw ApiException.badRequest("invalid_email", "That is not an email address.");
    }
    return EmailAddress.key(email);
  }
}
