package db.migration;

import com.ohmyotp.inventory.PhoneNumbers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Numbers stored without a country (those no region's plan accepts, such as test ranges) get the
 * main country of their calling code, as {@link PhoneNumbers#country} now gives new ones.
 */
public class V16__number_countries extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    Map<Long, String> countries = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT id, e164 FROM phone_numbers WHERE country IS NULL ORDER BY id")) {
      while (rs.next()) {
        long id = rs.getLong(1);
        PhoneNumbers.country(rs.getString(2)).ifPresent(country -> countries.put(id, country));
      }
    }
    try (PreparedStatement update =
        c.prepareStatement("UPDATE phone_numbers SET country = ? WHERE id = ?")) {
      int pending = 0;
      for (Map.Entry<Long, String> e : countries.entrySet()) {
        update.setString(1, e.getValue());
        update.setLong(2, e.getKey());
        update.addBatch();
        if (++pending == 1000) {
          update.executeBatch();
          pending = 0;
        }
      }
      update.executeBatch();
    }
  }
}
