package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.accounts.ApiKeys;
import com.ohmyotp.rentals.PollCache;
import com.ohmyotp.support.Driver;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.NodeProcess;
import com.ohmyotp.support.SseClient;
import com.ohmyotp.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Three server processes on three ports over one PostgreSQL database, as an operator runs them
 * behind a load balancer: every request may land on any node, and every background sweep runs on
 * all of them at once.
 */
@Tag("postgres")
class MultiNodeTest {

  static TestDatabase database;
  static List<NodeProcess> nodes;
  static Jdbi jdbi;

  @BeforeAll
  static void startNodes() {
    database = TestDatabase.create();
    jdbi = Jdbi.create(database.jdbcUrl());
    Map<String, String> settings = new HashMap<>(NodeProcess.testSettings());
    settings.putAll(database.settings());
    settings.put("OHMYOTP_DB_POOL_SIZE", "8");
    settings.put("OHMYOTP_SWEEP_INTERVAL_MS", "200");
    settings.put("OHMYOTP_WEBHOOK_ALLOW_HOSTS", "127.0.0.1");
    // All three start on the same empty schema at once: the migrations must not trip over
    // each other.
    nodes = NodeProcess.startAll(3, settings);
  }

  @AfterAll
  static void stopNodes() {
    if (nodes != null) {
      nodes.forEach(NodeProcess::close);
    }
    database.drop();
  }

  @AfterEach
  void nodesStayedHealthy(TestInfo test) {
    for (NodeProcess node : nodes) {
      assertThat(node.process.isAlive()).as(node.name + " is running").isTrue();
      assertThat(node.output())
          .as(node.name + " logged no error during " + test.getDisplayName())
          .doesNotContain("level=ERROR");
    }
  }

  private static NodeProcess node(int i) {
    return nodes.get(Math.floorMod(i, nodes.size()));
  }

  private static NodeProcess anyNode() {
    return node(ThreadLocalRandom.current().nextInt(nodes.size()));
  }

  @Test
  void smsAcceptedByOneNodeIsReadByEveryOtherAtOnce() {
    Driver setup = node(0).driver;
    String service = setup.service("Uber", "0.40", "gateway");
    setup.numbers("gateway", 9);
    Customer customer = setup.customer("10");
    for (int i = 0; i < 9; i++) {
      NodeProcess renter = node(i);
      NodeProcess receiver = node(i + 1);
      NodeProcess reader = node(i + 2);
      JsonNode rental = renter.driver.rent(customer, service);
      String code = String.valueOf(100_000 + i);
      Http.Response accepted =
          receiver.driver.inboundSms(
              rental.get("phone_number").asText(), "Uber", "Your Uber code is " + code);
      assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
      assertThat(accepted.json().get("rental_id").asText()).isEqualTo(rental.get("id").asText());

      // No waiting: the very first read on another node has it.
      Http.Response read =
          reader.http.get("/api/v1/rentals/" + rental.get("id").asText() + "/code", customer.key());
      assertThat(read.status()).as(read.text()).isEqualTo(200);
      assertThat(read.json().get("code").asText()).isEqualTo(code);
      assertThat(read.json().get("message").asText()).isEqualTo("Your Uber code is " + code);
    }
  }

  @Test
  void aLongPollOnOneNodeIsAnsweredByAnSmsAcceptedOnAnother() throws Exception {
    Driver setup = node(0).driver;
    String service = setup.service("Uber", "0.40", "gateway");
    setup.numbers("gateway", 2);
    Customer customer = setup.customer("10");
    JsonNode rental = node(0).driver.rent(customer, service);
    String id = rental.get("id").asText();
    java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> waiting =
        java.net.http.HttpClient.newHttpClient()
            .sendAsync(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:"
                                + node(1).port
                                + "/api/v1/rentals/"
                                + id
                                + "/code?wait=60"))
                    .header("Authorization", "Bearer " + customer.key())
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    await("node 1 holds the poll")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> node(1).http.get("/metrics", null).text().contains("ohmyotp_code_waiting 1.0"));

    Http.Response accepted =
        node(2)
            .driver
            .inboundSms(rental.get("phone_number").asText(), "Uber", "Your Uber code is 515151");
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);

    // Told by the change feed, node 1 answers long before the poll's minute is up.
    java.net.http.HttpResponse<String> answer =
        waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("\"code\":\"515151\"");
  }

  @Test
  void anEventStreamOnOneNodeTellsAnSmsAcceptedOnAnother() throws Exception {
    Driver setup = node(0).driver;
    String service = setup.service("Uber", "0.40", "gateway");
    setup.numbers("gateway", 2);
    Customer customer = setup.customer("10");
    JsonNode rental = node(0).driver.rent(customer, service);
    String id = rental.get("id").asText();
    try (SseClient sse =
        new SseClient(
            "http://127.0.0.1:" + node(1).port + "/api/v1/rentals/" + id + "/events",
            customer.key(),
            Map.of())) {
      assertThat(sse.comment(Duration.ofSeconds(10))).isEqualTo("connected");
      Http.Response accepted =
          node(2)
              .driver
              .inboundSms(rental.get("phone_number").asText(), "Uber", "Your Uber code is 626262");
      assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
      // Told by the events channel, node 1 streams it without waiting for its one-second look.
      SseClient.SseEvent sms = sse.next(Duration.ofSeconds(10));
      assertThat(sms.event()).isEqualTo("sms");
      assertThat(sms.data()).contains("\"code\":\"626262\"");
      assertThat(sse.next(Duration.ofSeconds(10)).event()).isEqualTo("status");
    }
  }

  @Test
  void webhookDeliveriesSentByThreeNodesArriveOnceEach() throws Exception {
    Map<String, AtomicInteger> seen = new java.util.concurrent.ConcurrentHashMap<>();
    com.sun.net.httpserver.HttpServer receiver =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress("127.0.0.1", 0), 100);
    receiver.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    receiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          seen.computeIfAbsent(
                  exchange.getRequestHeaders().getFirst("webhook-id"), k -> new AtomicInteger())
              .incrementAndGet();
          try {
            // Slow enough that every node's look for due deliveries overlaps some attempt.
            Thread.sleep(300);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
    try {
      Driver setup = node(0).driver;
      String service = setup.service("Uber", "0.40", "gateway");
      setup.numbers("gateway", 24);
      Customer customer = setup.customer("20");
      Http.Response registered =
          node(1)
              .http
              .post(
                  "/api/v1/webhooks",
                  customer.key(),
                  "{\"url\":\"http://127.0.0.1:"
                      + receiver.getAddress().getPort()
                      + "/hook\",\"events\":[\"sms.received\",\"rental.completed\"]}");
      assertThat(registered.status()).as(registered.text()).isEqualTo(201);
      int rentals = 24;
      for (int i = 0; i < rentals; i++) {
        JsonNode rental = node(i).driver.rent(customer, service);
        assertThat(
                node(i + 1)
                    .driver
                    .inboundSms(rental.get("phone_number").asText(), "Uber", "Code " + (1000 + i))
                    .status())
            .isEqualTo(202);
      }
      await("every delivery arrives")
          .atMost(Duration.ofSeconds(30))
          .until(() -> seen.size() == 2 * rentals);
      // Two nodes claiming one delivery would both send it within their one-second looks.
      await("no delivery arrives twice")
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  seen.size() == 2 * rentals && seen.values().stream().allMatch(n -> n.get() == 1));
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void aRentalPolledOnEveryNodeShowsItsChangesOnEveryNodePromptly() {
    Driver setup = node(0).driver;
    String service = setup.service("Uber", "0.40", "gateway");
    setup.numbers("gateway", 2);
    Customer customer = setup.customer("10");
    JsonNode rental = node(0).driver.rent(customer, service);
    String code = "/api/v1/rentals/" + rental.get("id").asText() + "/code";

    // Polled twice on every node: the second poll is answered from memory.
    for (NodeProcess node : nodes) {
      long fromMemory = pollsFromMemory(node);
      for (int i = 0; i < 2; i++) {
        Http.Response waiting = node.http.get(code, customer.key());
        assertThat(waiting.status()).as(waiting.text()).isEqualTo(200);
        assertThat(waiting.json().get("status").asText()).isEqualTo("active");
      }
      assertThat(pollsFromMemory(node))
          .as(node.name + " kept the answer")
          .isEqualTo(fromMemory + 1);
    }

    // The SMS lands on one node; every node's next polls show it within the feed's delay, well
    // before what they kept would have expired by itself.
    Http.Response accepted =
        node(1)
            .driver
            .inboundSms(rental.get("phone_number").asText(), "Uber", "Your Uber code is 246810");
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    long told = System.nanoTime();
    for (NodeProcess node : nodes) {
      await(node.name + " shows the code")
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () ->
                  "246810"
                      .equals(node.http.get(code, customer.key()).json().path("code").asText()));
    }
    assertThat(Duration.ofNanos(System.nanoTime() - told))
        .isLessThan(PollCache.KEPT_FOR.dividedBy(2));
    for (NodeProcess node : nodes) {
      Http.Response received = node.http.get(code, customer.key());
      assertThat(received.json().get("status").asText()).as(node.name).isEqualTo("completed");
      assertThat(received.json().get("code").asText()).as(node.name).isEqualTo("246810");
    }
  }

  /** How many polls {@code node} answered from memory so far, from its Prometheus metrics. */
  private static long pollsFromMemory(NodeProcess node) {
    String metrics = node.http.get("/metrics", null).text();
    return metrics
        .lines()
        .filter(line -> line.startsWith("ohmyotp_polls_from_memory_total "))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ohmyotp_polls_from_memory_total in " + metrics));
  }

  @Test
  void aKeyRevokedOnOneNodeIsRefusedByEveryNodeAtOnce() {
    Customer customer = node(0).driver.customer("5");
    Http.Response created =
        node(1)
            .driver
            .admin(
                "POST", "/api/admin/accounts/" + customer.id() + "/api-keys", "{\"name\":\"ci\"}");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String key = created.json().get("api_key").asText();
    for (NodeProcess node : nodes) {
      assertThat(node.http.get("/api/v1/balance", key).status()).isEqualTo(200);
    }

    Http.Response revoked =
        node(2)
            .driver
            .admin("DELETE", "/api/admin/api-keys/" + created.json().get("id").asLong(), null);
    assertThat(revoked.status()).as(revoked.text()).isIn(200, 204);

    long revokedAt = System.nanoTime();
    // The node that revoked it refuses it at once; the others within the documented bound.
    Http.Response atOnce = node(2).http.get("/api/v1/balance", key);
    assertThat(atOnce.status()).as(atOnce.text()).isEqualTo(401);
    for (NodeProcess node : nodes) {
      await(node.name + " refuses the revoked key")
          .atMost(ApiKeys.REVOCATION_BOUND.plusMillis(500))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> node.http.get("/api/v1/balance", key).status() == 401);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - revokedAt))
        .isLessThan(ApiKeys.REVOCATION_BOUND.plusMillis(500));
    for (NodeProcess node : nodes) {
      assertThat(node.http.get("/api/v1/balance", key).status())
          .as(node.name + " still refuses it")
          .isEqualTo(401);
    }
    for (NodeProcess node : nodes) {
      assertThat(node.http.get("/api/v1/balance", customer.key()).status())
          .as("the other key still works")
          .isEqualTo(200);
    }
  }

  /** One rental the traffic created, as the client saw it. */
  private record Rented(Customer customer, String id, String phone, String service) {}

  @Test
  void mixedTrafficOnThreeNodesKeepsEveryInvariant() throws Exception {
    Driver setup = node(0).driver;
    // Short rentals expire during the test and are refunded by whichever node's sweep gets there.
    String shortService = setup.service("Lyft", "0.35", "gateway", 60);
    String longService = setup.service("Uber", "0.45", "gateway");
    List<String> services = List.of(shortService, longService);
    setup.numbers("gateway", 40);
    List<Customer> customers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      customers.add(setup.customer("25"));
    }

    List<Rented> rented = Collections.synchronizedList(new ArrayList<>());
    Set<String> createdIds = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    long trafficEnds = System.nanoTime() + Duration.ofSeconds(15).toNanos();

    ExecutorService workers = Executors.newFixedThreadPool(12);
    List<Future<?>> running = new ArrayList<>();
    for (int w = 0; w < 12; w++) {
      running.add(
          workers.submit(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < trafficEnds) {
                  int dice = random.nextInt(100);
                  Customer customer = customers.get(random.nextInt(customers.size()));
                  // The first two customers only rent short rentals and never touch them again, so
                  // those rentals are left for the sweeps to expire.
                  boolean quiet = customers.indexOf(customer) < 2;
                  String service =
                      quiet ? shortService : services.get(random.nextInt(services.size()));
                  Rented some = rented.isEmpty() ? null : rented.get(random.nextInt(rented.size()));
                  if (some != null && customers.indexOf(some.customer()) < 2) {
                    some = null;
                  }
                  String op;
                  Http.Response r;
                  if (dice < 30 || some == null) {
                    op = "rent";
                    String body = "{\"service_id\":\"" + service + "\"}";
                    if (random.nextBoolean()) {
                      String key = UUID.randomUUID().toString();
                      Map<String, String> idem = Map.of("Idempotency-Key", key);
                      r =
                          anyNode()
                              .http
                              .send("POST", "/api/v1/rentals", customer.key(), body, idem);
                      Http.Response replay =
                          anyNode()
                              .http
                              .send("POST", "/api/v1/rentals", customer.key(), body, idem);
                      sameOutcome("rent replay", r, replay, problems);
                      count(statuses, op + " replay", replay);
                      // A failed first attempt frees its key, so the replay may be the one that
                      // rents.
                      created(replay, customer, service, rented, createdIds);
                    } else {
                      r = anyNode().http.post("/api/v1/rentals", customer.key(), body);
                    }
                    created(r, customer, service, rented, createdIds);
                  } else if (dice < 55) {
                    op = "cancel";
                    r =
                        anyNode()
                            .http
                            .post(
                                "/api/v1/rentals/" + some.id() + "/cancel",
                                some.customer().key(),
                                "");
                  } else if (dice < 75) {
                    op = "sms";
                    r =
                        anyNode()
                            .driver
                            .inboundSms(
                                some.phone(),
                                "Lyft",
                                "Your code is " + random.nextInt(100_000, 999_999));
                    if (r.status() == 202) {
                      op = r.json().get("rental_id").isNull() ? "sms unmatched" : "sms delivered";
                    }
                  } else if (dice < 87) {
                    op = "rerent";
                    String path = "/api/v1/rentals/rerent?idempotency_key=" + UUID.randomUUID();
                    String body =
                        "{\"service_id\":\""
                            + some.service()
                            + "\",\"phone_number\":\""
                            + some.phone()
                            + "\"}";
                    r = anyNode().http.post(path, some.customer().key(), body);
                    Http.Response replay = anyNode().http.post(path, some.customer().key(), body);
                    sameOutcome("rerent replay", r, replay, problems);
                    count(statuses, op + " replay", replay);
                    created(replay, some.customer(), some.service(), rented, createdIds);
                    created(r, some.customer(), some.service(), rented, createdIds);
                  } else {
                    op = "read";
                    r =
                        random.nextBoolean()
                            ? anyNode()
                                .http
                                .get(
                                    "/api/v1/rentals/" + some.id() + "/code", some.customer().key())
                            : anyNode().http.get("/api/v1/rentals/active", customer.key());
                  }
                  count(statuses, op, r);
                  if (r.status() >= 500) {
                    problems.add(op + " -> " + r.status() + " " + r.text());
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    workers.shutdown();

    assertThat(problems).as("server errors and replays that differed").isEmpty();
    assertThat(statuses.get("rent 201")).as("rentals made: " + statuses).isNotNull();
    assertThat(statuses.get("sms delivered 202")).as("SMS delivered: " + statuses).isNotNull();
    assertThat(statuses.get("cancel 200")).as("cancellations: " + statuses).isNotNull();

    // Every 201 the clients saw is one row, and there is no row nobody was told about.
    List<Long> accounts = customers.stream().map(Customer::id).toList();
    Set<String> stored =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT id FROM rentals WHERE account_id IN (<accounts>)")
                    .bindList("accounts", accounts)
                    .mapTo(String.class)
                    .set());
    assertThat(stored).containsExactlyInAnyOrderElementsOf(createdIds);

    // With the traffic stopped only the sweeps, racing on three nodes, can expire the short
    // rentals.
    await("every short rental expired by the sweeps")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                jdbi.withHandle(
                        h ->
                            h.createQuery(
                                    """
            SELECT COUNT(*) FROM rentals r JOIN services s ON s.id = r.service_id
            WHERE r.status = 'active' AND s.name = :name""")
                                .bind("name", shortService)
                                .mapTo(Long.class)
                                .one())
                    == 0);
    long expired =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT COUNT(*) FROM rentals WHERE status = 'expired'")
                    .mapTo(Long.class)
                    .one());
    assertThat(expired).as("rentals the sweeps expired").isPositive();

    Invariants.assertHold(jdbi);
    System.out.printf(
        "multi-node traffic: %d rentals, %d expired by the sweeps, outcomes %s%n",
        createdIds.size(), expired, new java.util.TreeMap<>(Map.copyOf(statuses)));
  }

  private static void created(
      Http.Response r,
      Customer customer,
      String service,
      List<Rented> rented,
      Set<String> createdIds) {
    if (r.status() == 201) {
      JsonNode json = r.json();
      if (createdIds.add(json.get("id").asText())) {
        rented.add(
            new Rented(
                customer, json.get("id").asText(), json.get("phone_number").asText(), service));
      }
    }
  }

  private static void sameOutcome(
      String what,
      Http.Response first,
      Http.Response replay,
      ConcurrentLinkedQueue<String> problems) {
    if (first.status() == 201
        && (replay.status() != 201 || !replay.json().get("id").equals(first.json().get("id")))) {
      problems.add(
          what + ": first " + first.text() + ", replay " + replay.status() + " " + replay.text());
    }
  }

  private static void count(Map<String, AtomicInteger> statuses, String op, Http.Response r) {
    statuses.computeIfAbsent(op + " " + r.status(), k -> new AtomicInteger()).incrementAndGet();
  }
}
