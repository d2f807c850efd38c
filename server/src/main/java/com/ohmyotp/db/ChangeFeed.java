package com.ohmyotp.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the other nodes sharing a PostgreSQL database which rows this one changed, over
 * LISTEN/NOTIFY on one channel, and tells this node which rows they changed.
 *
 * <p>Ids are published after their transaction has committed, in batches: a change is sent at once
 * when none is on its way, and the changes made while one notification is on its way gather for the
 * next; when that gathered more than one, the node is busy, and the changes of a few milliseconds
 * more join them. So a busy node sends one notification for many writes, its own transactions never
 * wait for the feed, and another node hears of a change within a few milliseconds of its commit.
 *
 * <p>Notifications are not durable. One sent while a node's listening connection is down never
 * reaches that node, and one not yet sent when its node dies is never sent. So the subscriber is
 * told when listening stops and when it starts again, and must assume it missed everything in
 * between; and what it keeps on the strength of the feed must also expire by itself.
 */
public final class ChangeFeed implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

  /** A notification's payload must stay under PostgreSQL's 8000 bytes. */
  static final int MAX_PAYLOAD = 7_900;

  /** Ids not yet told when the database is away; beyond this the oldest are given up. */
  private static final int MAX_UNSENT = 100_000;

  /** How long the listener waits for a notification before it checks its connection is alive. */
  private static final int IDLE_CHECK_MILLIS = 2_000;

  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** How long the changes after a notification gather before the next is sent. */
  private static final Duration GATHER_FOR = Duration.ofMillis(5);

  /** What a node does with the changes of the others. */
  public interface Subscriber {

    /** Listening has (re)started: every change committed from now on elsewhere will be told. */
    void listening();

    /** Listening has stopped: changes made elsewhere may go untold until {@link #listening}. */
    void notListening();

    /** These ids changed on another node, in transactions that have committed. */
    void changed(List<String> ids);
  }

  private final Database db;
  private final String channel;
  private final String nodeId = UUID.randomUUID().toString().substring(0, 8);
  private final LinkedBlockingQueue<String> unsent = new LinkedBlockingQueue<>(MAX_UNSENT);
  private final Thread publisher;
  private final Thread listener;
  private final List<Subscriber> subscribers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Connection listenerConnection;
  private volatile boolean closed;

  private ChangeFeed(Database db, String channel) {
    if (!channel.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("not a channel name: " + channel);
    }
    this.db = db;
    this.channel = channel;
    this.publisher =
        Thread.ofPlatform().name("ohmyotp-feed-publisher").daemon().unstarted(this::publish);
    this.listener =
        Thread.ofPlatform().name("ohmyotp-feed-listener").daemon().unstarted(this::listen);
  }

  /**
   * Starts publishing this node's changes on {@code channel} of the PostgreSQL database {@code db}.
   */
  public static ChangeFeed start(Database db, String channel) {
    if (db.dialect() != Database.Dialect.POSTGRESQL) {
      throw new IllegalArgumentException("a change feed needs PostgreSQL");
    }
    ChangeFeed feed = new ChangeFeed(db, channel);
    feed.publisher.start();
    return feed;
  }

  /**
   * Starts telling {@code subscriber} of the other nodes' changes. Subscribe every subscriber
   * before the node takes requests: one that comes later may miss what was said before it.
   */
  public synchronized void subscribe(Subscriber subscriber) {
    subscribers.add(subscriber);
    if (!listener.isAlive()) {
      listener.start();
    }
  }

  /** Tells the other nodes that {@code id} changed; call it once the change has committed. */
  public void publish(String id) {
    if (!unsent.offer(id)) {
      // The database has been away long enough for this many changes: the others forget what
      // they keep by themselves, so the oldest untold change is the one to give up.
      unsent.poll();
      unsent.offer(id);
    }
  }

  private void publish() {
    List<String> batch = new ArrayList<>();
    boolean failing = false;
    while (!closed) {
      try {
        if (batch.isEmpty()) {
          batch.add(unsent.take());
        }
        unsent.drainTo(batch, MAX_UNSENT - batch.size());
        send(batch);
        boolean busy = batch.size() > 1;
        batch.clear();
        if (failing) {
          log.info("changes are told to the other nodes again");
          failing = false;
        }
        if (busy) {
          // Each notification is a transaction of the database's and wakes every node's
          // listener: while changes come faster than notifications go, those of the next few
          // milliseconds share one.
          Thread.sleep(GATHER_FOR);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | SQLException e) {
        if (!failing) {
          log.warn(
              "cannot tell the other nodes of {} changes, retrying: {}",
              batch.size(),
              e.toString());
          failing = true;
        }
        pause();
      }
    }
  }

  private void send(List<String> ids) throws SQLException {
    List<String> payloads = payloads(nodeId, ids);
    db.read(
        h -> {
          // A notification is worth nothing after a crash: its commit need not wait for the disk.
          try (PreparedStatement notify =
              h.getConnection()
                  .prepareStatement(
                      "SELECT set_config('synchronous_commit', 'off', true), pg_notify(?, ?)")) {
            for (String payload : payloads) {
              notify.setString(1, channel);
              notify.setString(2, payload);
              notify.execute();
            }
          }
          return null;
        });
  }

  /** Notification payloads for {@code ids}: the sender's node id, then as many ids as fit. */
  static List<String> payloads(String nodeId, List<String> ids) {
    List<String> payloads = new ArrayList<>();
    StringBuilder payload = new StringBuilder(nodeId);
    for (String id : ids) {
      if (payload.length() + 1 + id.length() > MAX_PAYLOAD) {
        payloads.add(payload.toString());
        payload.setLength(0);
        payload.append(nodeId);
      }
      payload.append(' ').append(id);
    }
    payloads.add(payload.toString());
    return payloads;
  }

  private void listen() {
    boolean failing = false;
    while (!closed) {
      try (Connection connection = db.openDedicated("ohmyotp-feed " + channel)) {
        listenerConnection = connection;
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN " + channel);
          subscribers.forEach(Subscriber::listening);
          if (failing) {
            log.info("hearing the other nodes' changes again");
            failing = false;
          }
          PGConnection notifications = connection.unwrap(PGConnection.class);
          while (!closed) {
            PGNotification[] heard = notifications.getNotifications(IDLE_CHECK_MILLIS);
            if (heard == null || heard.length == 0) {
              // A connection the network dropped without a word is only found out by using it.
              statement.execute("SELECT 1");
              continue;
            }
            for (PGNotification notification : heard) {
              fromOthers(notification.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        subscribers.forEach(Subscriber::notListening);
        if (closed) {
          return;
        }
        if (!failing) {
          log.warn("not hearing the other nodes' changes, reconnecting: {}", e.toString());
          failing = true;
        }
        pause();
      }
    }
  }

  private void fromOthers(String payload) {
    List<String> words = Arrays.asList(payload.split(" "));
    if (words.size() > 1 && !words.get(0).equals(nodeId)) {
      List<String> ids = words.subList(1, words.size());
      subscribers.forEach(subscriber -> subscriber.changed(ids));
    }
  }

  private void pause() {
    try {
      Thread.sleep(RETRY_AFTER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops both sides; changes not yet told are dropped. */
  @Override
  public void close() {
    closed = true;
    publisher.interrupt();
    listener.interrupt();
    Connection connection = listenerConnection;
    if (connection != null) {
      try {
        // Unlike close(), abort() does not wait for the listener's read to give up the connection.
        connection.abort(Runnable::run);
      } catch (SQLException e) {
        // The listener gives up its connection at its next check instead; nothing is lost.
        log.debug("could not abort the listening connection: {}", e.toString());
      }
    }
    try {
      publisher.join(5_000);
      listener.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
