package com.ohmyotp;

import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.api.Caller;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.db.Database;
import com.ohmyotp.inventory.NumberStock;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.rentals.Rentals;
import com.ohmyotp.rentals.Renting;
import com.ohmyotp.sources.Simulator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * What a fresh install starts with, so the reference's examples work at once: a catalog of
 * well-known services, a pool of simulator numbers, a funded demo account, and the two numbers of
 * the reference's re-rent examples as it shows them: 3026873874, which the demo account rented for
 * Uber before (a cancelled rental), so it can rent it again, and 3125550001, which it rented too
 * but another account holds for a week, so the re-rent check shows it {@code
 * phone_currently_active}. Runs only on an empty database.
 */
final class DemoSeed {

  static final String DEMO_EMAIL = "demo@ohmyotp.local";
  static final String NEIGHBOUR_EMAIL = "neighbour@ohmyotp.local";
  static final String RENTABLE_AGAIN = "3026873874";
  static final String HELD_BY_ANOTHER = "3125550001";
  private static final String HOLD_SERVICE = "Demo hold";
  static final Money DEMO_BALANCE = Money.of("100");
  static final int SIMULATOR_NUMBERS = 300;

  /** The demo account's credentials, shown once on the console. */
  record Demo(String email, String password, String apiKey) {}

  /** A catalog entry; {@code code} is its SMS-Activate protocol code, or null. */
  private record Entry(String name, String category, String price, String code) {}

  // Walmart is AppID-1 and Uber AppID-3, and Walmart's category "retail", as in the reference's
  // examples.
  private static final List<Entry> CATALOG =
      List.of(
          new Entry("Walmart", "retail", "0.40", null),
          new Entry("Amazon", "retail", "0.35", "am"),
          new Entry("Uber", "Food", "0.40", "ub"),
          new Entry("DoorDash", "Food", "0.30", null),
          new Entry("Google", "Tech", "0.50", "go"),
          new Entry("Microsoft", "Tech", "0.45", "mm"),
          new Entry("WhatsApp", "Messaging", "0.60", "wa"),
          new Entry("Telegram", "Messaging", "0.55", "tg"),
          new Entry("Facebook", "Social", "0.35", "fb"),
          new Entry("Instagram", "Social", "0.40", "ig"),
          new Entry("Tinder", "Dating", "0.75", null),
          new Entry("PayPal", "Finance", "0.80", null),
          new Entry("Coinbase", "Finance", "0.90", null),
          new Entry("Airbnb", "Travel", "0.45", null),
          new Entry("Lyft", "Transport", "0.35", null),
          new Entry("Discord", "Gaming", "0.25", "ds"),
          new Entry("X", "Social", "0.35", "tw"),
          new Entry("Other", "Other", "0.30", "ot"));

  /** Real US area codes; the rest of each number is drawn at random. */
  private static final int[] AREA_CODES = {
    302, 312, 415, 212, 305, 213, 646, 718, 617, 206, 512, 702, 303, 404, 480, 214, 267, 347, 425,
    503
  };

  private DemoSeed() {}

  /** Seeds an empty database; returns the demo credentials when it did. */
  static Optional<Demo> seedIfEmpty(
      Database db,
      Catalog catalog,
      NumberStock stock,
      Accounts accounts,
      Renting renting,
      Rentals rentals) {
    boolean empty =
        db.read(
            h ->
                h.createQuery(
                            "SELECT (SELECT COUNT(*) FROM services) + (SELECT COUNT(*) FROM accounts)")
                        .mapTo(Long.class)
                        .one()
                    == 0);
    if (!empty) {
      return Optional.empty();
    }
    try {
      for (Entry e : CATALOG) {
        catalog.create(
            e.name(),
            e.category(),
            Money.of(e.price()),
            Catalog.DEFAULT_DURATION_SECONDS,
            Simulator.NAME,
            e.code());
      }
      String password = password();
      Accounts.Created demo = accounts.create(DEMO_EMAIL, password, DEMO_BALANCE);
      Caller demoCaller = new Caller(demo.account().id(), demo.key().id());
      // Each number is the only free one when it is rented, so the rentals take exactly these.
      importOne(stock, HELD_BY_ANOTHER);
      rentAndCancel(renting, rentals, demoCaller, "Uber");
      holdForAWeek(catalog, accounts, renting);
      importOne(stock, RENTABLE_AGAIN);
      rentAndCancel(renting, rentals, demoCaller, "Uber");
      stock.importNumbers(Simulator.NAME, simulatorNumbers(stock));
      return Optional.of(new Demo(DEMO_EMAIL, password, demo.key().secret()));
    } catch (com.ohmyotp.api.ApiException e) {
      // Another node seeded the same empty database at the same moment.
      return Optional.empty();
    }
  }

  private static void importOne(NumberStock stock, String number) {
    stock.importNumbers(Simulator.NAME, List.of(new NumberStock.ImportRow(number, null)));
  }

  private static void rentAndCancel(
      Renting renting, Rentals rentals, Caller caller, String service) {
    if (renting.rent(caller, service, Optional.empty()) instanceof Renting.Rented.Started s) {
      rentals.cancel(caller, s.rental().id());
    }
  }

  /**
   * Another account rents the number for the longest window a service may have, under a service of
   * its own that is then taken out of the catalog: the number stays held while the demo runs.
   */
  private static void holdForAWeek(Catalog catalog, Accounts accounts, Renting renting) {
    Money price = Money.of("0.40");
    catalog.create(HOLD_SERVICE, "demo", price, Catalog.MAX_DURATION_SECONDS, Simulator.NAME);
    Accounts.Created neighbour = accounts.create(NEIGHBOUR_EMAIL, password(), price);
    renting.rent(
        new Caller(neighbour.account().id(), neighbour.key().id()), HOLD_SERVICE, Optional.empty());
    catalog.change(HOLD_SERVICE, new Catalog.Change(null, null, null, false));
  }

  private static List<NumberStock.ImportRow> simulatorNumbers(NumberStock stock) {
    Random random = new Random(20260515L);
    List<NumberStock.ImportRow> rows = new ArrayList<>();
    while (rows.size() < SIMULATOR_NUMBERS) {
      int area = AREA_CODES[random.nextInt(AREA_CODES.length)];
      int exchange = 200 + random.nextInt(800);
      int line = random.nextInt(10_000);
      String number = String.format("%d%03d%04d", area, exchange, line);
      if (exchange % 100 != 11
          && exchange != 555
          && stock.phones().toE164(number).isPresent()
          && !number.equals(RENTABLE_AGAIN)
          && rows.stream().noneMatch(r -> r.phoneNumber().equals(number))) {
        rows.add(new NumberStock.ImportRow(number, null));
      }
    }
    return rows;
  }

  private static String password() {
    String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    SecureRandom random = new SecureRandom();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
