package db.migration;

import com.ohmyotp.rentals.ActivationIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Every rental gets a numeric activation id ({@link ActivationIds}); the rentals made before this
 * get theirs in the order they were rented, and the sequence of blocks starts after them.
 */
public class V10__activation_ids extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    List<String> ids = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM rentals ORDER BY rented_at, id")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE rentals ADD COLUMN activation_id BIGINT");
    }
    try (PreparedStatement update =
        c.prepareStatement("UPDATE rentals SET activation_id = ? WHERE id = ?")) {
      for (int i = 0; i < ids.size(); i++) {
        update.setLong(1, ActivationIds.FIRST + i);
        update.setString(2, ids.get(i));
        update.addBatch();
        if (i % 1000 == 999) {
          update.executeBatch();
        }
      }
      update.executeBatch();
    }
    long blocksUsed = (ids.size() + ActivationIds.BLOCK - 1) / ActivationIds.BLOCK;
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE rentals ALTER COLUMN activation_id SET NOT NULL");
      s.execute("CREATE UNIQUE INDEX rentals_activation_id ON rentals (activation_id)");
      s.execute("CREATE SEQUENCE activation_id_blocks MINVALUE 0 START WITH " + blocksUsed);
    }
  }
}
