package com.ohmyotp.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Migrations;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The migration that gives existing accounts their keys and skeletons, on data that has both. */
class EmailSkeletonMigrationTest {

  private record Row(String email, String key, String skeleton) {}

  @Test
  void olderAccountsKeepTheirAddressesAndNewerLookAlikesKeepSigningIn() {
    String url = Migrations.memoryDatabase("skeletons");
    Migrations.migrateTo(url, "8");
    Jdbi jdbi = Jdbi.create(url);
    try (Handle h = jdbi.open()) {
      // As the code before this migration keyed them: trimmed and lower-cased.
      for (String email :
          List.of(
              "Alice@Example.com",
              "alice@example.com.",
              "\u0430lice@example.com",
              "bob@example.com")) {
        h.createUpdate(
                "INSERT INTO accounts (email, email_key, balance, created_at) VALUES (:e, :k, 0, 0)")
            .bind("e", email)
            .bind("k", email.trim().toLowerCase(java.util.Locale.ROOT))
            .execute();
      }
      Migrations.migrate(url);
      List<Row> rows =
          h.createQuery("SELECT email, email_key, email_skeleton FROM accounts ORDER BY id")
              .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3)))
              .list();
      String alice = EmailAddress.skeleton("alice@example.com");
      assertThat(rows)
          .containsExactly(
              new Row("Alice@Example.com", "alice@example.com", alice),
              // Its new key is the first account's: it keeps its old one, dot and all.
              new Row(
                  "alice@example.com.",
                  "alice@example.com.",
                  EmailAddress.skeleton("alice@example.com.")),
              // It looks like the first: it keeps signing in, and no new account looks like it.
              new Row("\u0430lice@example.com", "\u0430lice@example.com", null),
              new Row(
                  "bob@example.com", "bob@example.com", EmailAddress.skeleton("bob@example.com")));
    }
  }
}
