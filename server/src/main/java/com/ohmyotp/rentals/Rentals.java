package com.ohmyotp.rentals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.api.Json;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.db.BatchedLookup;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.inventory.Inventory.PhoneState;
import com.ohmyotp.ledger.Ledger;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.rentals.Lifecycle.CancelOutcome;
import com.ohmyotp.rentals.RentalViews.CheckRow;
import com.ohmyotp.rentals.RentalViews.CheckView;
import com.ohmyotp.rentals.RentalViews.CodeView;
import com.ohmyotp.rentals.RentalViews.HistoryEntry;
import com.ohmyotp.rentals.RentalViews.Page;
import com.ohmyotp.rentals.RentalViews.RentalView;
import com.ohmyotp.sms.SmsMessage;
import com.ohmyotp.sms.SmsStore;
import com.ohmyotp.sources.NumberSource.StartedRental;
import com.ohmyotp.sources.NumberSources;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renting, reading, cancelling and expiring rentals. Every change to a rental happens in one
 * transaction that locks the rental row, asks {@link Lifecycle} what to do and writes the rental,
 * the number's hold and the ledger together.
 *
 * <p>Over 300 lines for now: six use cases live here that are to be split (renting and re-renting;
 * history and the re-rent check; reading, polling and cancelling).
 */
public final class Rentals {

  private static final Logger log = LoggerFactory.getLogger(Rentals.class);

  /** At most this many phones per {@code /rentals/rerent/check}. */
  public static final int MAX_CHECK_PHONES = 100;

  /** The most polls of {@code /code} one query answers. */
  private static final int POLL_BATCH = 64;

  private final Database db;
  private final Catalog catalog;
  private final Inventory inventory;
  private final Ledger ledger;
  private final SmsStore smsStore;
  private final NumberSources sources;
  private final Clock clock;
  private final ObjectMapper json;
  private final RentalStore store;
  private final PollCache polls;
  private final RentalCounts counts;
  private final HistoryPages historyPages = new HistoryPages();
  private final IdempotencyKeys idempotency;
  private final RentalViews views;
  private final BatchedLookup<String, PollState> pollStates;

  public Rentals(
      Database db,
      Catalog catalog,
      Inventory inventory,
      Ledger ledger,
      SmsStore smsStore,
      NumberSources sources,
      PollCache polls,
      Clock clock,
      ObjectMapper json) {
    this.db = db;
    this.counts = new RentalCounts(db.dialect());
    this.store = new RentalStore(polls, db.dialect());
    this.polls = polls;
    this.catalog = catalog;
    this.inventory = inventory;
    this.ledger = ledger;
    this.smsStore = smsStore;
    this.sources = sources;
    this.clock = clock;
    this.json = json;
    this.idempotency = new IdempotencyKeys(db);
    this.views = new RentalViews(inventory.phones());
    // Against a database server, one poll query at a time: the polls that arrive meanwhile share
    // the next round trip. An embedded database has no round trip to share, and one query at a
    // time would leave cores idle, so there polls run side by side.
    this.pollStates =
        new BatchedLookup<>(
            ids -> db.read(h -> store.findPollStates(h, ids)),
            POLL_BATCH,
            db.embedded() ? Integer.MAX_VALUE : 1);
  }

  /** An HTTP answer to send as it is: a new rental's 201, or the replay of one. */
  public record Created(int status, byte[] body) {}

  /**
   * Rents a fresh number for a service.
   *
   * @param idempotencyKey optional; a replay returns the original answer and charges nothing
   */
  public Created rent(Caller caller, String serviceName, Optional<String> idempotencyKey) {
    Service service = catalog.requireRentable(serviceName);
    return idempotent(
        caller,
        idempotencyKey,
        IdempotencyKeys.fingerprint("rent", String.valueOf(service.id())),
        key -> create(caller, service, Optional.empty(), key));
  }

  /**
   * Rents again a number the caller rented before for the same service.
   *
   * @throws ApiException 400 for a malformed phone number, 404 when it is not in inventory, 409
   *     when it is held, expired or was not rented by the caller, 402 when the balance is short
   */
  public Created rerent(
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
        k -> create(caller, service, Optional.of(e164), k));
  }

  private Created idempotent(
      Caller caller,
      Optional<String> key,
      String fingerprint,
      java.util.function.Function<Optional<String>, Created> work) {
    if (key.isEmpty()) {
      return work.apply(Optional.empty());
    }
    String checked = IdempotencyKeys.check(key.get());
    long now = now();
    Optional<IdempotencyKeys.Replay> replay =
        idempotency.begin(caller.accountId(), checked, fingerprint, now);
    if (replay.isPresent()) {
      return new Created(
          replay.get().status(), replay.get().body().getBytes(StandardCharsets.UTF_8));
    }
    try {
      return work.apply(Optional.of(checked));
    } catch (RuntimeException e) {
      idempotency.abandon(caller.accountId(), checked);
      throw e;
    }
  }

  private Created create(
      Caller caller,
      Service service,
      Optional<String> rerentE164,
      Optional<String> idempotencyKey) {
    try {
      return charged(caller, service, rerentE164, idempotencyKey);
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

  private Created charged(
      Caller caller,
      Service service,
      Optional<String> rerentE164,
      Optional<String> idempotencyKey) {
    String rentalId = UUID.randomUUID().toString();
    Rental rental =
        db.inTransaction(
            h -> {
              long now = now();
              long until = now + service.durationSeconds();
              Inventory.NumberRef number =
                  rerentE164.isPresent()
                      ? claimForRerent(h, caller, service, rerentE164.get(), rentalId, now, until)
                      : inventory
                          .claimFresh(h, service, caller.accountId(), rentalId, now, until)
                          .orElseThrow(
                              () ->
                                  ApiException.conflict(
                                      "no_numbers_available",
                                      "No numbers are available for "
                                          + service.name()
                                          + " right now."));
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
                          h,
                          caller.accountId(),
                          key,
                          rentalId,
                          201,
                          new String(body(r, start), StandardCharsets.UTF_8)));
              Pipeline writes = db.pipeline(h);
              store.insert(writes, r);
              // The service's count row and the account's rows are the ones many rentals write:
              // they are locked last, so that each lock is held only until the commit.
              if (rerentE164.isEmpty()) {
                inventory.countFreshClaim(writes, service);
              }
              counts.added(writes, caller.accountId());
              ledger.charge(
                  writes, caller.accountId(), service.price(), rentalId, service.id(), start);
              writes.run();
              return r;
            });
    log.info(
        "rental {} started: service={} account={} rerent={}",
        rental.id(),
        service.name(),
        caller.accountId(),
        rental.rerent());
    sources.rentalStarted(
        rental.source(),
        new StartedRental(rental.id(), rental.e164(), service.name(), rental.expiresAt()));
    return new Created(201, body(rental, rental.rentedAt()));
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
      throw rerentRefused(reason);
    }
    // The rental records where its number comes from, as a fresh rental does: the number's
    // source, whatever the service's is now.
    return new Inventory.NumberRef(state.get().numberId(), e164, state.get().source());
  }

  private static ApiException rerentRefused(EligibilityReason reason) {
    return switch (reason) {
      case PHONE_NOT_IN_INVENTORY ->
          ApiException.notFound(reason.wire(), "That phone number is not in inventory.");
      case NOT_PREVIOUSLY_RENTED ->
          ApiException.conflict(
              reason.wire(), "You have not rented that phone number for this service before.");
      case PHONE_EXPIRED ->
          ApiException.conflict(
              reason.wire(), "That phone number leaves inventory before a new rental would end.");
      case PHONE_CURRENTLY_ACTIVE ->
          ApiException.conflict(reason.wire(), "That phone number is in use by an active rental.");
      case INSUFFICIENT_BALANCE ->
          ApiException.paymentRequired("Your balance does not cover the price of this rental.");
      case INVALID_PHONE_NUMBER ->
          ApiException.badRequest(reason.wire(), "That is not a valid phone number.");
      case OK -> throw new IllegalArgumentException("not a refusal");
    };
  }

  private byte[] body(Rental r, long now) {
    return Json.write(json, views.rental(r, now, List.of()));
  }

  /** One rental with all its SMS. */
  public RentalView get(Caller caller, String rentalId) {
    Rental rental = owned(caller, rentalId);
    long now = now();
    return db.read(h -> views.rental(rental, now, smsStore.forRental(h, rental.id())));
  }

  /** The newest code of a rental: the cheap poll. */
  public CodeView code(Caller caller, String rentalId) {
    // Customers poll this, again and again: a rental unchanged since its last poll is answered
    // from memory where that is safe (see PollCache); polls that arrive together share one query
    // (see BatchedLookup); an overdue rental is expired first.
    PollState found = polls.find(rentalId, pollStates::get).orElseThrow(Rentals::rentalNotFound);
    checkOwner(caller, found.accountId());
    long now = now();
    if (Lifecycle.isDueForExpiry(found.status(), found.expiresAt(), now)) {
      return views.code(owned(caller, rentalId), now, null);
    }
    return views.code(
        found.id(), found.status(), found.expiresAt(), now, found.latest().orElse(null));
  }

  /**
   * Releases a rental's number, refunding it in full if no SMS arrived.
   *
   * @throws ApiException 409 when the rental no longer holds its number
   */
  public RentalViews.CancelView cancel(Caller caller, String rentalId) {
    long now = now();
    record Result(Rental rental, CancelOutcome outcome) {}
    // One transaction from the first read: the rental is locked, checked and changed without
    // being read before or after.
    Result result =
        db.inTransaction(
            h -> {
              Rental locked = store.lock(h, rentalId).orElseThrow(Rentals::rentalNotFound);
              checkOwner(caller, locked);
              if (Lifecycle.isDueForExpiry(locked, now)) {
                expire(h, locked, now);
                return new Result(locked, new CancelOutcome.NotHeld(RentalStatus.EXPIRED));
              }
              CancelOutcome outcome = Lifecycle.cancel(locked, now);
              if (outcome instanceof CancelOutcome.Cancelled cancelled) {
                Pipeline writes = db.pipeline(h);
                store.transition(
                    writes,
                    locked.id(),
                    locked.status(),
                    RentalStatus.CANCELLED,
                    now,
                    cancelled.refund());
                inventory.release(writes, locked.numberId(), locked.id());
                // The account's rows last, as when renting.
                counts.moved(
                    writes,
                    locked.accountId(),
                    RentalCounts.Tally.of(locked.status(), locked.smsCount()),
                    RentalCounts.Tally.of(RentalStatus.CANCELLED, locked.smsCount()));
                if (cancelled.refund().isPositive()) {
                  ledger.refund(
                      writes,
                      locked.accountId(),
                      cancelled.refund(),
                      locked.id(),
                      locked.serviceId(),
                      now);
                }
                writes.run();
                return new Result(
                    locked.ended(RentalStatus.CANCELLED, now, cancelled.refund()), outcome);
              }
              return new Result(locked, outcome);
            });
    if (result.outcome() instanceof CancelOutcome.NotHeld notHeld) {
      throw ApiException.conflict(
          "rental_not_cancellable",
          "This rental is " + notHeld.visibleStatus().wire() + " and no longer holds its number.");
    }
    log.info("rental {} cancelled: refund={}", rentalId, result.rental().refundAmount());
    return views.cancelled(result.rental());
  }

  /** Rentals whose number the caller still holds. */
  public Page<RentalView> active(Caller caller, int page, int limit) {
    settleDue(caller.accountId());
    long now = now();
    return db.read(
        h -> {
          List<Rental> holding = store.holding(h, caller.accountId(), now);
          long from = Math.min((long) (page - 1) * limit, holding.size());
          List<Rental> rentals =
              holding.subList((int) from, (int) Math.min(from + limit, holding.size()));
          Map<String, List<SmsMessage>> sms =
              smsStore.allFor(h, rentals.stream().map(Rental::id).toList());
          List<RentalView> list =
              rentals.stream()
                  .map(r -> views.rental(r, now, sms.getOrDefault(r.id(), List.of())))
                  .toList();
          return new Page<>(list, holding.size(), page, limit);
        });
  }

  /** The caller's rentals, newest first, with each one's newest SMS and re-rent eligibility. */
  public Page<HistoryEntry> history(
      Caller caller, Optional<RentalStatus> status, boolean usedOnly, int page, int limit) {
    long now = now();
    HistoryFilter filter = new HistoryFilter(status, usedOnly, page, limit);
    // Overdue rentals are found with the counts, and settled only when there are some; then the
    // page is read again, with every rental overdue at now settled.
    return db.read(h -> historyPage(h, caller.accountId(), filter, now, true))
        .orElseGet(
            () -> {
              settleDue(caller.accountId());
              return db.read(h -> historyPage(h, caller.accountId(), filter, now, false))
                  .orElseThrow();
            });
  }

  /** A history page, or empty when {@code unlessOverdue} and a rental of the account is overdue. */
  private Optional<Page<HistoryEntry>> historyPage(
      Handle h, long accountId, HistoryFilter filter, long now, boolean unlessOverdue) {
    RentalStore.HistoryRead read = readHistory(h, accountId, filter, now);
    if (unlessOverdue && read.standing().overdue()) {
      return Optional.empty();
    }
    RentalCounts.Counts counted = read.standing().counts();
    historyPages.remember(
        accountId,
        filter,
        counted,
        read.rows().stream().map(RentalStore.HistoryRow::rental).toList());
    List<HistoryEntry> entries =
        read.rows().stream()
            .map(
                row ->
                    views.history(
                        row.rental(),
                        now,
                        row.lastSms().orElse(null),
                        eligibility(row.rerent(), now, read.standing().balance())))
            .toList();
    return Optional.of(
        new Page<>(
            entries,
            counted.total(filter.status(), filter.usedOnly()),
            filter.page(),
            filter.limit()));
  }

  /**
   * A history page and the account's standing: in one round trip for the first page, and for a
   * later one whose start is remembered and still right. Any other page skips the rows before it,
   * and its counts are known first, so that a page past the last one walks past no row.
   */
  private RentalStore.HistoryRead readHistory(
      Handle h, long accountId, HistoryFilter filter, long now) {
    Optional<HistoryPages.Remembered> remembered = historyPages.start(accountId, filter);
    RentalCounts.Standing standing;
    if (filter.page() == 1 || remembered.isPresent()) {
      RentalStore.HistoryRead read =
          store.history(h, accountId, filter, remembered.map(HistoryPages.Remembered::start), now);
      if (remembered.map(r -> r.counts().equals(read.standing().counts())).orElse(true)) {
        return read;
      }
      // The start has moved; the counts read with it still tell whether the page exists.
      standing = read.standing();
    } else {
      standing = counts.standing(h, accountId, now);
    }
    return filter.offset() >= standing.counts().total(filter.status(), filter.usedOnly())
        ? new RentalStore.HistoryRead(standing, List.of())
        : store.history(h, accountId, filter, Optional.empty(), now);
  }

  private static EligibilityReason eligibility(
      RentalStore.RerentFacts facts, long now, Money balance) {
    // A service taken out of the catalog cannot be rented at all, whatever the number.
    return facts.serviceEnabled()
        ? Eligibility.forRerent(
            Optional.of(facts.number()), now, facts.windowSeconds(), balance, facts.price())
        : EligibilityReason.PHONE_NOT_IN_INVENTORY;
  }

  /** Which of up to 100 numbers the caller could re-rent for a service now. */
  public CheckView check(Caller caller, String serviceName, List<String> phoneNumbers) {
    if (phoneNumbers.size() > MAX_CHECK_PHONES) {
      throw ApiException.badRequest(
          "too_many_phone_numbers",
          "Check at most " + MAX_CHECK_PHONES + " phone numbers at once.");
    }
    long now = now();
    Map<String, String> e164ByInput = new HashMap<>();
    for (String input : new LinkedHashSet<>(phoneNumbers)) {
      inventory.phones().toE164(input).ifPresent(e164 -> e164ByInput.put(input, e164));
    }
    // As with history: overdue rentals are found with the balance and settled only when there
    // are some, and then the numbers are judged again.
    return db.read(
            h -> check(h, caller.accountId(), serviceName, phoneNumbers, e164ByInput, now, true))
        .orElseGet(
            () -> {
              settleDue(caller.accountId());
              return db.read(
                      h ->
                          check(
                              h,
                              caller.accountId(),
                              serviceName,
                              phoneNumbers,
                              e164ByInput,
                              now,
                              false))
                  .orElseThrow();
            });
  }

  /**
   * The numbers judged for re-renting, or empty when {@code unlessOverdue} and a rental is overdue.
   */
  private Optional<CheckView> check(
      Handle h,
      long accountId,
      String serviceName,
      List<String> phoneNumbers,
      Map<String, String> e164ByInput,
      long now,
      boolean unlessOverdue) {
    Service service = catalog.requireRentable(h, serviceName);
    RentalCounts.Standing standing = counts.standing(h, accountId, now);
    if (unlessOverdue && standing.overdue()) {
      return Optional.empty();
    }
    Map<String, PhoneState> states =
        inventory.states(
            h, accountId, service.id(), List.copyOf(new LinkedHashSet<>(e164ByInput.values())));
    // Each row answers with the number as it was sent, which is what a UI matches rows by; a
    // number sent twice, in any spelling, is one number that could be rented once.
    List<CheckRow> rows = new ArrayList<>();
    Set<String> eligibleNumbers = new HashSet<>();
    for (String input : phoneNumbers) {
      String e164 = e164ByInput.get(input);
      EligibilityReason reason =
          e164 == null
              ? EligibilityReason.INVALID_PHONE_NUMBER
              : Eligibility.forRerent(
                  Optional.ofNullable(states.get(e164)),
                  now,
                  service.durationSeconds(),
                  standing.balance(),
                  service.price());
      if (reason == EligibilityReason.OK) {
        eligibleNumbers.add(e164);
      }
      rows.add(new CheckRow(input, reason == EligibilityReason.OK, reason.wire(), service.price()));
    }
    int eligible = eligibleNumbers.size();
    return Optional.of(
        new CheckView(service.name(), service.price(), standing.balance(), eligible, rows));
  }

  /**
   * Expires the caller's rentals whose window closed with no SMS, refunding them, so that every
   * read after this one sees the refund even if the sweep has not run yet.
   */
  public void settleDue(long accountId) {
    long now = now();
    List<String> due = db.read(h -> store.dueForExpiry(h, accountId, now));
    due.forEach(id -> expire(id, now));
  }

  /** Expires up to {@code limit} overdue rentals of any account; returns how many it expired. */
  public int expireDue(int limit) {
    long now = now();
    List<String> due = db.read(h -> store.dueForExpiry(h, now, limit));
    int expired = 0;
    for (String id : due) {
      if (expire(id, now)) {
        expired++;
      }
    }
    return expired;
  }

  private boolean expire(String rentalId, long now) {
    return db.inTransaction(
        h ->
            store
                .lock(h, rentalId)
                .filter(r -> Lifecycle.isDueForExpiry(r, now))
                .map(
                    r -> {
                      expire(h, r, now);
                      return true;
                    })
                .orElse(false));
  }

  private void expire(Handle h, Rental r, long now) {
    Pipeline writes = db.pipeline(h);
    store.transition(
        writes, r.id(), RentalStatus.ACTIVE, RentalStatus.EXPIRED, r.expiresAt(), r.cost());
    inventory.release(writes, r.numberId(), r.id());
    counts.moved(writes, r.accountId(), RentalCounts.Tally.ACTIVE, RentalCounts.Tally.EXPIRED);
    ledger.refund(writes, r.accountId(), r.cost(), r.id(), r.serviceId(), now);
    writes.run();
    log.info("rental {} expired: refund={}", r.id(), r.cost());
  }

  /**
   * The rental, if the caller owns it; an overdue one is expired first so nothing shown is stale.
   *
   * @throws ApiException 404 for an unknown id, 403 for another account's rental
   */
  private Rental owned(Caller caller, String rentalId) {
    Rental rental = db.read(h -> store.find(h, rentalId)).orElseThrow(Rentals::rentalNotFound);
    checkOwner(caller, rental);
    long now = now();
    if (Lifecycle.isDueForExpiry(rental, now)) {
      expire(rental.id(), now);
      return db.read(h -> store.find(h, rentalId)).orElseThrow();
    }
    return rental;
  }

  private static ApiException rentalNotFound() {
    return ApiException.notFound("rental_not_found", "There is no rental with that id.");
  }

  private static void checkOwner(Caller caller, Rental rental) {
    checkOwner(caller, rental.accountId());
  }

  private static void checkOwner(Caller caller, long accountId) {
    if (accountId != caller.accountId()) {
      throw ApiException.forbidden("not_owner", "This rental belongs to another account.");
    }
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }
}
