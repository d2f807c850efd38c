package com.ohmyotp.accounts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Routes;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.ledger.Transaction;
import com.ohmyotp.rentals.Expiry;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code /user/me} and {@code /balance} for customers; accounts, deposits and API keys for the
 * operator.
 */
public final class AccountRoutes implements Routes {

  /** Transactions shown by {@code /balance}. */
  static final int RECENT_TRANSACTIONS = 50;

  record Me(long id, String email, Money balance, long createdAt) {}

  record TransactionView(
      String type,
      Money amount,
      String serviceId,
      long createdAtUnix,
      long id,
      String rentalId,
      @JsonInclude(JsonInclude.Include.NON_NULL) String note) {
    static TransactionView of(Transaction t) {
      return new TransactionView(
          t.type(), t.amount(), t.serviceId(), t.createdAtUnix(), t.id(), t.rentalId(), t.note());
    }
  }

  record BalanceView(Money balance, List<TransactionView> transactions) {}

  record CreateAccount(String email, String password, Money balance) {}

  record CreatedAccount(long id, String email, String apiKey) {}

  record Deposit(Money amount, String note) {}

  record DepositAnswer(long accountId, Money amount, Money balance) {}

  record CreateKey(String name) {}

  /** An account as the operator sees it. */
  record AccountView(
      long id,
      String email,
      Money balance,
      long createdAt,
      Long disabledAt,
      int activeKeys,
      boolean twoFactor) {
    static AccountView of(Accounts.Standing s, boolean twoFactor) {
      return new AccountView(
          s.account().id(),
          s.account().email(),
          s.account().balance(),
          s.account().createdAt(),
          s.disabledAt(),
          s.activeKeys(),
          twoFactor);
    }
  }

  record NewPassword(String password) {}

  record PasswordSet(long accountId, String password) {}

  record CreatedKey(long id, String name, String prefix, String apiKey) {}

  private final Accounts accounts;
  private final ApiKeys apiKeys;
  private final TwoFactor twoFactor;
  private final Expiry expiry;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public AccountRoutes(
      Accounts accounts,
      ApiKeys apiKeys,
      TwoFactor twoFactor,
      Expiry expiry,
      ApiAuth auth,
      ObjectMapper json) {
    this.twoFactor = twoFactor;
    this.accounts = accounts;
    this.apiKeys = apiKeys;
    this.expiry = expiry;
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/api/v1/user/me", auth.customer(this::me));
    routes.get("/api/v1/balance", auth.customer(this::balance));
    routes.post("/api/admin/accounts", auth.admin(this::createAccount));
    routes.get("/api/admin/accounts", auth.admin(this::findAccount));
    routes.get(
        "/api/admin/accounts/{id}",
        auth.admin(ctx -> ctx.json(view(idParam(ctx, "id", "account_not_found")))));
    routes.post("/api/admin/accounts/{id}/password", auth.admin(this::setPassword));
    routes.post(
        "/api/admin/accounts/{id}/disable",
        auth.admin(
            ctx -> {
              long id = idParam(ctx, "id", "account_not_found");
              accounts.disable(id);
              ctx.json(view(id));
            }));
    routes.post(
        "/api/admin/accounts/{id}/enable",
        auth.admin(
            ctx -> {
              long id = idParam(ctx, "id", "account_not_found");
              accounts.enable(id);
              ctx.json(view(id));
            }));
    routes.post(
        "/api/admin/accounts/{id}/two-factor/off",
        auth.admin(
            ctx -> {
              // For a customer who lost both the phone and the recovery codes, once the operator
              // has made sure who they are: the password alone signs in again.
              long id = idParam(ctx, "id", "account_not_found");
              accounts.standing(id); // 404 for an unknown account, before anything changes
              twoFactor.turnOff(id);
              ctx.json(view(id));
            }));
    routes.post("/api/admin/accounts/{id}/deposits", auth.admin(this::deposit));
    routes.post("/api/admin/accounts/{id}/api-keys", auth.admin(this::createKey));
    routes.delete("/api/admin/api-keys/{id}", auth.admin(this::revokeKey));
  }

  /** An account as the operator sees it (404 for an unknown one). */
  private AccountView view(long id) {
    Accounts.Standing standing = accounts.standing(id);
    return AccountView.of(standing, twoFactor.enabled(id));
  }

  private void me(Context ctx, Caller caller) {
    expiry.settleDue(caller.accountId());
    Account account = accounts.find(caller.accountId()).orElseThrow();
    ctx.json(new Me(account.id(), account.email(), account.balance(), account.createdAt()));
  }

  private void balance(Context ctx, Caller caller) {
    expiry.settleDue(caller.accountId());
    Accounts.Statement statement = accounts.statement(caller.accountId(), RECENT_TRANSACTIONS);
    ctx.json(
        new BalanceView(
            statement.balance(), statement.recent().stream().map(TransactionView::of).toList()));
  }

  private void createAccount(Context ctx) {
    CreateAccount body = Json.read(json, ctx, CreateAccount.class);
    Accounts.Created created =
        accounts.create(
            body.email(), body.password(), body.balance() == null ? Money.ZERO : body.balance());
    ctx.status(201)
        .json(
            new CreatedAccount(
                created.account().id(), created.account().email(), created.key().secret()));
  }

  /** {@code ?email=}: the account with that email. */
  private void findAccount(Context ctx) {
    String email = ctx.queryParam("email");
    if (email == null || email.isBlank()) {
      throw ApiException.badRequest("missing_field", "Query parameter 'email' is required.");
    }
    long id =
        accounts
            .idOf(email)
            .orElseThrow(
                () -> ApiException.notFound("account_not_found", "There is no such account."));
    ctx.json(view(id));
  }

  /** A new password: the one given, or one made here and shown this once. */
  private void setPassword(Context ctx) {
    long id = idParam(ctx, "id", "account_not_found");
    NewPassword body =
        ctx.bodyAsBytes().length == 0
            ? new NewPassword(null)
            : Json.read(json, ctx, NewPassword.class);
    String password = body.password() == null ? Passwords.generate() : body.password();
    accounts.setPassword(id, password);
    ctx.json(new PasswordSet(id, password));
  }

  private void deposit(Context ctx) {
    long accountId = idParam(ctx, "id", "account_not_found");
    Deposit body = Json.read(json, ctx, Deposit.class);
    if (body.amount() == null) {
      throw ApiException.badRequest("missing_field", "Field 'amount' is required.");
    }
    Money balance = accounts.deposit(accountId, body.amount(), body.note());
    ctx.status(201).json(new DepositAnswer(accountId, body.amount(), balance));
  }

  private void createKey(Context ctx) {
    long accountId = idParam(ctx, "id", "account_not_found");
    if (accounts.disabled(accountId)) {
      throw ApiException.conflict(
          "account_disabled", "The account is disabled: enable it before issuing a key.");
    }
    CreateKey body =
        ctx.bodyAsBytes().length == 0 ? new CreateKey(null) : Json.read(json, ctx, CreateKey.class);
    ApiKeys.IssuedKey key = apiKeys.issue(accountId, body.name());
    ctx.status(201).json(new CreatedKey(key.id(), key.name(), key.prefix(), key.secret()));
  }

  private void revokeKey(Context ctx) {
    apiKeys.revoke(idParam(ctx, "id", "api_key_not_found"));
    ctx.status(204);
  }

  private static long idParam(Context ctx, String name, String notFound) {
    String raw = ctx.pathParam(name);
    if (raw.isEmpty() || raw.length() > 18 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw ApiException.notFound(
          notFound,
          "There is no such " + notFound.replace("_not_found", "").replace('_', ' ') + ".");
    }
    return Long.parseLong(raw);
  }
}
