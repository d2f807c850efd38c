package com.ohmyotp;

import java.time.Clock;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the service from the environment; start-up problems become one clear line. */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    Config config;
    try {
      config = Config.fromEnvironment();
    } catch (Config.ConfigException e) {
      fail(2, "configuration: " + e.getMessage());
      return;
    }
    Application app;
    try {
      app = Application.start(config, Clock.systemUTC());
    } catch (FlywayException e) {
      fail(
          3,
          "cannot migrate the database at " + Config.redact(config.dbUrl()) + ": " + firstLine(e));
      return;
    } catch (RuntimeException e) {
      if (isDatabaseFailure(e)) {
        fail(
            3,
            "cannot open the database at " + Config.redact(config.dbUrl()) + ": " + rootMessage(e));
      } else if (isPortInUse(e)) {
        fail(4, "port " + config.port() + " is in use; set OHMYOTP_PORT to another port");
      } else {
        log.error("start-up failed", e);
        fail(1, "start-up failed: " + rootMessage(e));
      }
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "ohmyotp-shutdown"));
    if (!config.isH2()
        && (config.adminToken().isEmpty()
            || config.gatewaySecret().isEmpty()
            || config.secretsKey().isEmpty())) {
      // Generated secrets live in this node's data folder: a second node would make its own.
      log.warn(
          "the operator token, gateway secret or secrets key was generated in {}; when several"
              + " nodes share this database, give every node the same OHMYOTP_ADMIN_TOKEN,"
              + " OHMYOTP_GATEWAY_SECRET and OHMYOTP_SECRETS_KEY",
          config.dataDir());
    }

    String base = "http://localhost:" + app.port();
    log.info(
        "ohmyotp listening on {} (database: {})",
        base,
        config.isH2() ? "embedded H2" : "PostgreSQL");
    app.demo()
        .ifPresent(
            demo ->
                System.out.printf(
                    """

        ──────────────────────────────────────────────────────────────
         ohmyotp is ready: the website at %s, the API at %s/api/v1

         Demo account (shown once, on this first start; sign in with it):
           email     %s
           password  %s
           API key   %s

         Try it:
           export API_KEY=%s
           curl %s/api/v1/services -H "Authorization: Bearer $API_KEY"

         Operator token: %s
        ──────────────────────────────────────────────────────────────

        """,
                    base,
                    base,
                    demo.email(),
                    demo.password(),
                    demo.apiKey(),
                    demo.apiKey(),
                    base,
                    config.adminToken().isPresent()
                        ? "from OHMYOTP_ADMIN_TOKEN"
                        : config.dataDir().resolve("admin-token")));
  }

  private static void fail(int code, String message) {
    System.err.println("ohmyotp: " + message);
    System.exit(code);
  }

  private static boolean isDatabaseFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException
          || t.getClass().getName().startsWith("com.zaxxer.hikari")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPortInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return firstLine(root);
  }

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
