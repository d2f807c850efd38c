package com.ohmyotp;

import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.Routes;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.rentals.Rentals;
import com.ohmyotp.sms.UnmatchedMessages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code GET /api/admin/stats}: the operator's figures, each from the feature that owns it. */
final class OperatorStats implements Routes {

  record Stats(
      long accounts,
      long services,
      long numbersInInventory,
      long rentalsHoldingNumbers,
      long rentalsTotal,
      long unmatchedSms,
      Money balancesTotal) {}

  private final Accounts accounts;
  private final Catalog catalog;
  private final Inventory inventory;
  private final Rentals rentals;
  private final UnmatchedMessages unmatched;
  private final ApiAuth auth;

  OperatorStats(
      Accounts accounts,
      Catalog catalog,
      Inventory inventory,
      Rentals rentals,
      UnmatchedMessages unmatched,
      ApiAuth auth) {
    this.accounts = accounts;
    this.catalog = catalog;
    this.inventory = inventory;
    this.rentals = rentals;
    this.unmatched = unmatched;
    this.auth = auth;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/api/admin/stats", auth.admin(this::stats));
  }

  private void stats(Context ctx) {
    Accounts.Totals money = accounts.totals();
    Rentals.Totals rented = rentals.totals();
    ctx.json(
        new Stats(
            money.accounts(),
            catalog.count(),
            inventory.numbersInInventory(),
            rented.holdingNumbers(),
            rented.all(),
            unmatched.count(),
            money.balances()));
  }
}
