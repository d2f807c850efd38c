package com.ohmyotp.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ids are taken when an event is written and may commit out of order: the log hands events on in id
 * order, waits for a missing id, passes over it after {@link EventLog#GAP_WAIT_MILLIS} and still
 * hands it on, late, should it commit after all. Events are written here by hand with the ids a
 * slow transaction would leave behind.
 */
class EventLogOrderTest {

  static TestServer server;
  static EventLog log;
  static Customer customer;
  static long next;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    log = server.app.events();
    customer = server.customer("5");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static void write(long id) {
    server
        .app
        .database()
        .inTransaction(
            h ->
                h.createUpdate(
                        "INSERT INTO rental_events (id, account_id, type, balance, created_at)"
                            + " VALUES (:id, :account, 'balance.low', 0.5, 0)")
                    .bind("id", id)
                    .bind("account", customer.id())
                    .execute());
  }

  @Test
  void eventsGoOnInIdOrderWaitingForAMissingIdThenPassingItAndHandingItOnLate() {
    List<Long> handed = new CopyOnWriteArrayList<>();
    try (EventLog.Subscription s = log.listen(customer.id(), e -> handed.add(e.id()))) {
      long h = s.from();
      write(h + 2);
      log.handOnNew();
      assertThat(handed).as("held back behind the missing id").isEmpty();
      write(h + 1);
      log.handOnNew();
      assertThat(handed).containsExactly(h + 1, h + 2);

      write(h + 4);
      log.handOnNew();
      assertThat(handed).hasSize(2);
      server.clock.advance(Duration.ofMillis(EventLog.GAP_WAIT_MILLIS + 1));
      log.handOnNew();
      assertThat(handed).as("passed over after the wait").containsExactly(h + 1, h + 2, h + 4);
      write(h + 3);
      log.handOnNew();
      log.handOnNew();
      assertThat(handed).as("late, once").containsExactly(h + 1, h + 2, h + 4, h + 3);
      assertThat(log.handedOn()).isEqualTo(h + 4);
    }
  }
}
