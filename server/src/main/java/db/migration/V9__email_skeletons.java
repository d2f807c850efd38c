package db.migration;

import com.ohmyotp.accounts.EmailAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Accounts are known by their address as {@link EmailAddress#key} reads it, and no two may look
 * alike ({@link EmailAddress#skeleton}). Existing accounts get both, oldest first; where an older
 * account already has the same key or skeleton, the newer one keeps its old key and no skeleton (it
 * can still sign in as before; no new account can take an address like it).
 */
public class V9__email_skeletons extends BaseJavaMigration {

  private record Row(long id, String email, String oldKey) {}

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    List<Row> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, email, email_key FROM accounts ORDER BY id")) {
      while (rs.next()) {
        rows.add(new Row(rs.getLong("id"), rs.getString("email"), rs.getString("email_key")));
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE accounts ADD COLUMN email_skeleton VARCHAR(1300)");
      // Every key out of the way first, so that no new key meets an old one not yet changed.
      s.execute("UPDATE accounts SET email_key = CONCAT('#migrating-', id)");
    }
    Set<String> keys = new HashSet<>();
    Set<String> skeletons = new HashSet<>();
    try (PreparedStatement update =
        c.prepareStatement("UPDATE accounts SET email_key = ?, email_skeleton = ? WHERE id = ?")) {
      for (Row row : rows) {
        String key = EmailAddress.key(row.email());
        if (keys.contains(key)) {
          key = row.oldKey();
        }
        if (keys.contains(key)) {
          // Both taken by older accounts: this one is found by its id alone from now on.
          key = "#" + row.id();
        }
        keys.add(key);
        String skeleton = EmailAddress.skeleton(key);
        update.setString(1, key);
        update.setString(2, skeletons.add(skeleton) ? skeleton : null);
        update.setLong(3, row.id());
        update.addBatch();
      }
      update.executeBatch();
    }
    try (Statement s = c.createStatement()) {
      s.execute("CREATE UNIQUE INDEX accounts_email_skeleton ON accounts (email_skeleton)");
    }
  }
}
