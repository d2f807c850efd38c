package com.ohmyotp.web;

import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.api.Routes;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.ledger.Transaction;
import com.ohmyotp.rentals.EligibilityReason;
import com.ohmyotp.rentals.RentalHistory;
import com.ohmyotp.rentals.RentalStatus;
import com.ohmyotp.rentals.RentalViews.HistoryEntry;
import com.ohmyotp.rentals.RentalViews.Page;
import com.ohmyotp.web.Website.Visitor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * What happened on the account: the rental history (with re-rent) and the transactions, each in
 * pages and as a CSV file of all of it.
 */
public final class StatementPages implements Routes {

  private static final int HISTORY_PAGE = 20;
  private static final int TRANSACTIONS_PAGE = 50;

  /** How many rows a CSV file reads at a time. */
  private static final int CSV_BATCH = 200;

  /** A row of the history page. */
  public record HistoryRow(
      String id,
      String service,
      PhoneNumbers.Written phone,
      String country,
      String status,
      long rentedAt,
      String cost,
      String refund,
      String code,
      String message,
      boolean rentable,
      String reason,
      String price) {}

  /** A row of the transactions page. */
  public record TransactionRow(
      long when, String type, String amount, boolean credit, String detail) {}

  private final Website site;
  private final RentalHistory history;
  private final Catalog catalog;
  private final Accounts accounts;

  public StatementPages(Website site, RentalHistory history, Catalog catalog, Accounts accounts) {
    this.site = site;
    this.history = history;
    this.catalog = catalog;
    this.accounts = accounts;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/history", site.signedIn(this::history));
    routes.get("/history.csv", site.signedIn(this::historyCsv));
    routes.get("/transactions", site.signedIn(this::transactions));
    routes.get("/transactions.csv", site.signedIn(this::transactionsCsv));
  }

  /** The history's filter, as the page's form and links carry it. */
  private record Filter(Optional<RentalStatus> status, boolean used) {
    static Filter of(Context ctx) {
      String raw = Optional.ofNullable(ctx.queryParam("status")).orElse("all");
      return new Filter(
          raw.equals("all") ? Optional.empty() : RentalStatus.fromWire(raw),
          "true".equals(ctx.queryParam("used")));
    }

    String wire() {
      return status.map(RentalStatus::wire).orElse("all");
    }
  }

  private void history(Context ctx, Visitor v) {
    Filter filter = Filter.of(ctx);
    int page = parsePage(ctx.queryParam("page"));
    Page<HistoryEntry> result =
        history.history(v.caller(), filter.status(), filter.used(), page, HISTORY_PAGE);
    Map<String, String> prices = new HashMap<>();
    for (Service service : catalog.listing()) {
      prices.put(service.name(), service.price().display());
    }
    List<HistoryRow> rows =
        result.rentals().stream().map(e -> historyRow(e, prices.get(e.serviceId()))).toList();
    long pages = Math.max(1, (result.total() + HISTORY_PAGE - 1) / HISTORY_PAGE);
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("rows", rows);
    params.put("status", filter.wire());
    params.put("used", filter.used());
    params.put("page", page);
    params.put("pages", pages);
    params.put("total", result.total());
    params.put("rerentKey", UUID.randomUUID().toString());
    site.render(ctx, 200, "history.jte", params);
  }

  private void historyCsv(Context ctx, Visitor v) throws IOException {
    Filter filter = Filter.of(ctx);
    try (CSVPrinter csv = csv(ctx, "ohmyotp-history.csv")) {
      csv.printRecord(
          "rental_id",
          "rented_at",
          "service",
          "phone_number",
          "country",
          "status",
          "cost",
          "refund",
          "sms_count",
          "last_code",
          "last_sms");
      for (int page = 1; ; page++) {
        Page<HistoryEntry> batch =
            history.history(v.caller(), filter.status(), filter.used(), page, CSV_BATCH);
        for (HistoryEntry e : batch.rentals()) {
          csv.printRecord(
              e.id(),
              DashboardPages.iso(e.rentedAt()),
              text(e.serviceId()),
              e.phoneE164(),
              e.country() == null ? "" : e.country(),
              e.status(),
              e.cost().display(),
              e.refundAmount() == null ? "" : e.refundAmount().display(),
              e.smsCount(),
              text(e.lastCode()),
              text(e.lastSmsFullText()));
        }
        if (batch.rentals().size() < CSV_BATCH) {
          break;
        }
      }
    }
  }

  private void transactions(Context ctx, Visitor v) {
    long before = parseBefore(ctx.queryParam("before"));
    List<Transaction> page = accounts.transactions(v.account().id(), before, TRANSACTIONS_PAGE + 1);
    boolean more = page.size() > TRANSACTIONS_PAGE;
    List<Transaction> shown = more ? page.subList(0, TRANSACTIONS_PAGE) : page;
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("rows", shown.stream().map(StatementPages::transactionRow).toList());
    params.put("first", before == Long.MAX_VALUE);
    params.put("older", more ? shown.get(shown.size() - 1).id() : 0L);
    site.render(ctx, 200, "transactions.jte", params);
  }

  private void transactionsCsv(Context ctx, Visitor v) throws IOException {
    try (CSVPrinter csv = csv(ctx, "ohmyotp-transactions.csv")) {
      csv.printRecord("id", "created_at", "type", "amount", "service", "rental_id", "note");
      long before = Long.MAX_VALUE;
      while (true) {
        List<Transaction> batch = accounts.transactions(v.account().id(), before, CSV_BATCH);
        for (Transaction t : batch) {
          csv.printRecord(
              t.id(),
              DashboardPages.iso(t.createdAtUnix()),
              t.type(),
              t.amount().display(),
              text(t.serviceId()),
              t.rentalId() == null ? "" : t.rentalId(),
              text(t.note()));
        }
        if (batch.size() < CSV_BATCH) {
          break;
        }
        before = batch.get(batch.size() - 1).id();
      }
    }
  }

  private static CSVPrinter csv(Context ctx, String fileName) throws IOException {
    ctx.contentType("text/csv; charset=utf-8");
    ctx.header("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
    ctx.header("Cache-Control", "no-store");
    Writer out = new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8);
    return new CSVPrinter(out, CSVFormat.RFC4180);
  }

  /**
   * Text from outside (an SMS, a note) as a spreadsheet cell: one that starts like a formula is
   * given a leading apostrophe, so that opening the file runs nothing.
   */
  static String text(String value) {
    if (value == null) {
      return "";
    }
    return !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
  }

  private static TransactionRow transactionRow(Transaction t) {
    return new TransactionRow(
        t.createdAtUnix(),
        t.type().replace('_', ' '),
        (t.amount().isPositive() ? "+" : "") + t.amount().display(),
        t.amount().isPositive(),
        t.serviceId() != null ? t.serviceId() : Optional.ofNullable(t.note()).orElse(""));
  }

  /** A row, with {@code price} what a re-rent would charge now (null for a service withdrawn). */
  private static HistoryRow historyRow(HistoryEntry e, String price) {
    EligibilityReason reason = EligibilityReason.fromWire(e.rentableReason());
    return new HistoryRow(
        e.id(),
        e.serviceId(),
        PhoneNumbers.written(e.phoneE164()),
        e.country() == null ? "" : ServicePicker.countryName(e.country()),
        e.status(),
        e.rentedAt(),
        e.cost().display(),
        e.refundAmount() == null || !e.refundAmount().isPositive()
            ? null
            : e.refundAmount().display(),
        e.lastCode(),
        e.lastSmsFullText(),
        e.rentable() && price != null,
        price == null
            ? "The service is no longer offered"
            : reason == null ? e.rentableReason().replace('_', ' ') : reason.explanation(),
        price);
  }

  private static int parsePage(String raw) {
    try {
      return raw == null ? 1 : Math.max(1, Math.min(Integer.parseInt(raw), 100_000));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static long parseBefore(String raw) {
    try {
      return raw == null ? Long.MAX_VALUE : Math.max(1, Long.parseLong(raw));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
