package com.ohmyotp.rentals;

import com.ohmyotp.db.ByPosition;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.inventory.Inventory.PhoneState;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.sms.SmsMessage;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * SQL for rentals. Over 300 lines for now: it follows {@link Rentals}, whose use cases (renting,
 * history and the re-rent check, reading and cancelling) are to be split, each with its SQL.
 */
final class RentalStore {

  private final PollCache polls;
  private final Database.Dialect dialect;

  RentalStore(PollCache polls, Database.Dialect dialect) {
    this.polls = polls;
    this.dialect = dialect;
  }

  private static final String RENTAL_COLUMNS =
      """
      r.id, r.account_id, r.service_id, s.name AS service_name, r.number_id, p.e164,
             p.source, r.status, r.cost, r.rerent, r.rented_at, r.expires_at, r.ended_at,
             r.refund_amount, r.sms_count""";

  private static final String FROM_RENTALS =
      """

      FROM rentals r
      JOIN services s ON s.id = r.service_id
      JOIN phone_numbers p ON p.id = r.number_id
      """;

  private static final String SELECT = "SELECT " + RENTAL_COLUMNS + FROM_RENTALS;

  /** The rental's newest SMS, as the {@code sms_*} columns {@link SmsColumns} reads. */
  private static final String LAST_SMS_COLUMNS =
      "m.id AS sms_id, m.sender AS sms_sender, m.message AS sms_message, m.code AS sms_code, "
          + "m.received_at AS sms_received_at";

  private static final String JOIN_LAST_SMS = "LEFT JOIN sms_messages m ON m.id = r.last_sms_id\n";

  /**
   * What customers' polls of /code read, for many rentals in one round trip: each rental's owner,
   * status and expiry with its newest SMS. No service or number, so two tables rather than four.
   */
  private static final String POLL_STATE_COLUMNS =
      "SELECT r.id, r.account_id, r.status, r.expires_at, " + LAST_SMS_COLUMNS;

  /**
   * On PostgreSQL the ids come as one array, joined as a table: one statement for any number of
   * ids, and on a table without statistics yet (a new shop's) the planner hashes the ids rather
   * than building the whole IN list again for every row it scans.
   */
  private static final String SELECT_POLL_STATES_POSTGRESQL =
      POLL_STATE_COLUMNS
          + "\nFROM unnest(CAST(:ids AS TEXT[])) AS q(id)\nJOIN rentals r ON r.id = q.id\n"
          + JOIN_LAST_SMS;

  private static final String SELECT_POLL_STATES_H2 =
      POLL_STATE_COLUMNS + "\nFROM rentals r\n" + JOIN_LAST_SMS + "WHERE r.id IN (<ids>)";

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

  /** Where a result set holds a rental's columns ({@link #RENTAL_COLUMNS}). */
  private record RentalColumns(
      int id,
      int accountId,
      int serviceId,
      int serviceName,
      int numberId,
      int e164,
      int source,
      int status,
      int cost,
      int rerent,
      int rentedAt,
      int expiresAt,
      int endedAt,
      int refundAmount,
      int smsCount)
      implements RowMapper<Rental> {

    static RentalColumns of(ResultSet rs) throws SQLException {
      return new RentalColumns(
          rs.findColumn("id"),
          rs.findColumn("account_id"),
          rs.findColumn("service_id"),
          rs.findColumn("service_name"),
          rs.findColumn("number_id"),
          rs.findColumn("e164"),
          rs.findColumn("source"),
          rs.findColumn("status"),
          rs.findColumn("cost"),
          rs.findColumn("rerent"),
          rs.findColumn("rented_at"),
          rs.findColumn("expires_at"),
          rs.findColumn("ended_at"),
          rs.findColumn("refund_amount"),
          rs.findColumn("sms_count"));
    }

    @Override
    public Rental map(ResultSet rs, StatementContext ctx) throws SQLException {
      BigDecimal refund = rs.getBigDecimal(refundAmount);
      return new Rental(
          rs.getString(id),
          rs.getLong(accountId),
          rs.getInt(serviceId),
          rs.getString(serviceName),
          rs.getLong(numberId),
          rs.getString(e164),
          rs.getString(source),
          RentalStatus.fromWire(rs.getString(status)).orElseThrow(),
          Money.of(rs.getBigDecimal(cost)),
          rs.getBoolean(rerent),
          rs.getLong(rentedAt),
          rs.getLong(expiresAt),
          ByPosition.nullableLong(rs, endedAt),
          refund == null ? null : Money.of(refund),
          rs.getInt(smsCount));
    }
  }

  private static final RowMapper<Rental> RENTAL = ByPosition.mapper(RentalColumns::of);

  /** Where a result set holds a rental's newest SMS ({@link #LAST_SMS_COLUMNS}). */
  private record SmsColumns(int id, int sender, int message, int code, int receivedAt) {
    static SmsColumns of(ResultSet rs) throws SQLException {
      return new SmsColumns(
          rs.findColumn("sms_id"),
          rs.findColumn("sms_sender"),
          rs.findColumn("sms_message"),
          rs.findColumn("sms_code"),
          rs.findColumn("sms_received_at"));
    }

    /** The rental's newest SMS, if one arrived. */
    Optional<SmsMessage> read(ResultSet rs, String rentalId) throws SQLException {
      long smsId = rs.getLong(id);
      return rs.wasNull()
          ? Optional.empty()
          : Optional.of(
              new SmsMessage(
                  smsId,
                  rentalId,
                  rs.getString(sender),
                  rs.getString(message),
                  rs.getString(code),
                  rs.getLong(receivedAt)));
    }
  }

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

  void insert(Pipeline writes, Rental r) {
    writes
        .add(
            """
            INSERT INTO rentals (id, account_id, service_id, number_id, status, cost, rerent,
                                 rented_at, expires_at, sms_count)
            VALUES (:id, :account, :service, :number, :status, :cost, :rerent, :rented, :expires, 0)
            """)
        .bind("id", r.id())
        .bind("account", r.accountId())
        .bind("service", r.serviceId())
        .bind("number", r.numberId())
        .bind("status", r.status().wire())
        .bind("cost", r.cost().amount())
        .bind("rerent", r.rerent())
        .bind("rented", r.rentedAt())
        .bind("expires", r.expiresAt());
  }

  Optional<Rental> find(Handle h, String id) {
    return h.createQuery(SELECT + " WHERE r.id = :id").bind("id", id).map(RENTAL).findOne();
  }

  /** The rentals found among {@code ids}, each with its newest SMS, by id. */
  Map<String, PollState> findPollStates(Handle h, List<String> ids) {
    Map<String, PollState> found = new HashMap<>();
    Query query =
        switch (dialect) {
          case POSTGRESQL ->
              h.createQuery(SELECT_POLL_STATES_POSTGRESQL).bindArray("ids", String.class, ids);
          case H2 -> h.createQuery(SELECT_POLL_STATES_H2).bindList("ids", ids);
        };
    query
        .map(
            ByPosition.mapper(
                rs -> {
                  int id = rs.findColumn("id");
                  int accountId = rs.findColumn("account_id");
                  int status = rs.findColumn("status");
                  int expiresAt = rs.findColumn("expires_at");
                  SmsColumns sms = SmsColumns.of(rs);
                  return (row, ctx) -> {
                    String rentalId = row.getString(id);
                    return new PollState(
                        rentalId,
                        row.getLong(accountId),
                        RentalStatus.fromWire(row.getString(status)).orElseThrow(),
                        row.getLong(expiresAt),
                        sms.read(row, rentalId));
                  };
                }))
        .forEach(state -> found.put(state.id(), state));
    return found;
  }

  /**
   * Locks the rental row until the transaction ends and reads it, in one statement. The service and
   * number columns come from scalar subqueries rather than joins, so that only the rental's row is
   * locked, on H2 as on PostgreSQL.
   */
  Optional<Rental> lock(Handle h, String id) {
    return h.createQuery(
            """
            SELECT r.id, r.account_id, r.service_id,
                   (SELECT s.name FROM services s WHERE s.id = r.service_id) AS service_name,
                   r.number_id,
                   (SELECT p.e164 FROM phone_numbers p WHERE p.id = r.number_id) AS e164,
                   (SELECT p.source FROM phone_numbers p WHERE p.id = r.number_id) AS source,
                   r.status, r.cost, r.rerent, r.rented_at, r.expires_at, r.ended_at,
                   r.refund_amount, r.sms_count
            FROM rentals r
            WHERE r.id = :id
            FOR UPDATE
            """)
        .bind("id", id)
        .map(RENTAL)
        .findOne();
  }

  /**
   * Moves a rental the caller holds locked on from {@code from} when {@code writes} runs; a row in
   * another status by then asks for the whole transaction again.
   */
  void transition(
      Pipeline writes, String id, RentalStatus from, RentalStatus to, Long endedAt, Money refund) {
    polls.changing(writes.handle(), id);
    writes
        .add(
            """
            UPDATE rentals SET status = :to, ended_at = :ended, refund_amount = :refund
            WHERE id = :id AND status = :from
            """)
        .bind("to", to.wire())
        .bind("ended", endedAt)
        .bind("refund", refund == null ? null : refund.amount())
        .bind("id", id)
        .bind("from", from.wire())
        .then(
            changed -> {
              if (changed != 1) {
                throw new Database.RetryableConflict("rental " + id + " changed while locked");
              }
            });
  }

  /**
   * Records the arrival of SMS {@code smsId} on the rental, which the caller holds locked, when
   * {@code writes} runs.
   */
  void recordSms(Pipeline writes, String id, long smsId) {
    polls.changing(writes.handle(), id);
    writes
        .add(
            """
            UPDATE rentals
            SET status = 'completed', sms_count = sms_count + 1,
                last_sms_id = CASE WHEN last_sms_id > :sms THEN last_sms_id ELSE :sms END
            WHERE id = :id
            """)
        .bind("sms", smsId)
        .bind("id", id);
  }

  List<String> dueForExpiry(Handle h, long accountId, long now) {
    return h.createQuery(
            "SELECT id FROM rentals WHERE account_id = :account AND status = 'active' AND expires_at <= :now")
        .bind("account", accountId)
        .bind("now", now)
        .mapTo(String.class)
        .list();
  }

  List<String> dueForExpiry(Handle h, long now, int limit) {
    return h.createQuery(
            "SELECT id FROM rentals WHERE status = 'active' AND expires_at <= :now ORDER BY expires_at LIMIT :limit")
        .bind("now", now)
        .bind("limit", limit)
        .mapTo(String.class)
        .list();
  }

  /** Rentals that hold their number now, newest first. */
  List<Rental> holding(Handle h, long accountId, long now) {
    return h.createQuery(
            SELECT
                + """
             WHERE r.account_id = :account AND r.status IN ('active', 'completed') AND r.expires_at > :now
             ORDER BY r.rented_at DESC, r.id DESC
            """)
        .bind("account", accountId)
        .bind("now", now)
        .map(RENTAL)
        .list();
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
      where.append(" AND r.sms_count > 0");
    }
    return where.toString();
  }
}
