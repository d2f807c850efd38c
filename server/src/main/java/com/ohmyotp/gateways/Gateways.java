package com.ohmyotp.gateways;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.crypto.SecretBox;
import com.ohmyotp.db.Database;
import com.ohmyotp.inventory.NumberStock;
import com.ohmyotp.inventory.PhoneNumbers;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's gateways: kept in the database with their secrets sealed ({@link SecretBox}),
 * changed through the operator API or a configuration file. A secret is opened only to check a
 * post; no answer and no log line carries it. The numbers a gateway serves are in inventory as that
 * gateway's; while it is down they are not offered.
 *
 * <p>Over 300 lines because it is the gateways' table and what hangs on its rows: creating,
 * changing and listing them with their sealed secrets, their numbers and SIMs, and their down and
 * up, each a conditional update of the same row; the checks of each field are in {@link
 * GatewayFields}, the formats elsewhere.
 */
public final class Gateways {

  private static final Logger log = LoggerFactory.getLogger(Gateways.class);

  private final Database db;
  private final NumberStock stock;
  private final PhoneNumbers phones;
  private final SecretBox box;
  private final Clock clock;
  // Every post looks its gateway up: kept a few seconds, forgotten at once when this node changes
  // one. A gateway another node changed is seen here within the expiry.
  private final com.github.benmanes.caffeine.cache.Cache<String, Optional<Gateway>> byName =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .expireAfterWrite(java.time.Duration.ofSeconds(5))
          .maximumSize(10_000)
          .executor(Runnable::run)
          .build();

  // Opening a sealed secret is a cipher's work on every post: each is opened once and kept while
  // in use, by its sealed form, so a changed secret is a new entry.
  private final com.github.benmanes.caffeine.cache.Cache<String, String> opened =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .expireAfterAccess(java.time.Duration.ofMinutes(10))
          .maximumSize(10_000)
          .executor(Runnable::run)
          .build();

  public Gateways(Database db, NumberStock stock, PhoneNumbers phones, SecretBox box, Clock clock) {
    this.db = db;
    this.stock = stock;
    this.phones = phones;
    this.box = box;
    this.clock = clock;
  }

  /** A device's SIM as the operator registers it. */
  public record SimDraft(String device, Integer sim, String phone) {}

  /**
   * A gateway as the operator describes it; in a change, null fields stay as they are, and {@code
   * numbers} and {@code devices}, when given, are added.
   */
  public record Draft(
      String name,
      String kind,
      String secret,
      List<String> numbers,
      Boolean autoRegister,
      String publicUrl,
      String signatureMethod,
      Integer silentMinutes,
      List<SimDraft> devices) {}

  /**
   * Adds a gateway, and its numbers to inventory.
   *
   * @throws ApiException 400 for a bad field, 409 for a name in use
   */
  public Gateway create(Draft d) {
    String name = GatewayFields.checkName(d.name());
    GatewayKind kind = GatewayFields.checkKind(d.kind());
    String secret = GatewayFields.checkSecret(d.secret());
    String publicUrl = GatewayFields.checkUrl(d.publicUrl());
    String method = GatewayFields.checkSignatureMethod(kind, d.signatureMethod());
    int silent = GatewayFields.checkSilentMinutes(d.silentMinutes());
    List<String> numbers = checkNumbers(d.numbers());
    List<Gateway.Sim> sims = checkSims(d.devices());
    long now = clock.instant().getEpochSecond();
    try {
      Gateway created =
          db.inTransaction(
              h -> {
                int id =
                    h.createUpdate(
                            """
                        INSERT INTO gateways (name, name_key, kind, secret_sealed, auto_register,
                            public_url, signature_method, silent_minutes, created_at)
                        VALUES (:name, :key, :kind, :sealed, :auto, :url, :method, :silent, :now)
                        """)
                        .bind("name", name)
                        .bind("key", name.toLowerCase(Locale.ROOT))
                        .bind("kind", kind.wireName())
                        .bind("sealed", box.seal(secret))
                        .bind("auto", Boolean.TRUE.equals(d.autoRegister()))
                        .bind("url", publicUrl)
                        .bind("method", method)
                        .bind("silent", silent)
                        .bind("now", now)
                        .executeAndReturnGeneratedKeys("id")
                        .mapTo(Integer.class)
                        .one();
                addNumbers(h, id, numbers, sims, now);
                return byId(h, id).orElseThrow();
              });
      byName.invalidateAll();
      return created;
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw ApiException.conflict(
            "gateway_exists", "A gateway called '" + name + "' exists already.");
      }
      throw e;
    }
  }

  /** Every gateway, by name. */
  public List<Gateway> list() {
    return db.read(
        h -> {
          List<Integer> ids =
              h.createQuery("SELECT id FROM gateways ORDER BY name_key")
                  .mapTo(Integer.class)
                  .list();
          List<Gateway> all = new ArrayList<>();
          for (int id : ids) {
            byId(h, id).ifPresent(all::add);
          }
          return all;
        });
  }

  /** The gateway of a name, as a post looks it up (cached a few seconds). */
  public Optional<Gateway> find(String name) {
    if (name == null || name.length() > 40) {
      return Optional.empty();
    }
    return byName.get(
        name.toLowerCase(Locale.ROOT),
        key ->
            db.read(
                h ->
                    h.createQuery("SELECT id FROM gateways WHERE name_key = :key")
                        .bind("key", key)
                        .mapTo(Integer.class)
                        .findOne()
                        .flatMap(id -> byId(h, id))));
  }

  /**
   * @throws ApiException 404 for an unknown name
   */
  public Gateway require(String name) {
    return find(name)
        .orElseThrow(
            () -> ApiException.notFound("gateway_not_found", "There is no gateway of that name."));
  }

  /** The gateway's secret, opened for one check. */
  public GatewaySecret secretOf(Gateway g) {
    return new GatewaySecret(opened.get(g.sealedSecret(), box::open), g.signatureMethod());
  }

  /**
   * Changes a gateway; a new {@code secret} replaces the old one, listed numbers and devices are
   * added.
   *
   * @throws ApiException 404 for an unknown name, 400 for a bad field
   */
  public Gateway change(String name, Draft d) {
    Gateway current = require(name);
    if (d.kind() != null && GatewayFields.checkKind(d.kind()) != current.kind()) {
      throw ApiException.badRequest(
          "invalid_field", "A gateway's kind cannot change: add a gateway of the other kind.");
    }
    Optional<String> secret =
        d.secret() == null ? Optional.empty() : Optional.of(GatewayFields.checkSecret(d.secret()));
    String publicUrl =
        d.publicUrl() == null ? current.publicUrl() : GatewayFields.checkUrl(d.publicUrl());
    String method =
        d.signatureMethod() == null
            ? current.signatureMethod()
            : GatewayFields.checkSignatureMethod(current.kind(), d.signatureMethod());
    int silent =
        d.silentMinutes() == null
            ? current.silentMinutes()
            : GatewayFields.checkSilentMinutes(d.silentMinutes());
    boolean auto = d.autoRegister() == null ? current.autoRegister() : d.autoRegister();
    List<String> numbers = checkNumbers(d.numbers());
    List<Gateway.Sim> sims = checkSims(d.devices());
    long now = clock.instant().getEpochSecond();
    Gateway changed =
        db.inTransaction(
            h -> {
              h.createUpdate(
                      """
                  UPDATE gateways SET public_url = :url, signature_method = :method,
                      silent_minutes = :silent, auto_register = :auto
                  WHERE id = :id
                  """)
                  .bind("url", publicUrl)
                  .bind("method", method)
                  .bind("silent", silent)
                  .bind("auto", auto)
                  .bind("id", current.id())
                  .execute();
              secret.ifPresent(
                  s ->
                      h.createUpdate("UPDATE gateways SET secret_sealed = :sealed WHERE id = :id")
                          .bind("sealed", box.seal(s))
                          .bind("id", current.id())
                          .execute());
              addNumbers(h, current.id(), numbers, sims, now);
              return byId(h, current.id()).orElseThrow();
            });
    byName.invalidateAll();
    return changed;
  }

  /**
   * Removes a gateway and retires its numbers: no SMS can reach them any more. Rentals holding one
   * keep it until their window closes.
   *
   * @throws ApiException 404 for an unknown name
   */
  public int delete(String name) {
    Gateway current = require(name);
    long now = clock.instant().getEpochSecond();
    int retired =
        db.inTransaction(
            h -> {
              List<String> numbers =
                  h.createQuery(
                          "SELECT e164 FROM phone_numbers WHERE gateway_id = :id AND retired_at IS NULL ORDER BY id")
                      .bind("id", current.id())
                      .mapTo(String.class)
                      .list();
              int count = 0;
              for (String e164 : numbers) {
                count += stock.retire(h, e164, now) ? 1 : 0;
              }
              h.createUpdate("UPDATE phone_numbers SET gateway_id = NULL WHERE gateway_id = :id")
                  .bind("id", current.id())
                  .execute();
              h.createUpdate("DELETE FROM gateways WHERE id = :id")
                  .bind("id", current.id())
                  .execute();
              return count;
            });
    byName.invalidateAll();
    return retired;
  }

  /**
   * Takes a number first seen from a gateway that registers what it sees into inventory as that
   * gateway's; false when the number is known already.
   */
  public boolean register(Gateway g, String e164) {
    // Nearly every SMS is to a number known already: a read, not a write transaction, says so.
    boolean known =
        db.read(
            h ->
                h.createQuery("SELECT 1 FROM phone_numbers WHERE e164 = :e164")
                    .bind("e164", e164)
                    .mapTo(Integer.class)
                    .findOne()
                    .isPresent());
    if (known) {
      return false;
    }
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h -> {
          List<NumberStock.ImportResult> results =
              stock.importNumbers(
                  h,
                  com.ohmyotp.sources.Gateway.NAME,
                  List.of(new NumberStock.ImportRow(e164, null)),
                  now);
          boolean imported = results.get(0).status().equals("imported");
          if (imported) {
            assign(h, g.id(), e164);
          }
          return imported;
        });
  }

  /** The number registered for a device's SIM slot (or its only SIM when the slot is unknown). */
  public Optional<String> simNumber(Gateway g, String device, Integer slot) {
    if (device == null) {
      return Optional.empty();
    }
    List<Gateway.Sim> onDevice = g.sims().stream().filter(s -> s.device().equals(device)).toList();
    if (slot != null) {
      Optional<Gateway.Sim> exact = onDevice.stream().filter(s -> s.slot() == slot).findFirst();
      if (exact.isPresent()) {
        return Optional.of(exact.get().e164());
      }
    }
    return onDevice.size() == 1 ? Optional.of(onDevice.get(0).e164()) : Optional.empty();
  }

  private void addNumbers(
      Handle h, int gatewayId, List<String> numbers, List<Gateway.Sim> sims, long now) {
    List<String> all = new ArrayList<>(numbers);
    for (Gateway.Sim sim : sims) {
      h.createUpdate(
              """
              DELETE FROM gateway_sims WHERE gateway_id = :g AND device = :device AND slot = :slot
              """)
          .bind("g", gatewayId)
          .bind("device", sim.device())
          .bind("slot", sim.slot())
          .execute();
      h.createUpdate(
              """
              INSERT INTO gateway_sims (gateway_id, device, slot, e164)
              VALUES (:g, :device, :slot, :e164)
              """)
          .bind("g", gatewayId)
          .bind("device", sim.device())
          .bind("slot", sim.slot())
          .bind("e164", sim.e164())
          .execute();
      all.add(sim.e164());
    }
    if (all.isEmpty()) {
      return;
    }
    List<NumberStock.ImportRow> rows =
        all.stream().distinct().map(n -> new NumberStock.ImportRow(n, null)).toList();
    stock.importNumbers(h, com.ohmyotp.sources.Gateway.NAME, rows, now);
    for (NumberStock.ImportRow row : rows) {
      assign(h, gatewayId, row.phoneNumber());
    }
  }

  private static void assign(Handle h, int gatewayId, String e164) {
    h.createUpdate(
            "UPDATE phone_numbers SET gateway_id = :g WHERE e164 = :e164 AND source = :source")
        .bind("g", gatewayId)
        .bind("e164", e164)
        .bind("source", com.ohmyotp.sources.Gateway.NAME)
        .execute();
  }

  private List<String> checkNumbers(List<String> numbers) {
    if (numbers == null) {
      return List.of();
    }
    if (numbers.size() > 10_000) {
      throw ApiException.badRequest(
          "too_many_numbers", "List at most 10000 numbers at once; import more as CSV.");
    }
    List<String> e164s = new ArrayList<>();
    for (String n : numbers) {
      e164s.add(
          phones
              .toE164(n)
              .orElseThrow(
                  () ->
                      ApiException.badRequest(
                          "invalid_phone_number",
                          "'" + Catalog.printable(n) + "' in 'numbers' is not a phone number.")));
    }
    return e164s;
  }

  private List<Gateway.Sim> checkSims(List<SimDraft> devices) {
    if (devices == null) {
      return List.of();
    }
    List<Gateway.Sim> sims = new ArrayList<>();
    for (SimDraft d : devices) {
      if (d == null || d.device() == null || d.device().isBlank() || d.device().length() > 100) {
        throw ApiException.badRequest(
            "invalid_field", "Each of 'devices' has a 'device' id of 1 to 100 characters.");
      }
      if (d.sim() != null && (d.sim() < 1 || d.sim() > 8)) {
        throw ApiException.badRequest("invalid_field", "A device's 'sim' slot is 1 to 8.");
      }
      String e164 =
          phones
              .toE164(d.phone())
              .orElseThrow(
                  () ->
                      ApiException.badRequest(
                          "invalid_phone_number", "Each of 'devices' has the SIM's 'phone'."));
      sims.add(new Gateway.Sim(d.device().strip(), d.sim() == null ? 0 : d.sim(), e164));
    }
    return sims;
  }

  /** Records a post from the gateway on any node's behalf; a down gateway comes back up. */
  public void seen(Gateway g, long now) {
    if (g.down()) {
      boolean up =
          db.inTransaction(
              h -> {
                int changed =
                    h.createUpdate(
                            "UPDATE gateways SET down = FALSE, last_seen_at = :now WHERE id = :id AND down = TRUE")
                        .bind("now", now)
                        .bind("id", g.id())
                        .execute();
                if (changed == 1) {
                  stock.resumeGateway(h, g.id(), now);
                }
                return changed == 1;
              });
      if (up) {
        log.info("gateway {} is up again: its numbers are offered", g.name());
      }
      byName.invalidateAll();
      return;
    }
    db.inTransaction(
        h ->
            h.createUpdate(
                    "UPDATE gateways SET last_seen_at = :now WHERE id = :id AND (last_seen_at IS NULL OR last_seen_at < :now)")
                .bind("now", now)
                .bind("id", g.id())
                .execute());
  }

  /**
   * Marks down each gateway silent for longer than its threshold, taking its numbers out of what is
   * offered; returns how many it marked.
   */
  public int markSilentDown() {
    long now = clock.instant().getEpochSecond();
    int marked = 0;
    for (Gateway g : list()) {
      if (g.down() || g.silentMinutes() == 0) {
        continue;
      }
      long since = g.lastSeenAt() == null ? g.createdAt() : g.lastSeenAt();
      if (now - since <= g.silentMinutes() * 60L) {
        continue;
      }
      boolean changed =
          db.inTransaction(
              h -> {
                int rows =
                    h.createUpdate(
                            "UPDATE gateways SET down = TRUE WHERE id = :id AND down = FALSE"
                                + " AND COALESCE(last_seen_at, created_at) < :cutoff")
                        .bind("id", g.id())
                        .bind("cutoff", now - g.silentMinutes() * 60L)
                        .execute();
                if (rows == 1) {
                  stock.pauseGateway(h, g.id());
                }
                return rows == 1;
              });
      if (changed) {
        marked++;
        log.warn(
            "gateway {} has been silent for over {} minutes: marked down, its numbers are not"
                + " offered until it posts again",
            g.name(),
            g.silentMinutes());
      }
    }
    if (marked > 0) {
      byName.invalidateAll();
    }
    return marked;
  }

  private Optional<Gateway> byId(Handle h, int id) {
    List<Gateway.Sim> sims =
        h.createQuery(
                "SELECT device, slot, e164 FROM gateway_sims WHERE gateway_id = :id ORDER BY device, slot")
            .bind("id", id)
            .map(
                (rs, ctx) ->
                    new Gateway.Sim(
                        rs.getString("device"), rs.getInt("slot"), rs.getString("e164")))
            .list();
    return h.createQuery("SELECT * FROM gateways WHERE id = :id")
        .bind("id", id)
        .map(
            (rs, ctx) ->
                new Gateway(
                    rs.getInt("id"),
                    rs.getString("name"),
                    GatewayKind.of(rs.getString("kind")).orElseThrow(),
                    rs.getString("secret_sealed"),
                    rs.getBoolean("auto_register"),
                    rs.getString("public_url"),
                    rs.getString("signature_method"),
                    rs.getInt("silent_minutes"),
                    rs.getBoolean("down"),
                    (Long) rs.getObject("last_seen_at", Long.class),
                    rs.getLong("created_at"),
                    sims))
        .findOne();
  }

  /** The numbers each gateway serves, counted, by gateway id. */
  public java.util.Map<Integer, Long> numbersByGateway() {
    return db.read(
        h ->
            h.createQuery(
                    "SELECT gateway_id, COUNT(*) AS numbers FROM phone_numbers WHERE gateway_id IS NOT NULL AND retired_at IS NULL GROUP BY gateway_id")
                .map(
                    (rs, ctx) ->
                        java.util.Map.entry(rs.getInt("gateway_id"), rs.getLong("numbers")))
                .collectToMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
  }
}
