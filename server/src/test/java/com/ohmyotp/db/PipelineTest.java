package com.ohmyotp.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ohmyotp.support.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pipeline on the suite's database: in one round trip on PostgreSQL, one by one on H2. */
class PipelineTest {

  private TestDatabase testDatabase;
  private Database db;

  @BeforeEach
  void open() {
    testDatabase = TestDatabase.create();
    String url =
        TestDatabase.isPostgres()
            ? testDatabase.jdbcUrl()
            : "jdbc:h2:mem:pipeline-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    db = Database.open(url, "", "", 2, Duration.ofSeconds(5), new SimpleMeterRegistry());
    db.inTransaction(
        h ->
            h.execute(
                "CREATE TABLE tally (id INT PRIMARY KEY, name VARCHAR(20), amount NUMERIC(19, 4) NOT NULL)"));
    db.inTransaction(
        h -> h.execute("INSERT INTO tally (id, name, amount) VALUES (1, 'one', 0), (2, 'two', 0)"));
  }

  @AfterEach
  void close() {
    db.close();
    testDatabase.drop();
  }

  @Test
  void statementsRunInOrderAndEachCheckGetsItsOwnCount() {
    List<String> checked = new ArrayList<>();
    db.inTransaction(
        h -> {
          Pipeline writes = db.pipeline(h);
          // The same names with other values in each statement.
          writes
              .add("UPDATE tally SET amount = amount + :amount WHERE id = :id")
              .bind("amount", new BigDecimal("1.25"))
              .bind("id", 1)
              .then(count -> checked.add("first " + count));
          writes
              .add("UPDATE tally SET amount = amount + :amount WHERE id = :id")
              .bind("amount", new BigDecimal("2.50"))
              .bind("id", 7)
              .then(count -> checked.add("second " + count));
          writes
              .add("UPDATE tally SET amount = amount * 2, name = :name WHERE id >= :id")
              .bind("name", (String) null)
              .bind("id", 1)
              .then(count -> checked.add("third " + count));
          writes.run();
          return null;
        });

    assertThat(checked).containsExactly("first 1", "second 0", "third 2");
    assertThat(amounts()).containsExactly("1:2.5000:null", "2:0.0000:null");
  }

  @Test
  void aCheckThatThrowsRollsBackEveryStatementOfTheTransaction() {
    assertThatThrownBy(
            () ->
                db.inTransaction(
                    h -> {
                      Pipeline writes = db.pipeline(h);
                      writes
                          .add("UPDATE tally SET amount = amount + 5 WHERE id = :id")
                          .bind("id", 1)
                          .then(
                              count -> {
                                throw new IllegalStateException("refused after " + count);
                              });
                      writes
                          .add("UPDATE tally SET amount = amount + 7 WHERE id = :id")
                          .bind("id", 2);
                      writes.run();
                      return null;
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("refused after 1");

    assertThat(amounts()).containsExactly("1:0.0000:one", "2:0.0000:two");
  }

  @Test
  void aFailingStatementFailsTheRunWithTheDatabasesError() {
    assertThatThrownBy(
            () ->
                db.inTransaction(
                    h -> {
                      Pipeline writes = db.pipeline(h);
                      writes.add("UPDATE tally SET amount = 1 WHERE id = :id").bind("id", 1);
                      writes
                          .add("INSERT INTO tally (id, name, amount) VALUES (:id, 'again', 0)")
                          .bind("id", 2);
                      writes.run();
                      return null;
                    }))
        .satisfies(e -> assertThat(Database.isUniqueViolation(e)).isTrue());

    assertThat(amounts()).containsExactly("1:0.0000:one", "2:0.0000:two");
  }

  @Test
  void aParameterLeftUnboundFailsTheRun() {
    assertThatThrownBy(
            () ->
                db.inTransaction(
                    h -> {
                      Pipeline writes = db.pipeline(h);
                      writes.add("UPDATE tally SET amount = 1 WHERE id = :id").bind("id", 1);
                      writes.add("UPDATE tally SET amount = 2 WHERE id = :id");
                      writes.run();
                      return null;
                    }))
        .hasMessageContaining("id");

    assertThat(amounts()).containsExactly("1:0.0000:one", "2:0.0000:two");
  }

  private List<String> amounts() {
    return db.read(
        h ->
            h.createQuery("SELECT id, name, amount FROM tally ORDER BY id")
                .map(
                    (rs, ctx) ->
                        rs.getInt("id")
                            + ":"
                            + rs.getBigDecimal("amount").setScale(4)
                            + ":"
                            + rs.getString("name"))
                .list());
  }
}
