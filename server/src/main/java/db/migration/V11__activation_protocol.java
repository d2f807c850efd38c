package db.migration;

import com.ohmyotp.inventory.PhoneNumbers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * What the SMS-Activate protocol needs: each service's short code in it ({@code protocol_code},
 * filled in for the well-known services an install already has), each number's country (read from
 * the number itself, {@link PhoneNumbers#country}), and on each rental the newest SMS it had when
 * its customer asked for another one ({@code retry_after_sms}).
 */
public class V11__activation_protocol extends BaseJavaMigration {

  /** The protocol's codes of services an install is likely to have, by lower-case name. */
  static final Map<String, String> KNOWN_CODES =
      Map.ofEntries(
          Map.entry("uber", "ub"),
          Map.entry("whatsapp", "wa"),
          Map.entry("telegram", "tg"),
          Map.entry("google", "go"),
          Map.entry("facebook", "fb"),
          Map.entry("instagram", "ig"),
          Map.entry("twitter", "tw"),
          Map.entry("x", "tw"),
          Map.entry("discord", "ds"),
          Map.entry("amazon", "am"),
          Map.entry("microsoft", "mm"),
          Map.entry("other", "ot"));

  private record Number(long id, String e164) {}

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE services ADD COLUMN protocol_code VARCHAR(20)");
      s.execute("CREATE UNIQUE INDEX services_protocol_code ON services (protocol_code)");
      s.execute("ALTER TABLE rentals ADD COLUMN retry_after_sms BIGINT");
      s.execute("ALTER TABLE phone_numbers ADD COLUMN country VARCHAR(2)");
    }
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE services SET protocol_code = ? WHERE name_key = ?"
                + " AND NOT EXISTS (SELECT 1 FROM services o WHERE o.protocol_code = ?)")) {
      for (Map.Entry<String, String> known : KNOWN_CODES.entrySet()) {
        update.setString(1, known.getValue());
        update.setString(2, known.getKey());
        update.setString(3, known.getValue());
        update.executeUpdate();
      }
    }
    List<Number> numbers = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, e164 FROM phone_numbers")) {
      while (rs.next()) {
        numbers.add(new Number(rs.getLong(1), rs.getString(2)));
      }
    }
    try (PreparedStatement update =
        c.prepareStatement("UPDATE phone_numbers SET country = ? WHERE id = ?")) {
      int batched = 0;
      for (Number number : numbers) {
        update.setString(1, PhoneNumbers.country(number.e164()).orElse(null));
        update.setLong(2, number.id());
        update.addBatch();
        if (++batched % 1000 == 0) {
          update.executeBatch();
        }
      }
      update.executeBatch();
    }
  }
}
