package com.ohmyotp.upstream;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.crypto.SecretBox;
import com.ohmyotp.db.Database;
import com.ohmyotp.smsactivate.HandlerApiClient.Peer;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The operator's upstream providers: kept in the database with their API keys sealed ({@link
 * SecretBox}), changed through the operator API. A key goes in and is opened only to call its
 * provider; no answer and no log line carries it.
 *
 * <p>Over 300 lines because it is the providers' table: creating, changing, listing and reaching
 * them with their sealed keys; the checks of each field are in {@link ProviderFields}.
 */
public final class Providers {

  private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_-]{1,40}");
  private static final int DEFAULT_PRIORITY = 100;

  private final Database db;
  private final Catalog catalog;
  private final SecretBox box;
  private final Clock clock;
  // Renting asks for a service's providers every time: kept a second, and forgotten at once
  // when this node changes a provider.
  private final com.github.benmanes.caffeine.cache.Cache<Integer, List<Offer>> offers =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .expireAfterWrite(java.time.Duration.ofSeconds(1))
          .maximumSize(10_000)
          .executor(Runnable::run)
          .build();

  public Providers(Database db, Catalog catalog, SecretBox box, Clock clock) {
    this.db = db;
    this.catalog = catalog;
    this.box = box;
    this.clock = clock;
  }

  /**
   * A provider as the operator describes it; in a change, null fields stay as they are, and {@code
   * services}, when given, replaces the provider's list.
   */
  public record Draft(
      String name,
      String url,
      String apiKey,
      Integer country,
      Map<String, String> services,
      BigDecimal markupPercent,
      BigDecimal markupFixed,
      BigDecimal minPrice,
      Integer priority) {}

  /** A provider that sells a service: its code for it and how to reach it. */
  public record Offer(Provider provider, String code, Peer peer) {}

  /**
   * Adds a provider.
   *
   * @throws ApiException 400 for a bad field or an unknown service, 409 for a name in use
   */
  public Provider create(Draft d) {
    String name = ProviderFields.checkName(d.name());
    String url = ProviderFields.checkUrl(d.url());
    String key = ProviderFields.checkKey(d.apiKey());
    Map<Integer, String> services = checkServices(d.services() == null ? Map.of() : d.services());
    PriceRule rule =
        new PriceRule(
            ProviderFields.checkPercent(
                d.markupPercent() == null ? BigDecimal.ZERO : d.markupPercent()),
            ProviderFields.checkAmount(
                "markup_fixed", d.markupFixed() == null ? BigDecimal.ZERO : d.markupFixed()),
            ProviderFields.checkAmount(
                "min_price", d.minPrice() == null ? BigDecimal.ZERO : d.minPrice()));
    Integer country = ProviderFields.checkCountry(d.country());
    int priority =
        ProviderFields.checkPriority(d.priority() == null ? DEFAULT_PRIORITY : d.priority());
    long now = clock.instant().getEpochSecond();
    try {
      Provider created =
          db.inTransaction(
              h -> {
                int id =
                    h.createUpdate(
                            """
                        INSERT INTO providers (name, name_key, url, api_key_sealed, country,
                            markup_percent, markup_fixed, min_price, priority, created_at)
                        VALUES (:name, :key, :url, :sealed, :country, :percent, :fixed, :min,
                            :priority, :now)
                        """)
                        .bind("name", name)
                        .bind("key", name.toLowerCase(Locale.ROOT))
                        .bind("url", url)
                        .bind("sealed", box.seal(key))
                        .bind("country", country)
                        .bind("percent", rule.markupPercent())
                        .bind("fixed", rule.markupFixed())
                        .bind("min", rule.minPrice())
                        .bind("priority", priority)
                        .bind("now", now)
                        .executeAndReturnGeneratedKeys("id")
                        .mapTo(Integer.class)
                        .one();
                writeServices(h, id, services);
                return byId(h, id).orElseThrow();
              });
      offers.invalidateAll();
      return created;
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw ApiException.conflict(
            "provider_exists", "A provider called '" + name + "' exists already.");
      }
      throw e;
    }
  }

  /** Whether a provider of this name exists. */
  public boolean exists(String name) {
    return name != null && db.read(h -> idOf(h, name)).isPresent();
  }

  /** Every provider, by name. */
  public List<Provider> list() {
    return db.read(
        h -> {
          List<Integer> ids =
              h.createQuery("SELECT id FROM providers ORDER BY name_key")
                  .mapTo(Integer.class)
                  .list();
          List<Provider> all = new ArrayList<>();
          for (int id : ids) {
            byId(h, id).ifPresent(all::add);
          }
          return all;
        });
  }

  /**
   * @throws ApiException 404 for an unknown name
   */
  public Provider require(String name) {
    return db.read(h -> idOf(h, name).flatMap(id -> byId(h, id))).orElseThrow(Providers::unknown);
  }

  /**
   * Changes a provider; a new {@code api_key} replaces the old one.
   *
   * @throws ApiException 404 for an unknown name, 400 for a bad field
   */
  public Provider change(String name, Draft d) {
    Provider current = require(name);
    String url = d.url() == null ? current.url() : ProviderFields.checkUrl(d.url());
    Optional<String> key =
        d.apiKey() == null ? Optional.empty() : Optional.of(ProviderFields.checkKey(d.apiKey()));
    Integer country =
        d.country() == null ? current.country() : ProviderFields.checkCountry(d.country());
    PriceRule old = current.priceRule();
    PriceRule rule =
        new PriceRule(
            d.markupPercent() == null
                ? old.markupPercent()
                : ProviderFields.checkPercent(d.markupPercent()),
            d.markupFixed() == null
                ? old.markupFixed()
                : ProviderFields.checkAmount("markup_fixed", d.markupFixed()),
            d.minPrice() == null
                ? old.minPrice()
                : ProviderFields.checkAmount("min_price", d.minPrice()));
    int priority =
        d.priority() == null ? current.priority() : ProviderFields.checkPriority(d.priority());
    Optional<Map<Integer, String>> services =
        d.services() == null ? Optional.empty() : Optional.of(checkServices(d.services()));
    Provider changed =
        db.inTransaction(
            h -> {
              h.createUpdate(
                      """
                  UPDATE providers SET url = :url, country = :country, markup_percent = :percent,
                      markup_fixed = :fixed, min_price = :min, priority = :priority
                  WHERE id = :id
                  """)
                  .bind("url", url)
                  .bind("country", country)
                  .bind("percent", rule.markupPercent())
                  .bind("fixed", rule.markupFixed())
                  .bind("min", rule.minPrice())
                  .bind("priority", priority)
                  .bind("id", current.id())
                  .execute();
              key.ifPresent(
                  k ->
                      h.createUpdate("UPDATE providers SET api_key_sealed = :sealed WHERE id = :id")
                          .bind("sealed", box.seal(k))
                          .bind("id", current.id())
                          .execute());
              services.ifPresent(
                  s -> {
                    h.createUpdate("DELETE FROM provider_services WHERE provider_id = :id")
                        .bind("id", current.id())
                        .execute();
                    writeServices(h, current.id(), s);
                  });
              return byId(h, current.id()).orElseThrow();
            });
    offers.invalidateAll();
    return changed;
  }

  /**
   * Removes a provider: its services stop selling through it at once; its rentals run to their end.
   *
   * @throws ApiException 404 for an unknown name
   */
  public void delete(String name) {
    Provider current = require(name);
    db.inTransaction(
        h ->
            h.createUpdate("DELETE FROM providers WHERE id = :id")
                .bind("id", current.id())
                .execute());
    offers.invalidateAll();
  }

  /**
   * The providers that sell the service, in the operator's order (priority, then name), as read at
   * most a second ago on this node.
   */
  public List<Offer> offering(int serviceId) {
    return offers.get(serviceId, this::readOffering);
  }

  private List<Offer> readOffering(int serviceId) {
    record Row(int id, String code, String sealed) {}
    return db.read(
        h -> {
          List<Row> rows =
              h.createQuery(
                      """
                      SELECT p.id, ps.code, p.api_key_sealed FROM provider_services ps
                      JOIN providers p ON p.id = ps.provider_id
                      WHERE ps.service_id = :service
                      ORDER BY p.priority, p.name_key
                      """)
                  .bind("service", serviceId)
                  .map(
                      (rs, ctx) ->
                          new Row(
                              rs.getInt("id"),
                              rs.getString("code"),
                              rs.getString("api_key_sealed")))
                  .list();
          List<Offer> offers = new ArrayList<>();
          for (Row row : rows) {
            Provider p = byId(h, row.id()).orElseThrow();
            offers.add(
                new Offer(p, row.code(), new Peer(URI.create(p.url()), box.open(row.sealed()))));
          }
          return offers;
        });
  }

  /** A provider's name and how to reach it. */
  public record Reach(String name, Peer peer) {}

  /** How to reach a provider by its id, if it still exists. */
  public Optional<Reach> reach(int providerId) {
    return db.read(
        h ->
            h.createQuery("SELECT name, url, api_key_sealed FROM providers WHERE id = :id")
                .bind("id", providerId)
                .map(
                    (rs, ctx) ->
                        new Reach(
                            rs.getString("name"),
                            new Peer(
                                URI.create(rs.getString("url")),
                                box.open(rs.getString("api_key_sealed")))))
                .findOne());
  }

  private Optional<Integer> idOf(Handle h, String name) {
    if (name == null || name.length() > 60) {
      return Optional.empty();
    }
    return h.createQuery("SELECT id FROM providers WHERE name_key = :key")
        .bind("key", name.strip().toLowerCase(Locale.ROOT))
        .mapTo(Integer.class)
        .findOne();
  }

  private static Optional<Provider> byId(Handle h, int id) {
    Map<String, String> services = new TreeMap<>();
    h.createQuery(
            """
            SELECT s.name, ps.code FROM provider_services ps JOIN services s ON s.id = ps.service_id
            WHERE ps.provider_id = :id
            """)
        .bind("id", id)
        .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getString("code")))
        .forEach(e -> services.put(e.getKey(), e.getValue()));
    return h.createQuery(
            """
            SELECT id, name, url, country, markup_percent, markup_fixed, min_price, priority,
                   created_at
            FROM providers WHERE id = :id
            """)
        .bind("id", id)
        .map(
            (rs, ctx) -> {
              int country = rs.getInt("country");
              return new Provider(
                  rs.getInt("id"),
                  rs.getString("name"),
                  rs.getString("url"),
                  rs.wasNull() ? null : country,
                  new PriceRule(
                      rs.getBigDecimal("markup_percent").stripTrailingZeros(),
                      rs.getBigDecimal("markup_fixed").stripTrailingZeros(),
                      rs.getBigDecimal("min_price").stripTrailingZeros()),
                  rs.getInt("priority"),
                  Map.copyOf(services),
                  rs.getLong("created_at"));
            })
        .findOne();
  }

  private static void writeServices(Handle h, int providerId, Map<Integer, String> services) {
    for (Map.Entry<Integer, String> e : services.entrySet()) {
      h.createUpdate(
              "INSERT INTO provider_services (provider_id, service_id, code) VALUES (:p, :s, :c)")
          .bind("p", providerId)
          .bind("s", e.getKey())
          .bind("c", e.getValue())
          .execute();
    }
  }

  private Map<Integer, String> checkServices(Map<String, String> services) {
    if (services.size() > 1000) {
      throw ApiException.badRequest("invalid_field", "A provider sells at most 1000 services.");
    }
    Map<Integer, String> byId = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : services.entrySet()) {
      Service service =
          catalog
              .find(e.getKey())
              .orElseThrow(
                  () ->
                      ApiException.badRequest(
                          "unknown_service",
                          "There is no service '"
                              + Catalog.printable(e.getKey())
                              + "' to sell through this provider."));
      if (e.getValue() == null || !CODE.matcher(e.getValue()).matches()) {
        throw ApiException.badRequest(
            "invalid_field",
            "The provider's code for '"
                + service.name()
                + "' must be 1 to 40 letters, digits, '_' or '-'.");
      }
      byId.put(service.id(), e.getValue());
    }
    return byId;
  }

  private static ApiException unknown() {
    return ApiException.notFound("provider_not_found", "There is no provider with that name.");
  }
}
