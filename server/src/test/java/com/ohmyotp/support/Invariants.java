package com.ohmyotp.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.db.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What must be true of the data whatever happened before: races, several nodes, a database outage,
 * a crash. The checks live in {@code invariants.sql} (shared with {@code bench/soak.sh}); each
 * lists the rows that break it, so a failure names them.
 */
public final class Invariants {

  private record Check(String name, String sql) {}

  private static final List<Check> CHECKS = load();

  private Invariants() {}

  private static List<Check> load() {
    String text;
    try (InputStream in = Invariants.class.getResourceAsStream("/invariants.sql")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Check> checks = new ArrayList<>();
    for (String part : text.split("-- check: ")) {
      int newline = part.indexOf('\n');
      if (part.startsWith("--") || newline < 0) {
        continue;
      }
      String sql = part.substring(newline + 1).trim();
      checks.add(
          new Check(part.substring(0, newline).trim(), sql.substring(0, sql.lastIndexOf(';'))));
    }
    return checks;
  }

  /** Every broken invariant, each with the rows that break it; empty when all hold. */
  public static List<String> violations(Handle h) {
    List<String> violations = new ArrayList<>();
    for (Check check : CHECKS) {
      List<String> rows = h.createQuery(check.sql()).mapTo(String.class).list();
      if (!rows.isEmpty()) {
        violations.add(check.name() + ": " + rows.subList(0, Math.min(rows.size(), 10)));
      }
    }
    return violations;
  }

  public static void assertHold(Jdbi jdbi) {
    assertThat(CHECKS).hasSize(10);
    assertThat(jdbi.withHandle(Invariants::violations)).as("invariants").isEmpty();
  }

  public static void assertHold(Database db) {
    assertThat(CHECKS).hasSize(10);
    assertThat(db.read(Invariants::violations)).as("invariants").isEmpty();
  }
}
