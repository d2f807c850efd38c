package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * The {@code available} counts, computed from the inventory counts and the busy numbers, equal a
 * count of every fresh number by its definition, after every kind of change the counts follow:
 * imports with and without expiry, fresh rentals and re-rents, SMS, cancels, retirements, the clock
 * passing holds and expiries, and the sweep.
 */
class AvailabilityTest {

  /** A fresh number by its definition, counted the slow way. */
  private static long freshByDefinition(Handle h, Service s, long now) {
    return h.createQuery(
            """
            SELECT COUNT(*) FROM phone_numbers p
            WHERE p.source = :source AND p.retired_at IS NULL
              AND (p.expires_at IS NULL OR p.expires_at >= :window_end)
              AND (p.held_until IS NULL OR p.held_until <= :now)
              AND NOT EXISTS (SELECT 1 FROM number_usage u WHERE u.number_id = p.id AND u.service_id = :service)
            """)
        .bind("source", s.source())
        .bind("window_end", now + s.durationSeconds())
        .bind("now", now)
        .bind("service", s.id())
        .mapTo(Long.class)
        .one();
  }

  private record Rented(Customer customer, String service, String rentalId, String phone) {}

  @Test
  void theCountsFollowEveryChangeToTheInventory() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    try (TestServer server = TestServer.start()) {
      List<String> services =
          List.of(
              server.driver.service("Short", "0.10", "gateway", 300),
              server.driver.service("Usual", "0.10", "gateway", 600),
              server.driver.service("Long", "0.10", "gateway", 1200));
      List<Customer> customers = List.of(server.customer("1000"), server.customer("1000"));
      Catalog catalog =
          new Catalog(server.app.database(), Set.of("gateway", "simulator"), server.clock);
      Availability availability =
          new Availability(
              server.app.database(),
              new Inventory(server.app.database(), new PhoneNumbers("US"), server.clock),
              server.clock);
      List<String> numbers = new ArrayList<>();
      List<Rented> rented = new ArrayList<>();
      Map<String, Integer> steps = new HashMap<>();

      for (int step = 0; step < 160; step++) {
        String op =
            switch (random.nextInt(10)) {
              case 0, 1 -> {
                StringBuilder body = new StringBuilder("{\"source\":\"gateway\",\"numbers\":[");
                int count = 1 + random.nextInt(3);
                for (int i = 0; i < count; i++) {
                  String number = String.format("212955%04d", numbers.size());
                  numbers.add(number);
                  // Some last for good, some run out while the test goes on, inside or past a
                  // window.
                  String expiry =
                      random.nextBoolean()
                          ? ""
                          : ",\"expires_at\":"
                              + (server.clock.epochSecond() + 1 + random.nextInt(2400));
                  body.append(i == 0 ? "" : ",")
                      .append("{\"phone_number\":\"")
                      .append(number)
                      .append('"')
                      .append(expiry)
                      .append('}');
                }
                assertThat(
                        server
                            .admin("POST", "/api/admin/numbers", body.append("]}").toString())
                            .status())
                    .isEqualTo(201);
                yield "import";
              }
              case 2, 3 -> {
                Customer c = customers.get(random.nextInt(customers.size()));
                String service = services.get(random.nextInt(services.size()));
                var r =
                    server.http.post(
                        "/api/v1/rentals", c.key(), "{\"service_id\":\"" + service + "\"}");
                assertThat(r.status()).as(r.text()).isIn(201, 409);
                if (r.status() == 201) {
                  JsonNode json = r.json();
                  rented.add(
                      new Rented(
                          c, service, json.get("id").asText(), json.get("phone_number").asText()));
                }
                yield "rent " + r.status();
              }
              case 4 -> {
                if (rented.isEmpty()) {
                  yield "none";
                }
                Rented r = rented.get(random.nextInt(rented.size()));
                yield "cancel "
                    + server
                        .http
                        .post(
                            "/api/v1/rentals/" + r.rentalId() + "/cancel", r.customer().key(), null)
                        .status();
              }
              case 5 -> {
                if (rented.isEmpty()) {
                  yield "none";
                }
                Rented r = rented.get(random.nextInt(rented.size()));
                yield "sms " + server.inboundSms(r.phone(), "Test", "Your code is 123456").status();
              }
              case 6 -> {
                if (rented.isEmpty()) {
                  yield "none";
                }
                Rented r = rented.get(random.nextInt(rented.size()));
                var again =
                    server.http.post(
                        "/api/v1/rentals/rerent?idempotency_key=again-" + step,
                        r.customer().key(),
                        "{\"service_id\":\""
                            + r.service()
                            + "\",\"phone_number\":\""
                            + r.phone()
                            + "\"}");
                if (again.status() == 201) {
                  rented.add(
                      new Rented(
                          r.customer(), r.service(), again.json().get("id").asText(), r.phone()));
                }
                yield "rerent " + again.status();
              }
              case 7 -> {
                if (numbers.isEmpty()) {
                  yield "none";
                }
                yield "retire "
                    + server
                        .admin(
                            "DELETE",
                            "/api/admin/numbers/" + numbers.get(random.nextInt(numbers.size())),
                            null)
                        .status();
              }
              case 8 -> {
                server.clock.advance(Duration.ofSeconds(1 + random.nextInt(700)));
                yield "clock";
              }
              default -> {
                server.app.sweepNow();
                yield "sweep";
              }
            };
        steps.merge(op.split(" ")[0], 1, Integer::sum);
        long now = server.clock.epochSecond();
        List<Service> enabled = catalog.enabled();
        Map<Integer, Long> expected = new HashMap<>();
        Map<Integer, Long> counted =
            server
                .app
                .database()
                .read(
                    h -> {
                      enabled.forEach(s -> expected.put(s.id(), freshByDefinition(h, s, now)));
                      return availability.availability(h, enabled, now);
                    });
        assertThat(counted)
            .as("step %d (%s) at %s, seed %d", step, op, Instant.ofEpochSecond(now), seed)
            .isEqualTo(expected);
      }
      // Every kind of change happened.
      assertThat(steps.keySet())
          .as("seed %d", seed)
          .contains("import", "rent", "cancel", "sms", "rerent", "retire", "clock", "sweep");
      Invariants.assertHold(server.app.database());

      // And /services shows them, once its background recount has run.
      long now = server.clock.epochSecond();
      Map<String, Long> expected = new HashMap<>();
      server
          .app
          .database()
          .read(
              h -> {
                catalog
                    .enabled()
                    .forEach(s -> expected.put(s.name(), freshByDefinition(h, s, now)));
                return null;
              });
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Map<String, Long> shown = new HashMap<>();
                server
                    .http
                    .get("/api/v1/services", customers.get(0).key())
                    .json()
                    .get("services")
                    .forEach(s -> shown.put(s.get("name").asText(), s.get("available").asLong()));
                assertThat(shown).isEqualTo(expected);
              });
    }
  }
}
