package com.ohmyotp.rentals;

import com.ohmyotp.db.ByPosition;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.sms.SmsMessage;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The columns a rental is read from, shared by the statements that read rentals ({@link
 * RentalStore}, {@link HistoryStore}), and how a result set's row becomes a {@link Rental} and its
 * newest SMS.
 */
final class RentalRows {

  private RentalRows() {}

  static final String RENTAL_COLUMNS =
      """
      r.id, r.activation_id, r.account_id, r.service_id, s.name AS service_name, r.number_id, p.e164,
             p.source, r.status, r.cost, r.rerent, r.rented_at, r.expires_at, r.ended_at,
             r.refund_amount, r.sms_count""";

  static final String FROM_RENTALS =
      """

      FROM rentals r
      JOIN services s ON s.id = r.service_id
      JOIN phone_numbers p ON p.id = r.number_id
      """;

  static final String SELECT = "SELECT " + RENTAL_COLUMNS + FROM_RENTALS;

  /** The rental's newest SMS, as the {@code sms_*} columns {@link SmsColumns} reads. */
  static final String LAST_SMS_COLUMNS =
      "m.id AS sms_id, m.sender AS sms_sender, m.message AS sms_message, m.code AS sms_code, "
          + "m.received_at AS sms_received_at";

  static final String JOIN_LAST_SMS = "LEFT JOIN sms_messages m ON m.id = r.last_sms_id\n";

  /** Where a result set holds a rental's columns ({@link #RENTAL_COLUMNS}). */
  record RentalColumns(
      int id,
      int activationId,
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
          rs.findColumn("activation_id"),
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
          rs.getLong(activationId),
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

  static final RowMapper<Rental> RENTAL = ByPosition.mapper(RentalColumns::of);

  /** Where a result set holds a rental's newest SMS ({@link #LAST_SMS_COLUMNS}). */
  record SmsColumns(int id, int sender, int message, int code, int receivedAt) {
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
}
