package com.ohmyotp.rentals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.api.Json;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.inventory.Inventory.PhoneState;
import com.ohmyotp.ledger.Ledger;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.push.EventLog;
import com.ohmyotp.rentals.RentalViews.RentalView;
import com.ohmyotp.sources.NumberSource.StartedRental;
import com.ohmyotp.sources.NumberSources;
import com.ohmyotp.sources.NumberSupplier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renting a fresh number for a service, and renting again a number the customer had before. The
 * number is claimed, the rental written and the price charged in one transaction; a request
 * repeated with its idempotency key gets the first answer again and is charged nothing.
 *
 * <p>Over 300 lines because a fresh rent, a re-rent and a rent through a provider share one
 * transaction, its idempotency and its charge.
 */
public final class Renting {

  private static final Logger log = LoggerFactory.getLogger(Renting.class);

  private final Database db;
  private final Catalog catalog;
  private final Inventory inventory;
  private final Ledger ledger;
  private final NumberSources sources;
  private final RentalStore store;
  private final RentalCounts counts;
  private final IdempotencyKeys idempotency;
  private final ActivationIds activationIds;
  private final RentalViews views;
  private final ObjectMapper json;
  private final Clock clock;
  private final EventLog events;

  public Renting(
      Database db,
      Catalog catalog,
      Inventory inventory,
      Ledger ledger,
      NumberSources sources,
      RentalStore store,
      RentalCounts counts,
      IdempotencyKeys idempotency,
      ActivationIds activationIds,
      RentalViews views,
      EventLog events,
      ObjectMapper json,
      Clock clock) {
    this.db = db;
    this.events = events;
    this.catalog = catalog;
    this.inventory = inventory;
    this.ledger = ledger;
    this.sources = sources;
    this.store = store;
    this.counts = counts;
    this.idempotency = idempotency;
    this.activationIds = activationIds;
    this.views = views;
    this.json = json;
    this.clock = clock;
  }

  /** What a rent or re-rent request got: a new rental, or the answer its first try got. */
  public sealed interface Rented {

    /** A rental started by this request. */
    record Started(RentalView rental) implements Rented {}

    /** A request repeated with its idempotency key: the rental its first try started, as JSON. */
    record Replayed(String firstAnswer) implements Rented {}
  }

  /**
   * Rents a fresh number for a service.
   *
   * @param idempotencyKey optional; a replay returns the original answer and charges nothing
   */
  public Rented rent(Caller caller, String serviceName, Optional<String> idempotencyKey) {
    return rent(
        caller, serviceName, idempotencyKey, new Wishes(Optional.empty(), Optional.empty()));
  }

  /**
   * What a customer may ask of a fresh number besides its service.
   *
   * @param country ISO 3166 alpha-2 ({@code US}): a number of that country only
   * @param maxPrice the most the customer will pay: a higher price is refused, not charged
   */
  public record Wishes(Optional<String> country, Optional<Money> maxPrice) {}

  /**
   * Rents a fresh number for a service, as the customer wishes.
   *
   * @throws ApiException 409 {@code price_above_max} when the price is above the customer's most
   */
  public Rented rent(
      Caller caller, String serviceName, Optional<String> idempotencyKey, Wishes wishes) {
    Service service = pricedIn(catalog.requireRentable(serviceName), wishes.country());
    if (wishes.maxPrice().isPresent() && service.price().compareTo(wishes.maxPrice().get()) > 0) {
      throw ApiException.conflict(
          "price_above_max",
          service.name()
              + " costs "
              + service.price().display()
              + ", above your max_price of "
              + wishes.maxPrice().get().display()
              + ".");
    }
    return idempotent(
        caller,
        idempotencyKey,
        IdempotencyKeys.fingerprint(
            "rent",
            String.valueOf(service.id()),
            wishes.country().orElse(""),
            wishes.maxPrice().map(Money::plain).orElse("")),
        key -> create(caller, service, wishes.country(), Optional.empty(), key));
  }

  /**
   * Rents again a number the caller rented before for the same service.
   *
   * @throws ApiException 400 for a malformed phone number, 404 when it is not in inventory, 409
   *     when it is held, expired or was not rented by the caller, 402 when the balance is short
   */
  public Rented rerent(
      Caller caller, String serviceName, String phoneNumber, String idempotencyKey) {
    String key = IdempotencyKeys.check(idempotencyKey);
    Service service = catalog.requireRentable(serviceName);
    String e164 =
        inventory
            .phones()
            .toE164(phoneNumber)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        EligibilityReason.INVALID_PHONE_NUMBER.wire(),
                        "That is not a valid phone number."));
    return idempotent(
        caller,
        Optional.of(key),
        IdempotencyKeys.fingerprint("rerent", String.valueOf(service.id()), e164),
        k -> create(caller, service, Optional.empty(), Optional.of(e164), k));
  }

  /**
   * Rents a fresh number, of {@code country} when one is given (ISO 3166 two letters), for a
   * service the caller has looked up: how the SMS-Activate protocol rents, which has no idempotency
   * keys.
   *
   * @throws ApiException 409 {@code no_numbers_available}, 402 when the balance is short
   */
  public Rental rentFresh(Caller caller, Service service, Optional<String> country) {
    return start(caller, pricedIn(service, country), country, Optional.empty(), Optional.empty());
  }

  /** The service at its price in the country asked for, where its source prices countries apart. */
  private Service pricedIn(Service service, Optional<String> country) {
    return country
        .flatMap(c -> sources.supplier(service.source()).flatMap(s -> s.priceIn(service, c)))
        .map(service::withPrice)
        .orElse(service);
  }

  private Rented idempotent(
      Caller caller,
      Optional<String> key,
      String fingerprint,
      Function<Optional<String>, Rented> work) {
    if (key.isEmpty()) {
      return work.apply(Optional.empty());
    }
    String checked = IdempotencyKeys.check(key.get());
    Optional<IdempotencyKeys.Replay> replay =
        idempotency.begin(caller.accountId(), checked, fingerprint, now());
    if (replay.isPresent()) {
      return new Rented.Replayed(replay.get().body());
    }
    try {
      return work.apply(Optional.of(checked));
    } catch (RuntimeException e) {
      idempotency.abandon(caller.accountId(), checked);
      throw e;
    }
  }

  private Rented create(
      Caller caller,
      Service service,
      Optional<String> country,
      Optional<String> rerentE164,
      Optional<String> idempotencyKey) {
    try {
      return new Rented.Started(charged(caller, service, country, rerentE164, idempotencyKey));
    } catch (ApiException e) {
      if (e.status() != 402) {
        throw e;
      }
      // Read after the transaction gave up: the balance as it is now, which is what the
      // customer must top up from.
      Money balance = db.read(h -> ledger.balance(h, caller.accountId()));
      Money shortfall = service.price().minus(balance);
      throw ApiException.paymentRequired(
          "Your balance is "
              + balance.display()
              + " and this rental costs "
              + service.price().display()
              + (shortfall.isPositive() ? ": add at least " + shortfall.display() + "." : "."));
    }
  }

  private RentalView charged(
      Caller caller,
      Service service,
      Optional<String> country,
      Optional<String> rerentE164,
      Optional<String> idempotencyKey) {
    Rental rental = start(caller, service, country, rerentE164, idempotencyKey);
    return views.rental(rental, rental.rentedAt(), List.of());
  }

  private Rental start(
      Caller caller,
      Service service,
      Optional<String> country,
      Optional<String> rerentE164,
      Optional<String> idempotencyKey) {
    String rentalId = UUID.randomUUID().toString();
    long activationId = activationIds.next();
    Optional<NumberSupplier> supplier = sources.supplier(service.source());
    if (supplier.isPresent() && rerentE164.isPresent()) {
      // A provider's number is the provider's: it leaves inventory when its rental ends.
      throw EligibilityReason.PHONE_NOT_IN_INVENTORY.refusal();
    }
    if (supplier.isPresent()
        && db.read(h -> ledger.balance(h, caller.accountId())).compareTo(service.price()) < 0) {
      // Short before the provider is paid for a number; the charge itself still decides.
      throw ApiException.paymentRequired("The balance is below the price.");
    }
    // Bought before the transaction: a provider call never holds a database connection.
    Optional<NumberSupplier.Purchase> purchase = supplier.map(s -> s.buy(service, country));
    Rental rental;
    try {
      rental =
          record(
              caller,
              service,
              country,
              rerentE164,
              idempotencyKey,
              rentalId,
              activationId,
              supplier,
              purchase);
    } catch (RuntimeException e) {
      purchase.ifPresent(p -> supplier.get().giveBack(p));
      throw e;
    }
    log.info(
        "rental {} started: service={} account={} rerent={}",
        rental.id(),
        service.name(),
        caller.accountId(),
        rental.rerent());
    sources.rentalStarted(
        rental.source(),
        new StartedRental(rental.id(), rental.e164(), service.name(), rental.expiresAt()));
    return rental;
  }

  /** Claims or takes in the number, writes the rental and charges it, in one transaction. */
  private Rental record(
      Caller caller,
      Service service,
      Optional<String> country,
      Optional<String> rerentE164,
      Optional<String> idempotencyKey,
      String rentalId,
      long activationId,
      Optional<NumberSupplier> supplier,
      Optional<NumberSupplier.Purchase> purchase) {
    return db.inTransaction(
        h -> {
          long now = now();
          long until = now + service.durationSeconds();
          Inventory.NumberRef number;
          if (purchase.isPresent()) {
            number =
                inventory
                    .adopt(h, purchase.get().e164(), service.source(), rentalId, now, until)
                    .orElseThrow(
                        () ->
                            new ApiException(
                                502,
                                "upstream_error",
                                "The provider's number for "
                                    + service.name()
                                    + " is in use here; try again."));
          } else if (rerentE164.isPresent()) {
            number = claimForRerent(h, caller, service, rerentE164.get(), rentalId, now, until);
          } else {
            number =
                inventory
                    .claimFresh(h, service, country, caller.accountId(), rentalId, now, until)
                    .orElseThrow(
                        () ->
                            ApiException.conflict(
                                "no_numbers_available",
                                "No numbers are available for " + service.name() + " right now."));
          }
          // The rental starts when the number became ours, not when we began looking: the clock
          // is read again after the claim, so it is never earlier than the end the previous
          // holder recorded when it let the number go.
          long start = Math.max(now, now());
          long end = start + service.durationSeconds();
          if (start != now) {
            inventory.extendHold(h, number.id(), rentalId, end);
          }
          Rental r =
              new Rental(
                  rentalId,
                  activationId,
                  caller.accountId(),
                  service.id(),
                  service.name(),
                  number.id(),
                  number.e164(),
                  number.source(),
                  RentalStatus.ACTIVE,
                  service.price(),
                  rerentE164.isPresent(),
                  start,
                  end,
                  null,
                  null,
                  0);
          idempotencyKey.ifPresent(
              key ->
                  idempotency.complete(
                      h, caller.accountId(), key, rentalId, 201, answer(r, start)));
          Pipeline writes = db.pipeline(h);
          store.insert(writes, r);
          // Number, service count, account counts, balance: the lock order (package-info).
          if (rerentE164.isEmpty() && purchase.isEmpty()) {
            inventory.countFreshClaim(writes, service);
          }
          counts.added(writes, caller.accountId());
          ledger.charge(writes, caller.accountId(), service.price(), rentalId, service.id(), start);
          events.chargeMade(writes, caller.accountId(), service.price(), start);
          purchase.ifPresent(p -> supplier.get().record(writes, p, rentalId, start));
          writes.run();
          return r;
        });
  }

  /** The answer to the request that started the rental, kept for its replays. */
  private String answer(Rental rental, long now) {
    return new String(
        Json.write(json, views.rental(rental, now, List.of())), StandardCharsets.UTF_8);
  }

  private Inventory.NumberRef claimForRerent(
      Handle h,
      Caller caller,
      Service service,
      String e164,
      String rentalId,
      long now,
      long until) {
    Optional<PhoneState> state =
        Optional.ofNullable(
            inventory.states(h, caller.accountId(), service.id(), List.of(e164)).get(e164));
    Money balance = ledger.balance(h, caller.accountId());
    EligibilityReason reason =
        Eligibility.forRerent(state, now, service.durationSeconds(), balance, service.price());
    if (reason == EligibilityReason.OK
        && !inventory.claim(h, state.get().numberId(), rentalId, now, until)) {
      reason = EligibilityReason.PHONE_CURRENTLY_ACTIVE;
    }
    if (reason != EligibilityReason.OK) {
      throw reason.refusal();
    }
    // The rental records where its number comes from, as a fresh rental does: the number's
    // source, whatever the service's is now.
    return new Inventory.NumberRef(state.get().numberId(), e164, state.get().source());
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }
}
