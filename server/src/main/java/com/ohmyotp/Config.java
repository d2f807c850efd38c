package com.ohmyotp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Everything an operator can set, read once at start from {@code OHMYOTP_*} environment variables
 * and, when {@code OHMYOTP_CONFIG_FILE} names one, a properties file with the same keys (the
 * environment wins). Bad values fail the start with a message naming the variable. Past 300 lines
 * because each setting is read, checked and explained here, beside its name: one place to look up
 * what a variable does and what the start says when it is wrong.
 *
 * @param dbConnectionTimeout the longest a request waits for a database connection before it is
 *     answered 503, so that an unreachable database never leaves clients hanging
 * @param webhookBodyOnlySignature whether the SMS webhook still accepts a signature of the body
 *     alone, without a timestamp, for gateways not yet changed (replays then go undetected)
 * @param metricsToken when set, {@code /metrics} answers only a request bearing it
 * @param simulatorDelay how long after a rental the simulator delivers its SMS; empty when off
 * @param lowBalance a charge that takes an account's balance below this sends {@code balance.low}
 * @param webhookAllowHosts hosts customers' webhooks may reach whatever they resolve to, over http
 *     too ({@code OHMYOTP_WEBHOOK_ALLOW_HOSTS})
 * @param stripe card top-ups through Stripe Checkout, when both of its secrets are set
 * @param mail the SMTP server for password-reset mail, when {@code OHMYOTP_SMTP_HOST} is set
 */
public record Config(
    int port,
    Path dataDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    Duration dbConnectionTimeout,
    Optional<String> adminToken,
    Optional<String> gatewaySecret,
    Optional<String> metricsToken,
    Optional<String> secretsKey,
    Optional<Duration> simulatorDelay,
    long rateLimitPerSecond,
    long rateLimitBurst,
    long webhookRatePerSecond,
    boolean webhookBodyOnlySignature,
    Duration sweepInterval,
    String defaultRegion,
    boolean seedDemo,
    Duration providerConnectTimeout,
    Duration providerReadTimeout,
    int providerBreakerFailures,
    Duration providerBreakerOpen,
    java.math.BigDecimal providerLowBalance,
    Duration providerReconcileAfter,
    Optional<Path> providersFile,
    boolean providersCheapestFirst,
    Optional<Path> gatewaysFile,
    com.ohmyotp.ledger.Money lowBalance,
    java.util.Set<String> webhookAllowHosts,
    Optional<com.ohmyotp.payments.StripeSettings> stripe,
    Optional<com.ohmyotp.accounts.MailSettings> mail) {

  /** Thrown when a setting is missing or malformed; its message is meant for the operator. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }

  public static Config fromEnvironment() {
    Map<String, String> settings = new HashMap<>();
    String file = System.getenv("OHMYOTP_CONFIG_FILE");
    if (file != null && !file.isBlank()) {
      settings.putAll(readProperties(Path.of(file)));
    }
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.startsWith("OHMYOTP_")) {
                settings.put(k, v);
              }
            });
    return from(settings);
  }

  public static Config from(Map<String, String> settings) {
    Settings s = new Settings(settings);
    Path dataDir = Path.of(s.string("OHMYOTP_DATA_DIR", "./data")).toAbsolutePath().normalize();
    String defaultUrl = "jdbc:h2:file:" + dataDir.resolve("ohmyotp").toString().replace('\\', '/');
    return new Config(
        s.integer("OHMYOTP_PORT", 8080, 0, 65535),
        dataDir,
        databaseUrl(s.string("OHMYOTP_DB_URL", defaultUrl)),
        s.string("OHMYOTP_DB_USER", ""),
        s.string("OHMYOTP_DB_PASSWORD", ""),
        s.integer("OHMYOTP_DB_POOL_SIZE", 16, 1, 500),
        Duration.ofMillis(s.integer("OHMYOTP_DB_CONNECTION_TIMEOUT_MS", 2_000, 250, 60_000)),
        s.optional("OHMYOTP_ADMIN_TOKEN"),
        s.optional("OHMYOTP_GATEWAY_SECRET"),
        s.optional("OHMYOTP_METRICS_TOKEN"),
        s.optional("OHMYOTP_SECRETS_KEY"),
        s.simulatorDelay("OHMYOTP_SIMULATOR_DELAY", Duration.ofSeconds(8)),
        s.integer("OHMYOTP_RATE_LIMIT_PER_SECOND", 200, 1, 1_000_000),
        s.integer("OHMYOTP_RATE_LIMIT_BURST", 400, 1, 10_000_000),
        s.integer("OHMYOTP_WEBHOOK_RATE_PER_SECOND", 500, 1, 1_000_000),
        s.bool("OHMYOTP_WEBHOOK_BODY_ONLY_SIGNATURE", false),
        Duration.ofMillis(s.integer("OHMYOTP_SWEEP_INTERVAL_MS", 5_000, 50, 3_600_000)),
        s.string("OHMYOTP_DEFAULT_REGION", "US").toUpperCase(Locale.ROOT),
        s.bool("OHMYOTP_SEED_DEMO", true),
        Duration.ofMillis(s.integer("OHMYOTP_PROVIDER_CONNECT_TIMEOUT_MS", 2_000, 50, 60_000)),
        Duration.ofMillis(s.integer("OHMYOTP_PROVIDER_READ_TIMEOUT_MS", 5_000, 50, 120_000)),
        s.integer("OHMYOTP_PROVIDER_BREAKER_FAILURES", 5, 1, 1_000),
        Duration.ofMillis(s.integer("OHMYOTP_PROVIDER_BREAKER_OPEN_MS", 30_000, 10, 3_600_000)),
        java.math.BigDecimal.valueOf(
            s.integer("OHMYOTP_PROVIDER_LOW_BALANCE", 10, 0, 1_000_000_000)),
        Duration.ofMillis(
            s.integer("OHMYOTP_PROVIDER_RECONCILE_AFTER_MS", 30_000, 1_000, 3_600_000)),
        s.optional("OHMYOTP_PROVIDERS_FILE").map(Path::of),
        providerOrder(s.string("OHMYOTP_PROVIDER_ORDER", "priority")),
        s.optional("OHMYOTP_GATEWAYS_FILE").map(Path::of),
        money("OHMYOTP_BALANCE_LOW", s.string("OHMYOTP_BALANCE_LOW", "1.00")),
        java.util.Arrays.stream(s.string("OHMYOTP_WEBHOOK_ALLOW_HOSTS", "").split(","))
            .map(String::strip)
            .filter(h -> !h.isEmpty())
            .collect(java.util.stream.Collectors.toUnmodifiableSet()),
        stripe(s),
        mail(s));
  }

  /** Mail for password resets: an SMTP host, a sender, and the public address links point to. */
  private static Optional<com.ohmyotp.accounts.MailSettings> mail(Settings s) {
    Optional<String> host = s.optional("OHMYOTP_SMTP_HOST");
    if (host.isEmpty()) {
      return Optional.empty();
    }
    String security = s.string("OHMYOTP_SMTP_SECURITY", "starttls").toLowerCase(Locale.ROOT);
    if (!java.util.Set.of("starttls", "tls", "none").contains(security)) {
      throw new ConfigException(
          "OHMYOTP_SMTP_SECURITY must be starttls, tls or none, not '" + security + "'");
    }
    String from =
        s.optional("OHMYOTP_MAIL_FROM")
            .orElseThrow(
                () ->
                    new ConfigException(
                        "OHMYOTP_SMTP_HOST needs OHMYOTP_MAIL_FROM, the address mail comes from"));
    String publicUrl =
        s.optional("OHMYOTP_PUBLIC_URL")
            .map(u -> u.replaceAll("/+$", ""))
            .orElseThrow(
                () ->
                    new ConfigException(
                        "OHMYOTP_SMTP_HOST needs OHMYOTP_PUBLIC_URL, the address links in mail"
                            + " point to (such as https://otp.example.com)"));
    if (!publicUrl.matches("https?://[^/\\s]+")) {
      throw new ConfigException(
          "OHMYOTP_PUBLIC_URL must be http(s)://host[:port] with no path, not '" + publicUrl + "'");
    }
    return Optional.of(
        new com.ohmyotp.accounts.MailSettings(
            host.get(),
            s.integer(
                "OHMYOTP_SMTP_PORT",
                security.equals("tls") ? 465 : security.equals("none") ? 25 : 587,
                1,
                65535),
            s.optional("OHMYOTP_SMTP_USER"),
            s.optional("OHMYOTP_SMTP_PASSWORD"),
            security,
            from,
            publicUrl));
  }

  /** Card top-ups: both secrets or neither. */
  private static Optional<com.ohmyotp.payments.StripeSettings> stripe(Settings s) {
    Optional<String> key = s.optional("OHMYOTP_STRIPE_SECRET_KEY");
    Optional<String> webhook = s.optional("OHMYOTP_STRIPE_WEBHOOK_SECRET");
    if (key.isPresent() != webhook.isPresent()) {
      throw new ConfigException(
          "OHMYOTP_STRIPE_SECRET_KEY and OHMYOTP_STRIPE_WEBHOOK_SECRET go together: card top-ups"
              + " need both, or neither to offer none");
    }
    return key.map(
        k ->
            new com.ohmyotp.payments.StripeSettings(
                k,
                webhook.get(),
                s.string("OHMYOTP_STRIPE_API_BASE", com.ohmyotp.payments.StripeSettings.STRIPE_API)
                    .replaceAll("/+$", ""),
                s.string(
                        "OHMYOTP_STRIPE_CHECKOUT_ORIGIN",
                        com.ohmyotp.payments.StripeSettings.STRIPE_CHECKOUT)
                    .replaceAll("/+$", "")));
  }

  private static com.ohmyotp.ledger.Money money(String name, String raw) {
    try {
      java.math.BigDecimal amount = new java.math.BigDecimal(raw.strip());
      if (amount.signum() < 0 || amount.scale() > com.ohmyotp.ledger.Money.SCALE) {
        throw new NumberFormatException();
      }
      return com.ohmyotp.ledger.Money.of(amount);
    } catch (NumberFormatException e) {
      throw new ConfigException(
          name + " must be an amount of money such as 1.00, not '" + raw + "'");
    }
  }

  private static boolean providerOrder(String order) {
    return switch (order.strip().toLowerCase(Locale.ROOT)) {
      case "priority" -> false;
      case "cheapest" -> true;
      default ->
          throw new ConfigException(
              "OHMYOTP_PROVIDER_ORDER must be 'priority' or 'cheapest', not '" + order + "'");
    };
  }

  private static String databaseUrl(String url) {
    if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql://")) {
      throw new ConfigException(
          "OHMYOTP_DB_URL must start with jdbc:postgresql:// or jdbc:h2:, not '"
              + redact(url)
              + "'");
    }
    String upper = url.toUpperCase(Locale.ROOT).replace(" ", "");
    for (String managed :
        new String[] {"WRITE_DELAY", "AUTO_COMPACT_FILL_RATE", "DB_CLOSE_ON_EXIT"}) {
      if (url.startsWith("jdbc:h2:") && upper.contains(";" + managed + "=")) {
        // The embedded database's writes are ohmyotp's to make (docs/production.md).
        throw new ConfigException(
            "OHMYOTP_DB_URL must not set "
                + managed
                + ": ohmyotp decides when the H2 file is written");
      }
    }
    return url;
  }

  public boolean isH2() {
    return dbUrl.startsWith("jdbc:h2:");
  }

  private static Map<String, String> readProperties(Path path) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(path)) {
      properties.load(in);
    } catch (IOException e) {
      throw new ConfigException("OHMYOTP_CONFIG_FILE: cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> map = new HashMap<>();
    properties.forEach((k, v) -> map.put(k.toString(), v.toString()));
    return map;
  }

  private record Settings(Map<String, String> values) {

    Optional<String> optional(String key) {
      String value = values.get(key);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String string(String key, String fallback) {
      return optional(key).orElse(fallback);
    }

    int integer(String key, int fallback, int min, int max) {
      Optional<String> raw = optional(key);
      if (raw.isEmpty()) {
        return fallback;
      }
      try {
        int value = Integer.parseInt(raw.get());
        if (value < min || value > max) {
          throw new NumberFormatException();
        }
        return value;
      } catch (NumberFormatException e) {
        throw new ConfigException(
            key
                + " must be a whole number from "
                + min
                + " to "
                + max
                + ", not '"
                + raw.get()
                + "'");
      }
    }

    boolean bool(String key, boolean fallback) {
      Optional<String> raw = optional(key);
      if (raw.isEmpty()) {
        return fallback;
      }
      return switch (raw.get().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "1", "on" -> true;
        case "false", "no", "0", "off" -> false;
        default ->
            throw new ConfigException(key + " must be true or false, not '" + raw.get() + "'");
      };
    }

    /** Seconds (fractions allowed) or {@code off}. */
    Optional<Duration> simulatorDelay(String key, Duration fallback) {
      Optional<String> raw = optional(key);
      if (raw.isEmpty()) {
        return Optional.of(fallback);
      }
      if (raw.get().equalsIgnoreCase("off")) {
        return Optional.empty();
      }
      try {
        double seconds = Double.parseDouble(raw.get());
        if (!(seconds >= 0 && seconds <= 86_400)) {
          throw new NumberFormatException();
        }
        return Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
      } catch (NumberFormatException e) {
        throw new ConfigException(
            key + " must be a number of seconds (0 to 86400) or 'off', not '" + raw.get() + "'");
      }
    }
  }

  /** Database URLs may carry a password; never print it. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
