package com.ohmyotp.rentals;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.db.BatchedLookup;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.ledger.Ledger;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.rentals.Lifecycle.CancelOutcome;
import com.ohmyotp.rentals.RentalViews.CodeView;
import com.ohmyotp.rentals.RentalViews.Page;
import com.ohmyotp.rentals.RentalViews.RentalView;
import com.ohmyotp.sms.SmsMessage;
import com.ohmyotp.sms.SmsStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading a rental, polling it for its code, cancelling it, and listing the rentals that hold their
 * numbers. A cancel happens in one transaction that locks the rental row, asks {@link Lifecycle}
 * what to do and writes the rental, the number's hold and the ledger together.
 *
 * <p>Over 300 lines because every change of a held rental (cancel, finish, release, report, another
 * SMS) locks and settles it here, sharing one lock-check-write path and the lock order.
 */
public final class Rentals {

  private static final Logger log = LoggerFactory.getLogger(Rentals.class);

  /** The most polls of {@code /code} one query answers. */
  private static final int POLL_BATCH = 64;

  private final Database db;
  private final Inventory inventory;
  private final Ledger ledger;
  private final SmsStore smsStore;
  private final RentalStore store;
  private final RentalCounts counts;
  private final PollCache polls;
  private final RentalViews views;
  private final Expiry expiry;
  private final Clock clock;
  private final BatchedLookup<String, PollState> pollStates;

  public Rentals(
      Database db,
      Inventory inventory,
      Ledger ledger,
      SmsStore smsStore,
      RentalStore store,
      RentalCounts counts,
      PollCache polls,
      RentalViews views,
      Expiry expiry,
      Clock clock) {
    this.db = db;
    this.inventory = inventory;
    this.ledger = ledger;
    this.smsStore = smsStore;
    this.store = store;
    this.counts = counts;
    this.polls = polls;
    this.views = views;
    this.expiry = expiry;
    this.clock = clock;
    // Against a database server, one poll query at a time: the polls that arrive meanwhile share
    // the next round trip. An embedded database has no round trip to share, and one query at a
    // time would leave cores idle, so there polls run side by side.
    this.pollStates =
        new BatchedLookup<>(
            ids -> db.read(h -> store.findPollStates(h, ids)),
            POLL_BATCH,
            db.embedded() ? Integer.MAX_VALUE : 1);
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
              Rental locked = lockOwned(h, caller, rentalId);
              if (Lifecycle.isDueForExpiry(locked, now)) {
                expiry.expireLocked(h, locked, now);
                return new Result(locked, new CancelOutcome.NotHeld(RentalStatus.EXPIRED));
              }
              CancelOutcome outcome = Lifecycle.cancel(locked, now);
              if (outcome instanceof CancelOutcome.Cancelled cancelled) {
                return new Result(cancelLocked(h, locked, cancelled.refund(), now), outcome);
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

  /** Cancels a rental the transaction of {@code h} holds locked; returns it as it is now. */
  private Rental cancelLocked(Handle h, Rental locked, Money refund, long now) {
    Pipeline writes = db.pipeline(h);
    store.transition(writes, locked.id(), locked.status(), RentalStatus.CANCELLED, now, refund);
    inventory.release(writes, locked.numberId(), locked.id());
    // Rental, number, account counts, balance: the lock order (package-info).
    counts.moved(
        writes,
        locked.accountId(),
        RentalCounts.Tally.of(locked.status(), locked.smsCount()),
        RentalCounts.Tally.of(RentalStatus.CANCELLED, locked.smsCount()));
    if (refund.isPositive()) {
      ledger.refund(writes, locked.accountId(), refund, locked.id(), locked.serviceId(), now);
    }
    writes.run();
    return locked.ended(RentalStatus.CANCELLED, now, refund);
  }

  /** Why a customer reports a number. */
  public enum ReportReason {
    NUMBER_ALREADY_USED,
    NO_SMS,
    OTHER;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<ReportReason> fromWire(String s) {
      for (ReportReason r : values()) {
        if (r.wire().equals(s)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  /** How many numbers one account may report in a day: enough for bad luck, not for a living. */
  public static final int REPORTS_PER_DAY = 5;

  /**
   * Reports the rental's number as bad while no SMS has come: the rental is cancelled with a full
   * refund, and the number, which the service has now used, is never offered fresh for it again.
   *
   * @throws ApiException 409 {@code rental_not_reportable} once an SMS came or the number is let
   *     go, 409 {@code report_limit_reached} past {@link #REPORTS_PER_DAY} reports in 24 hours
   */
  public RentalViews.CancelView report(Caller caller, String rentalId, ReportReason reason) {
    long now = now();
    Rental reported =
        db.inTransaction(
            h -> {
              Rental locked = lockOwned(h, caller, rentalId);
              if (Lifecycle.isDueForExpiry(locked, now)
                  || !Lifecycle.holdsNumber(locked, now)
                  || locked.status() != RentalStatus.ACTIVE) {
                throw ApiException.conflict(
                    "rental_not_reportable",
                    "Only a rental that holds its number and has had no SMS can be reported.");
              }
              Rental cancelled = cancelLocked(h, locked, locked.cost(), now);
              h.createUpdate(
                      """
                      INSERT INTO number_reports (rental_id, account_id, number_id, service_id,
                          reason, created_at)
                      VALUES (:rental, :account, :number, :service, :reason, :now)
                      """)
                  .bind("rental", locked.id())
                  .bind("account", locked.accountId())
                  .bind("number", locked.numberId())
                  .bind("service", locked.serviceId())
                  .bind("reason", reason.wire())
                  .bind("now", now)
                  .execute();
              // Counted after the refund has locked the account's balance: reports of one
              // account are counted one at a time, each seeing those before it.
              long today =
                  h.createQuery(
                          "SELECT COUNT(*) FROM number_reports"
                              + " WHERE account_id = :account AND created_at > :since")
                      .bind("account", locked.accountId())
                      .bind("since", now - 24 * 3600)
                      .mapTo(Long.class)
                      .one();
              if (today > REPORTS_PER_DAY) {
                throw ApiException.conflict(
                    "report_limit_reached",
                    "At most "
                        + REPORTS_PER_DAY
                        + " numbers can be reported in 24 hours; cancel this one instead.");
              }
              return cancelled;
            });
    log.info(
        "rental {} reported ({}): refunded {}", rentalId, reason.wire(), reported.refundAmount());
    return views.cancelled(reported);
  }

  /** A report as the operator reads it. */
  public record Report(
      long id,
      String rentalId,
      long accountId,
      String phoneNumber,
      String service,
      String reason,
      long createdAt) {}

  /** The newest reports, newest first. */
  public List<Report> reports(int limit) {
    return db.read(
        h ->
            h.createQuery(
                    """
                    SELECT nr.id, nr.rental_id, nr.account_id, p.e164, s.name, nr.reason,
                           nr.created_at
                    FROM number_reports nr
                    JOIN phone_numbers p ON p.id = nr.number_id
                    JOIN services s ON s.id = nr.service_id
                    ORDER BY nr.id DESC LIMIT :limit
                    """)
                .bind("limit", limit)
                .map(
                    (rs, ctx) ->
                        new Report(
                            rs.getLong("id"),
                            rs.getString("rental_id"),
                            rs.getLong("account_id"),
                            rs.getString("e164"),
                            rs.getString("name"),
                            rs.getString("reason"),
                            rs.getLong("created_at")))
                .list());
  }

  /** What ending a rental early did ({@link #release}, {@link #finish}). */
  public sealed interface Release {
    /** No SMS had come: the rental is cancelled and its cost refunded. */
    record Refunded(Money refund) implements Release {}

    /** An SMS had come: the rental stays completed, keeps its charge and lets its number go. */
    record Finished() implements Release {}

    /** Finishing was asked before any SMS came: nothing changed. */
    record NoSmsYet() implements Release {}

    /** The rental does not hold its number any more: nothing changed. */
    record NotHeld(RentalStatus visibleStatus) implements Release {}
  }

  /**
   * Lets the rental's number go now, as the customer is done with it: with a full refund if no SMS
   * came (a cancel), else keeping its charge (a finish). The SMS-Activate protocol's status 8.
   */
  public Release release(Caller caller, String rentalId) {
    return endEarly(caller, rentalId, true);
  }

  /**
   * Lets the number of a rental that has had its SMS go now, keeping its charge; a rental with no
   * SMS yet is left alone. The SMS-Activate protocol's status 6.
   */
  public Release finish(Caller caller, String rentalId) {
    return endEarly(caller, rentalId, false);
  }

  private Release endEarly(Caller caller, String rentalId, boolean cancelWithoutSms) {
    long now = now();
    Release release =
        db.inTransaction(
            h -> {
              Rental locked = lockOwned(h, caller, rentalId);
              if (Lifecycle.isDueForExpiry(locked, now)) {
                expiry.expireLocked(h, locked, now);
                return new Release.NotHeld(RentalStatus.EXPIRED);
              }
              return switch (Lifecycle.finish(locked, now)) {
                case Lifecycle.FinishOutcome.NotHeld notHeld ->
                    new Release.NotHeld(notHeld.visibleStatus());
                case Lifecycle.FinishOutcome.NoSmsYet noSms -> {
                  if (!cancelWithoutSms) {
                    yield new Release.NoSmsYet();
                  }
                  Money refund = ((CancelOutcome.Cancelled) Lifecycle.cancel(locked, now)).refund();
                  cancelLocked(h, locked, refund, now);
                  yield new Release.Refunded(refund);
                }
                case Lifecycle.FinishOutcome.Finished finished -> {
                  Pipeline writes = db.pipeline(h);
                  store.finish(writes, locked.id(), now);
                  inventory.release(writes, locked.numberId(), locked.id());
                  writes.run();
                  yield new Release.Finished();
                }
              };
            });
    log.info("rental {} ended early: {}", rentalId, release);
    return release;
  }

  /**
   * Asks for an SMS newer than the rental's newest: until one comes, {@link #poll} shows the rental
   * waiting for it ({@link PollState#retryAfterSms}). False, with nothing changed, when the rental
   * has had no SMS yet or does not hold its number.
   */
  public boolean awaitAnotherSms(Caller caller, String rentalId) {
    long now = now();
    return db.inTransaction(
        h -> {
          Rental locked = lockOwned(h, caller, rentalId);
          if (!Lifecycle.canAwaitAnotherSms(locked, now)) {
            return false;
          }
          store.awaitAnotherSms(h, locked.id());
          return true;
        });
  }

  /** The id of the rental with this activation id: it names that rental for good. */
  public Optional<String> rentalIdOf(long activationId) {
    return db.read(h -> store.idOf(h, activationId));
  }

  /**
   * Where a rental stands, as a poll sees it: the fast path of {@link #code}, for the SMS-Activate
   * protocol's getStatus. An overdue rental is expired first.
   *
   * @throws ApiException 404 for an unknown id, 403 for another account's rental
   */
  public PollState poll(Caller caller, String rentalId) {
    PollState found = polls.find(rentalId, pollStates::get).orElseThrow(Rentals::rentalNotFound);
    checkOwner(caller, found.accountId());
    long now = now();
    if (Lifecycle.isDueForExpiry(found.status(), found.expiresAt(), now)) {
      expiry.expire(rentalId, now);
      return new PollState(
          found.id(),
          found.accountId(),
          RentalStatus.EXPIRED,
          found.expiresAt(),
          found.latest(),
          found.retryAfterSms());
    }
    return found;
  }

  /** A rental that holds its number, with its SMS, oldest first. */
  public record Holding(Rental rental, List<SmsMessage> sms) {}

  /** Every rental whose number the caller holds now, newest first. */
  public List<Holding> holding(Caller caller) {
    expiry.settleDue(caller.accountId());
    long now = now();
    return db.read(
        h -> {
          List<Rental> holding = store.holding(h, caller.accountId(), now);
          Map<String, List<SmsMessage>> sms =
              smsStore.allFor(h, holding.stream().map(Rental::id).toList());
          return holding.stream()
              .map(r -> new Holding(r, sms.getOrDefault(r.id(), List.of())))
              .toList();
        });
  }

  /** Rentals whose number the caller still holds. */
  public Page<RentalView> active(Caller caller, int page, int limit) {
    expiry.settleDue(caller.accountId());
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

  /** How many rentals hold their numbers now, and how many there have been. */
  public record Totals(long holdingNumbers, long all) {}

  public Totals totals() {
    long now = now();
    return db.read(
        h ->
            h.createQuery(
                    "SELECT COUNT(CASE WHEN "
                        + Lifecycle.HOLDS_NUMBER
                        + " THEN 1 END) AS holding, COUNT(*) AS total FROM rentals r")
                .bind("now", now)
                .map((rs, ctx) -> new Totals(rs.getLong("holding"), rs.getLong("total")))
                .one());
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
      expiry.expire(rental.id(), now);
      return db.read(h -> store.find(h, rentalId)).orElseThrow();
    }
    return rental;
  }

  /**
   * Locks the rental until the transaction of {@code h} ends, and reads it.
   *
   * @throws ApiException 404 for an unknown id, 403 for another account's rental
   */
  private Rental lockOwned(Handle h, Caller caller, String rentalId) {
    Rental locked = store.lock(h, rentalId).orElseThrow(Rentals::rentalNotFound);
    checkOwner(caller, locked);
    return locked;
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
