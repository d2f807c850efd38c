package com.ohmyotp.push;

import com.ohmyotp.db.ChangeFeed;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.ledger.Money;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of what happened to customers' rentals and balances. An event is written by the
 * transaction that makes the change, with a webhook delivery for each of the account's endpoints
 * that asked for it ({@link Webhooks}), so neither is lost nor told of a change that did not
 * commit.
 *
 * <p>Streams learn of new events from this node: once a transaction that wrote one commits here, or
 * another node says so through the change feed, the log reads what is new and hands each event to
 * the listeners of its account. Ids are handed out when a row is written, not when it commits: a
 * transaction that took id 7 may commit after the one that took 8. So events are handed on in order
 * up to the first id not yet seen, and a missing id is waited for ({@link #GAP_WAIT_MILLIS}) before
 * those after it go on; one that turns up later still goes on, late. A stream that resumes reads
 * the log itself, up to what has been handed on.
 *
 * <p>One class past 300 lines: writing events and handing them on share the order of ids and the
 * waits for missing ones, which two classes would both have to know.
 */
public final class EventLog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventLog.class);

  /** How long a missing id holds back the events after it; transactions here take milliseconds. */
  static final long GAP_WAIT_MILLIS = 3_000;

  /** How long an id passed over is still looked for, late. */
  static final long LATE_LOOK_MILLIS = 10 * 60_000;

  /**
   * How long events are kept: longer than a webhook delivery is retried (about three days), so
   * every attempt sends what happened; a stream may resume from any of them.
   */
  public static final long KEEP_SECONDS = 4 * 24 * 3600;

  private static final String EVENT_COLUMNS =
      """
      SELECT e.id, e.account_id, e.rental_id, e.type, e.balance, e.created_at, r.activation_id,
             p.e164, s.name AS service, m.id AS sms_id, m.sender, m.message, m.code, m.received_at
      FROM rental_events e
      LEFT JOIN rentals r ON r.id = e.rental_id
      LEFT JOIN phone_numbers p ON p.id = r.number_id
      LEFT JOIN services s ON s.id = r.service_id
      LEFT JOIN sms_messages m ON m.id = e.sms_id
      """;

  private final Database db;
  private final PhoneNumbers phones;
  private final Money lowBalance;
  private final Clock clock;
  private final Optional<ChangeFeed> feed;
  private final Map<Long, Set<Consumer<Event>>> listeners = new ConcurrentHashMap<>();
  private final List<Runnable> onNew = new java.util.concurrent.CopyOnWriteArrayList<>();

  // Held while the log is read and handed on, and while a listener is added.
  private final ReentrantLock reading = new ReentrantLock();
  // Nobody listened at the last look: what was written since has not been walked.
  private boolean idle = true;
  // Also on its timer: a missing id is passed over, and a lost notification costs a second.
  private final Waker reader = new Waker("ohmyotp-events", this::handOnNew);
  private volatile long handedOn;
  // Ranges of missing ids: when each was first seen missing, and, once passed over, until when it
  // is still looked for. Only the reader's thread touches them.
  private final List<Gap> gaps = new ArrayList<>();

  private static final class Gap {
    final long from;
    final long to;
    final long seenAt;
    final Set<Long> found = new java.util.HashSet<>();
    boolean passed;

    Gap(long from, long to, long seenAt) {
      this.from = from;
      this.to = to;
      this.seenAt = seenAt;
    }
  }

  /**
   * @param lowBalance a charge that takes a balance below this writes a {@code balance.low} event
   * @param feed where nodes sharing a database tell each other which rentals changed: every event a
   *     stream carries comes with its rental's change, so a node looks for new events when it hears
   *     of one; empty on one node
   */
  public EventLog(
      Database db, PhoneNumbers phones, Money lowBalance, Optional<ChangeFeed> feed, Clock clock) {
    this.db = db;
    this.phones = phones;
    this.lowBalance = lowBalance;
    this.feed = feed;
    this.clock = clock;
  }

  /** Starts handing on events written from now on. */
  public void start() {
    handedOn =
        db.read(
            h ->
                h.createQuery("SELECT COALESCE(MAX(id), 0) FROM rental_events")
                    .mapTo(Long.class)
                    .one());
    feed.ifPresent(
        f ->
            f.subscribe(
                new ChangeFeed.Subscriber() {
                  @Override
                  public void listening() {
                    wake();
                  }

                  @Override
                  public void notListening() {}

                  @Override
                  public void changed(List<String> ids) {
                    wake();
                  }
                }));
    reader.start();
  }

  // ---- writing, inside the transaction that makes the change

  /**
   * Records, when {@code writes} runs, that the rental (which the caller holds locked) received its
   * newest SMS, or reached the status of {@code type}.
   */
  public void rentalEvent(Pipeline writes, String rentalId, EventType type, long now) {
    writes
        .add(
            "INSERT INTO rental_events (account_id, rental_id, type, sms_id, created_at)"
                + " SELECT r.account_id, r.id, :type, "
                + (type == EventType.SMS_RECEIVED
                    ? "(SELECT MAX(m.id) FROM sms_messages m WHERE m.rental_id = r.id)"
                    : "NULL")
                + ", :now FROM rentals r WHERE r.id = :rental")
        .bind("type", type.wire())
        .bind("now", now)
        .bind("rental", rentalId);
    writes
        .add(Webhooks.DELIVERIES_OF_RENTAL_EVENT)
        .bind("event", type.wire())
        .bind("pattern", Webhooks.pattern(type))
        .bind("rental", rentalId)
        .bind("now", now)
        .bind("now_ms", now * 1000)
        .then(deliveries -> committedLater(writes, deliveries > 0));
  }

  /**
   * Records, when {@code writes} runs after the charge of {@code charged}, that the account's
   * balance went below the threshold, if this charge took it there.
   */
  public void chargeMade(Pipeline writes, long accountId, Money charged, long now) {
    writes
        .add(
            """
            INSERT INTO rental_events (account_id, type, balance, created_at)
            SELECT a.id, :type, a.balance, :now FROM accounts a
            WHERE a.id = :account AND a.balance < :threshold AND a.balance + :charged >= :threshold
            """)
        .bind("type", EventType.BALANCE_LOW.wire())
        .bind("now", now)
        .bind("account", accountId)
        .bind("threshold", lowBalance.amount())
        .bind("charged", charged.amount());
    writes
        .add(Webhooks.DELIVERIES_OF_LOW_BALANCE)
        .bind("event", EventType.BALANCE_LOW.wire())
        .bind("pattern", Webhooks.pattern(EventType.BALANCE_LOW))
        .bind("account", accountId)
        .bind("threshold", lowBalance.amount())
        .bind("charged", charged.amount())
        .bind("now", now)
        .bind("now_ms", now * 1000)
        .then(deliveries -> committedLater(writes, deliveries > 0));
  }

  /**
   * Once the transaction commits: looks for the new event here, tells the other nodes, and wakes
   * the webhook sender when the event has deliveries to send.
   */
  private void committedLater(Pipeline writes, boolean withDeliveries) {
    writes
        .handle()
        .afterCommit(
            () -> {
              wake();
              if (withDeliveries) {
                onNew.forEach(Runnable::run);
              }
            });
  }

  /** Runs {@code action} after each commit here that wrote webhook deliveries (for the sender). */
  public void onNewEvents(Runnable action) {
    onNew.add(action);
  }

  // ---- reading

  /**
   * Listens to the account's events as they are handed on; the returned handle stops it.
   *
   * @return the id of the last event handed on before the listener was added
   */
  public Subscription listen(long accountId, Consumer<Event> listener) {
    long from;
    reading.lock();
    try {
      if (idle) {
        catchUp();
      }
      listeners.computeIfAbsent(accountId, k -> new CopyOnWriteArraySet<>()).add(listener);
      from = handedOn;
    } finally {
      reading.unlock();
    }
    return new Subscription(
        from,
        () ->
            listeners.computeIfPresent(
                accountId,
                (k, set) -> {
                  set.remove(listener);
                  return set.isEmpty() ? null : set;
                }));
  }

  /** A listener's registration. */
  public record Subscription(long from, Runnable cancel) implements AutoCloseable {
    @Override
    public void close() {
      cancel.run();
    }
  }

  /**
   * The account's events after {@code afterId} up to {@code throughId}, oldest first, of one rental
   * when {@code rentalId} is given.
   */
  public List<Event> since(long accountId, String rentalId, long afterId, long throughId) {
    return db.read(
        h ->
            h.createQuery(
                    EVENT_COLUMNS
                        + "WHERE e.account_id = :account AND e.id > :after AND e.id <= :through"
                        + (rentalId != null ? " AND e.rental_id = :rental" : "")
                        + " ORDER BY e.id LIMIT 10000")
                .bind("account", accountId)
                .bind("after", afterId)
                .bind("through", throughId)
                .bind("rental", rentalId)
                .map((rs, ctx) -> event(rs))
                .list());
  }

  /** The events of these ids that are still kept. */
  public List<Event> findAll(List<Long> ids) {
    return db.read(
        h ->
            h.createQuery(EVENT_COLUMNS + "WHERE e.id IN (<ids>) ORDER BY e.id")
                .bindList("ids", ids)
                .map((rs, ctx) -> event(rs))
                .list());
  }

  /** The id up to which events have been handed on to listeners. */
  public long handedOn() {
    return handedOn;
  }

  /** Forgets events older than {@link #KEEP_SECONDS}; returns how many. */
  public int forgetOld() {
    long cutoff = clock.instant().getEpochSecond() - KEEP_SECONDS;
    // By id, up to the first event young enough to keep: no index on the time to write with
    // every event, and the walk up the key stops where the old ones end.
    return db.inTransaction(
        h ->
            h.createUpdate(
                    """
                    DELETE FROM rental_events
                    WHERE id < COALESCE((SELECT MIN(e.id) FROM rental_events e
                                         WHERE e.created_at >= :cutoff),
                                        (SELECT MAX(e.id) + 1 FROM rental_events e), 0)
                    """)
                .bind("cutoff", cutoff)
                .execute());
  }

  Event event(ResultSet rs) throws SQLException {
    EventType type = EventType.fromWire(rs.getString("type")).orElseThrow();
    String e164 = rs.getString("e164");
    long smsId = rs.getLong("sms_id");
    Event.Sms sms =
        type == EventType.SMS_RECEIVED && !rs.wasNull()
            ? new Event.Sms(
                smsId,
                rs.getString("sender"),
                rs.getString("message"),
                rs.getString("code"),
                rs.getLong("received_at"))
            : null;
    long activation = rs.getLong("activation_id");
    Long activationId = rs.wasNull() ? null : activation;
    java.math.BigDecimal balance = rs.getBigDecimal("balance");
    return new Event(
        rs.getLong("id"),
        rs.getLong("account_id"),
        type,
        rs.getString("rental_id"),
        activationId,
        e164 == null ? null : phones.display(e164),
        rs.getString("service"),
        sms,
        balance == null ? null : Money.of(balance),
        type == EventType.BALANCE_LOW ? lowBalance : null,
        rs.getLong("created_at"));
  }

  // ---- handing on

  /** Asks the reader to look for new events. */
  public void wake() {
    reader.wake();
  }

  /**
   * Reads what was written since the last look and hands on what it can, in order. With nobody
   * listening it reads nothing: an SMS then costs no read here. The first listener to come catches
   * the log up first ({@link #listen}).
   */
  void handOnNew() {
    reading.lock();
    try {
      if (listeners.isEmpty()) {
        idle = true;
        return;
      }
      if (idle) {
        catchUp();
      }
      long after = handedOn;
      List<Event> rows =
          db.read(
              h ->
                  h.createQuery(
                          EVENT_COLUMNS + "WHERE " + unseen("e.id") + " ORDER BY e.id LIMIT 5000")
                      .bind("after", after)
                      .map((rs, ctx) -> event(rs))
                      .list());
      for (Event e : walkOver(rows, Event::id, after)) {
        Set<Consumer<Event>> set = listeners.get(e.accountId());
        if (set != null) {
          for (Consumer<Event> listener : set) {
            listener.accept(e);
          }
        }
      }
    } finally {
      reading.unlock();
    }
  }

  /** Moves past what was written while nobody listened, handing on none of it. */
  private void catchUp() {
    List<Long> ids;
    long last;
    do {
      long after = handedOn;
      ids =
          db.read(
              h ->
                  h.createQuery(
                          "SELECT id FROM rental_events WHERE id > :after ORDER BY id LIMIT 5000")
                      .bind("after", after)
                      .mapTo(Long.class)
                      .list());
      walkOver(ids, Long::longValue, after);
      last = ids.isEmpty() ? after : ids.getLast();
    } while (ids.size() == 5000 && handedOn == last);
    // What was passed over meanwhile is nobody's to hand on late.
    gaps.removeIf(g -> g.passed);
    idle = false;
  }

  /** Where to look: after the last id handed on, and in the ranges passed over still looked for. */
  private String unseen(String column) {
    StringBuilder where = new StringBuilder(column + " > :after");
    for (Gap g : gaps) {
      if (g.passed) {
        where
            .append(" OR ")
            .append(column)
            .append(" BETWEEN ")
            .append(g.from)
            .append(" AND ")
            .append(g.to);
      }
    }
    return where.toString();
  }

  /**
   * Walks {@code rows} (in id order, read after {@code after}) as far as it may: up to a missing id
   * not yet waited for long enough. Moves {@link #handedOn} there and returns the rows to hand on,
   * with late ones from ranges passed over.
   */
  private <T> List<T> walkOver(
      List<T> rows, java.util.function.ToLongFunction<T> idOf, long after) {
    long now = clock.millis();
    gaps.removeIf(g -> g.passed && now - g.seenAt > LATE_LOOK_MILLIS);
    List<T> toHand = new ArrayList<>();
    long reached = after;
    for (T row : rows) {
      long id = idOf.applyAsLong(row);
      if (id <= after) {
        // In a range passed over: late, handed on once.
        gaps.stream()
            .filter(g -> g.passed && g.from <= id && id <= g.to)
            .findFirst()
            .filter(g -> g.found.add(id))
            .ifPresent(g -> toHand.add(row));
        continue;
      }
      if (id > reached + 1) {
        Gap gap = waitingGapAt(reached + 1, id - 1, now);
        if (now - gap.seenAt < GAP_WAIT_MILLIS) {
          break;
        }
        gap.passed = true;
      }
      toHand.add(row);
      reached = id;
    }
    long through = reached;
    // A waiting range now behind us was filled: nothing to wait for or look for there.
    gaps.removeIf(g -> !g.passed && g.from <= through);
    handedOn = through;
    return toHand;
  }

  /** The range missing from {@code from}, first seen missing at {@code now} unless seen before. */
  private Gap waitingGapAt(long from, long to, long now) {
    for (Gap g : gaps) {
      if (!g.passed && g.from <= from && from <= g.to) {
        if (g.from == from && g.to == to) {
          return g;
        }
        // Partly filled since: the rest keeps the time it was first missed.
        Gap rest = new Gap(from, to, g.seenAt);
        gaps.remove(g);
        gaps.add(rest);
        return rest;
      }
    }
    Gap g = new Gap(from, to, now);
    gaps.add(g);
    return g;
  }

  @Override
  public void close() {
    reader.close();
  }
}
