package com.ohmyotp.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Customers and an operator at work on one server from several threads at once: fresh rentals,
 * cancels, re-rents, inbound SMS, deposits and reads (which settle overdue rentals, so expiry is in
 * the mix once rentals outlive their window). It remembers what the server answered as done — every
 * rental answered 201 and every deposit answered 201 — for a crash test to look for after the
 * server is killed. A request cut off by the kill counts for nothing; an answer the request could
 * not have had (a 500, or a 400 for a well-formed request) is kept as a finding.
 */
public final class MixedTraffic {

  /** A rental the server answered 201 for, in the given burst (counted from 1). */
  public record Rental(String id, Customer customer, String service, String phone, int burst) {}

  private static final int RECENT = 256;

  private final List<Customer> customers;
  private final List<String> services;
  private final Map<String, Rental> answered = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> deposits = new ConcurrentHashMap<>();
  private final AtomicReferenceArray<Rental> recent = new AtomicReferenceArray<>(RECENT);
  private final AtomicLong recentCount = new AtomicLong();
  private final List<String> unexpected = new ArrayList<>();
  private final AtomicInteger numbersToAdd = new AtomicInteger();
  private final AtomicInteger bursts = new AtomicInteger();

  public MixedTraffic(List<Customer> customers, List<String> services) {
    this.customers = List.copyOf(customers);
    this.services = List.copyOf(services);
  }

  /** Every rental answered 201 so far, by id. */
  public Map<String, Rental> answeredRentals() {
    return answered;
  }

  /** How many deposits were answered 201, by account. */
  public Map<Long, Integer> answeredDeposits() {
    Map<Long, Integer> counts = new ConcurrentHashMap<>();
    deposits.forEach((account, count) -> counts.put(account, count.get()));
    return counts;
  }

  /** Answers the requests could not have had, each with its status and body. */
  public synchronized List<String> unexpectedAnswers() {
    return List.copyOf(unexpected);
  }

  /** One burst of traffic against one server process, until {@link #stop}. */
  public final class Burst implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong requests = new AtomicLong();
    private final List<Rental> rentedNow = Collections.synchronizedList(new ArrayList<>());
    private final int number = bursts.incrementAndGet();
    private final ExecutorService threads;
    private final List<Future<?>> workers = new ArrayList<>();

    private Burst(Http http, Driver driver, int clients) {
      threads = Executors.newFixedThreadPool(clients);
      for (int i = 0; i < clients; i++) {
        workers.add(
            threads.submit(
                () -> {
                  while (running.get()) {
                    try {
                      step(http, driver, this);
                      requests.incrementAndGet();
                    } catch (UncheckedIOException | IllegalStateException connectionGone) {
                      // The server was killed under this request: what it answered before is what
                      // counts.
                      if (!running.get()) {
                        return null;
                      }
                    }
                  }
                  return null;
                }));
      }
    }

    /** Whether a client stopped on an error of its own (the test's, not the server's). */
    public boolean failed() {
      return workers.stream().anyMatch(f -> f.state() == Future.State.FAILED);
    }

    /** Requests answered since the burst began. */
    public long requests() {
      return requests.get();
    }

    /** Rentals answered 201 during this burst. */
    public List<Rental> rentals() {
      synchronized (rentedNow) {
        return List.copyOf(rentedNow);
      }
    }

    /** Stops the clients (after the server is gone, their requests fail) and waits for them. */
    public void stop() throws Exception {
      running.set(false);
      for (Future<?> f : workers) {
        f.get();
      }
      threads.shutdown();
    }

    @Override
    public void close() throws Exception {
      stop();
    }
  }

  /** Starts {@code clients} threads of traffic against the node behind {@code http}. */
  public Burst start(Http http, int clients) {
    return new Burst(http, new Driver(http), clients);
  }

  /** Numbers the customers have run out of: the caller imports them between bursts. */
  public int numbersWanted() {
    return numbersToAdd.getAndSet(0);
  }

  private void step(Http http, Driver driver, Burst burst) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Customer customer = customers.get(random.nextInt(customers.size()));
    Rental old = pickRecent(random);
    int dice = random.nextInt(100);
    if (dice < 30 || old == null) {
      String service = services.get(random.nextInt(services.size()));
      Http.Response r =
          http.post("/api/v1/rentals", customer.key(), "{\"service_id\":\"" + service + "\"}");
      if (r.status() == 201) {
        remember(
            new Rental(
                r.json().get("id").asText(),
                customer,
                service,
                r.json().get("phone_number").asText(),
                burst.number),
            burst);
      } else if (r.status() == 409) {
        numbersToAdd.addAndGet(1);
      } else if (r.status() == 402) {
        deposit(driver, customer, "50.00");
      }
      expect(r, 201, 402, 409);
    } else if (dice < 50) {
      expect(
          http.post("/api/v1/rentals/" + old.id() + "/cancel", old.customer().key(), null),
          200,
          409);
    } else if (dice < 60) {
      Http.Response r =
          http.post(
              "/api/v1/rentals/rerent?idempotency_key=crash-" + UUID.randomUUID(),
              old.customer().key(),
              "{\"service_id\":\""
                  + old.service()
                  + "\",\"phone_number\":\""
                  + old.phone()
                  + "\"}");
      if (r.status() == 201) {
        JsonNode body = r.json();
        remember(
            new Rental(
                body.get("id").asText(), old.customer(), old.service(), old.phone(), burst.number),
            burst);
      }
      expect(r, 201, 402, 409);
    } else if (dice < 75) {
      expect(
          driver.inboundSms(old.phone(), "Uber", "Your code is " + random.nextInt(1000, 9999)),
          202);
    } else if (dice < 80) {
      deposit(driver, customer, "5.00");
    } else if (dice < 90) {
      expect(http.get("/api/v1/rentals/" + old.id() + "/code", old.customer().key()), 200);
    } else {
      expect(http.get("/api/v1/balance", customer.key()), 200);
    }
  }

  private void deposit(Driver driver, Customer customer, String amount) {
    Http.Response r =
        driver.admin(
            "POST",
            "/api/admin/accounts/" + customer.id() + "/deposits",
            "{\"amount\":" + amount + ",\"note\":\"crash test\"}");
    if (r.status() == 201) {
      deposits.computeIfAbsent(customer.id(), id -> new AtomicInteger()).incrementAndGet();
    }
    expect(r, 201);
  }

  private void remember(Rental rental, Burst burst) {
    answered.put(rental.id(), rental);
    burst.rentedNow.add(rental);
    recent.set((int) (recentCount.getAndIncrement() % RECENT), rental);
  }

  private Rental pickRecent(ThreadLocalRandom random) {
    long count = recentCount.get();
    if (count == 0) {
      return null;
    }
    return recent.get(random.nextInt((int) Math.min(count, RECENT)));
  }

  private void expect(Http.Response r, int... statuses) {
    for (int status : statuses) {
      if (r.status() == status) {
        return;
      }
    }
    // 503 is the server refusing work it cannot do now (a full pool, say), which clients retry.
    if (r.status() != 503) {
      synchronized (this) {
        unexpected.add(r.status() + " " + r.text());
      }
    }
  }
}
