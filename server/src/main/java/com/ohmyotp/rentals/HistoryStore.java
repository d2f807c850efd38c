package com.ohmyotp.rentals;

import static com.ohmyotp.rentals.RentalRows.FROM_RENTALS;
import static com.ohmyotp.rentals.RentalRows.JOIN_LAST_SMS;
import static com.ohmyotp.rentals.RentalRows.LAST_SMS_COLUMNS;
import static com.ohmyotp.rentals.RentalRows.RENTAL_COLUMNS;

import com.ohmyotp.db.ByPosition;
import com.ohmyotp.inventory.Inventory.PhoneState;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.rentals.RentalRows.RentalColumns;
import com.ohmyotp.rentals.RentalRows.SmsColumns;
import com.ohmyotp.sms.SmsMessage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The SQL of a history page: the account's standing, and a page of its rentals with their newest
 * SMS and what renting each number again would take, in one statement.
 */
public final class HistoryStore {

  /**
   * What the re-rent rule needs to know of a rental's number and service now, as the columns {@link
   * RerentColumns} reads: the joins of {@link #FROM_RENTALS} have those rows already.
   */
  private static final String RERENT_COLUMNS =
      "p.retired_at, p.expires_at AS number_expires_at, p.held_until, s.enabled AS service_enabled, "
          + "s.price AS service_price, s.duration_seconds AS service_duration";

  /**
   * A history page: the account's {@link RentalCounts.Standing}, and the rentals with their newest
   * SMS and what re-renting each would take, in one round trip. The page's ids come first, from the
   * covering index alone; the joins only for those rows. {@code <where>} chooses the rows. The
   * standing heads every row, and a page with no rows is one row of it alone (the left join): the
   * total, whether a rental is overdue, and every row's re-rent eligibility are judged against it,
   * read in the same statement as the rows.
   */
  private static final String SELECT_HISTORY_PAGE =
      "SELECT "
          + RentalCounts.STANDING_COLUMNS
          + ", h.*\n"
          + RentalCounts.FROM_STANDING
          + "LEFT JOIN (SELECT "
          + RENTAL_COLUMNS
          + ", "
          + LAST_SMS_COLUMNS
          + ", "
          + RERENT_COLUMNS
          + FROM_RENTALS
          + JOIN_LAST_SMS
          + """
          JOIN (SELECT r.id AS page_id FROM rentals r WHERE <where>
                ORDER BY r.rented_at DESC, r.id DESC LIMIT :limit OFFSET :offset) page ON page.page_id = r.id
          ) h ON TRUE
          WHERE a.id = :account
          ORDER BY h.rented_at DESC, h.id DESC
          """;

  /**
   * Where a result set holds what re-renting a rental's number would take ({@link
   * #RERENT_COLUMNS}).
   */
  private record RerentColumns(
      int retiredAt,
      int numberExpiresAt,
      int heldUntil,
      int serviceEnabled,
      int servicePrice,
      int serviceDuration) {
    static RerentColumns of(ResultSet rs) throws SQLException {
      return new RerentColumns(
          rs.findColumn("retired_at"),
          rs.findColumn("number_expires_at"),
          rs.findColumn("held_until"),
          rs.findColumn("service_enabled"),
          rs.findColumn("service_price"),
          rs.findColumn("service_duration"));
    }

    RerentFacts read(ResultSet rs, Rental rental) throws SQLException {
      boolean retired = ByPosition.nullableLong(rs, retiredAt) != null;
      PhoneState number =
          new PhoneState(
              rental.numberId(),
              rental.source(),
              retired,
              ByPosition.nullableLong(rs, numberExpiresAt),
              ByPosition.nullableLong(rs, heldUntil),
              true);
      return new RerentFacts(
          number,
          rs.getBoolean(serviceEnabled),
          Money.of(rs.getBigDecimal(servicePrice)),
          rs.getInt(serviceDuration));
    }
  }

  /**
   * A history page's rental with its newest SMS, if one arrived, and what re-renting its number
   * would take now.
   */
  record HistoryRow(Rental rental, Optional<SmsMessage> lastSms, RerentFacts rerent) {}

  /** A history page with the account's standing, read in one statement. */
  record HistoryRead(RentalCounts.Standing standing, List<HistoryRow> rows) {}

  /**
   * The rental's number and service as they are now, for the re-rent rule. The caller rented the
   * number for the service before by definition: the rental is that renting.
   */
  record RerentFacts(PhoneState number, boolean serviceEnabled, Money price, int windowSeconds) {}

  /**
   * A page of the account's history with its standing at {@code now}: from the page's first row
   * when {@code start} is known, else by skipping the rows of the pages before it.
   */
  HistoryRead history(
      Handle h, long accountId, HistoryFilter filter, Optional<HistoryStart> start, long now) {
    String where =
        historyWhere(filter)
            + start
                .map(
                    s ->
                        s.inclusive()
                            ? " AND (r.rented_at, r.id) <= (:start_at, :start_id)"
                            : " AND (r.rented_at, r.id) < (:start_at, :start_id)")
                .orElse("");
    // The standing is the same on every row: it is read from the first.
    record Read(RentalCounts.Standing standing, Optional<HistoryRow> row) {}
    List<Read> read =
        h.createQuery(SELECT_HISTORY_PAGE)
            .define("where", where)
            .bind("account", accountId)
            .bind("now", now)
            .bind("status", filter.status().map(RentalStatus::wire).orElse(null))
            .bind("start_at", start.map(HistoryStart::rentedAt).orElse(null))
            .bind("start_id", start.map(HistoryStart::id).orElse(null))
            .bind("limit", filter.limit())
            .bind("offset", start.isPresent() ? 0 : filter.offset())
            .map(
                ByPosition.mapper(
                    rs -> {
                      int id = rs.findColumn("id");
                      RentalColumns rental = RentalColumns.of(rs);
                      SmsColumns sms = SmsColumns.of(rs);
                      RerentColumns rerent = RerentColumns.of(rs);
                      return (row, ctx) -> {
                        RentalCounts.Standing standing =
                            row.getRow() == 1 ? RentalCounts.standing(row) : null;
                        if (row.getString(id) == null) {
                          return new Read(standing, Optional.empty());
                        }
                        Rental r = rental.map(row, ctx);
                        return new Read(
                            standing,
                            Optional.of(
                                new HistoryRow(r, sms.read(row, r.id()), rerent.read(row, r))));
                      };
                    }))
            .list();
    if (read.isEmpty()) {
      throw new IllegalStateException("no account " + accountId);
    }
    return new HistoryRead(
        read.getFirst().standing(), read.stream().flatMap(r -> r.row().stream()).toList());
  }

  private static String historyWhere(HistoryFilter filter) {
    StringBuilder where = new StringBuilder("r.account_id = :account");
    if (filter.status().isPresent()) {
      where.append(" AND r.status = :status");
    }
    if (filter.usedOnly()) {
      where.append(" AND r.used");
    }
    return where.toString();
  }
}
