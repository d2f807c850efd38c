package com.ohmyotp.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.Application;
import com.ohmyotp.Config;
import com.ohmyotp.support.Driver.Customer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real service, started through {@link Application} on a free port over a fresh database
 * (embedded H2 in a temporary folder, or a schema of its own on PostgreSQL; see {@link
 * TestDatabase}), with a clock the test moves.
 */
public final class TestServer implements AutoCloseable {

  public static final String ADMIN_TOKEN = Driver.ADMIN_TOKEN;
  public static final String GATEWAY_SECRET = Driver.GATEWAY_SECRET;

  public final MutableClock clock = new MutableClock(Instant.parse("2026-05-15T12:00:00Z"));
  public final Application app;
  public final Http http;
  public final Driver driver;
  public final String base;
  private final Path dataDir;
  private final TestDatabase database;

  private TestServer(Map<String, String> overrides) {
    try {
      dataDir = Files.createTempDirectory("ohmyotp-test-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> settings = new HashMap<>();
    settings.put("OHMYOTP_PORT", "0");
    settings.put("OHMYOTP_DATA_DIR", dataDir.toString());
    settings.put("OHMYOTP_ADMIN_TOKEN", ADMIN_TOKEN);
    settings.put("OHMYOTP_GATEWAY_SECRET", GATEWAY_SECRET);
    settings.put("OHMYOTP_SIMULATOR_DELAY", "off");
    settings.put("OHMYOTP_SEED_DEMO", "false");
    settings.put("OHMYOTP_SWEEP_INTERVAL_MS", "3600000");
    settings.put("OHMYOTP_DB_POOL_SIZE", "24");
    database = TestDatabase.create();
    settings.putAll(database.settings());
    settings.putAll(overrides);
    try {
      app = Application.start(Config.from(settings), clock);
    } catch (RuntimeException e) {
      // A start that fails leaves nothing behind either.
      database.drop();
      TempFiles.deleteTree(dataDir);
      throw e;
    }
    base = "http://127.0.0.1:" + app.port();
    http = new Http(base);
    driver = new Driver(http, clock::epochSecond);
  }

  public static TestServer start() {
    return new TestServer(Map.of());
  }

  public static TestServer start(Map<String, String> overrides) {
    return new TestServer(overrides);
  }

  public Customer customer(String balance) {
    return driver.customer(balance);
  }

  public String service(String namePrefix, String price, String source) {
    return driver.service(namePrefix, price, source);
  }

  public List<String> numbers(String source, int count) {
    return driver.numbers(source, count);
  }

  public Http.Response admin(String method, String path, String body) {
    return driver.admin(method, path, body);
  }

  public Http.Response inboundSms(String to, String from, String text) {
    return driver.inboundSms(to, from, text);
  }

  /** A prepaid voucher code worth {@code amount}, issued by the operator. */
  public String voucher(String amount) {
    Http.Response r =
        admin("POST", "/api/admin/vouchers", "{\"amount\":" + amount + ",\"count\":1}");
    if (r.status() != 201) {
      throw new AssertionError("vouchers not issued: " + r.text());
    }
    return r.json().get("codes").get(0).asText();
  }

  public BigDecimal balance(Customer c) {
    return driver.balance(c);
  }

  public JsonNode rent(Customer c, String service) {
    return driver.rent(c, service);
  }

  public static String quote(String s) {
    return Driver.quote(s);
  }

  @Override
  public void close() {
    app.close();
    database.drop();
    TempFiles.deleteTree(dataDir);
  }
}
