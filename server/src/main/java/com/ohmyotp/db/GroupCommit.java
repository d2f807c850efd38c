package com.ohmyotp.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * Writes of the embedded H2 database to its file, made here rather than by H2, so that a commit is
 * answered only once it is on the disk, and the file never holds part of a transaction.
 *
 * <p>H2 writes its file from a copy of each table and index taken one after another. Left to itself
 * ({@code WRITE_DELAY=0}) it writes at the end of every commit while other sessions go on
 * committing, and a write can take one table before a concurrent commit reached it and the next
 * table after: killed just then, the file holds part of that transaction (a charge without its
 * rental; h2database issue 2080). Here a write transaction holds a shared turn from its first
 * statement to its commit, and the tables are taken under the exclusive turn, when no write
 * transaction is under way, so each write holds whole transactions only; H2's own threads then turn
 * them into bytes while transactions go on. A transaction waits, after its commit, until a write
 * taken after the commit is in the file and forced to the disk ({@code fsync}); the first to wait
 * writes for all who committed by then (a group commit), so one write and one {@code fsync} serve
 * many commits.
 *
 * <p>H2 is opened so that it never writes by itself ({@link Database}): no write at commit, no
 * background writer, no automatic compaction. Compaction runs here instead, a little before each
 * write while the file holds too little live data.
 */
final class GroupCommit {

  /**
   * Below this share (in percent) of live data in the file, it is compacted. The live pages of a
   * B-tree are about two thirds full where a compacted file's are full, so the running file is some
   * three times what its data needs compacted: at 100,000 rent + cancel cycles, 3.3 times at 50,
   * 3.1 at 55 and 2.9 at 60, where rent + cancel throughput fell by a quarter (bench/disk.sh,
   * bench/rent-cancel.sh, BENCHMARKS.md).
   */
  static final int LIVE_SHARE = 55;

  private static final int COMPACTION_BYTES_PER_POINT = 256 * 1024;
  private static final int MAX_COMPACTION_BYTES = 4 * 1024 * 1024;
  private static final long COMPACTION_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final MVStore store;
  private final ReentrantReadWriteLock turns = new ReentrantReadWriteLock();
  private final AtomicLong committed = new AtomicLong();
  private final ReentrantLock writing = new ReentrantLock();
  private final Condition written = writing.newCondition();
  private long durable;
  private boolean writerBusy;
  private long lastCompaction = System.nanoTime();
  private long lastPassVersion = -1;

  private GroupCommit(MVStore store) {
    this.store = store;
    // H2 keeps the space of chunks it no longer needs for 45 s before writing over it, trusting
    // the disk to have caught up by then. Each write here is forced to the disk before the next
    // one starts, so the space is free at once; and kept for 45 s, at a thousand rentals a
    // second, it made the file 30 times the size of its data.
    store.setRetentionTime(0);
  }

  /** Takes over the writes of the H2 database behind {@code connection}. */
  static GroupCommit of(Connection connection) throws SQLException {
    // H2's JDBC connection leads to the store it writes through; there is no other way to it.
    SessionLocal session = (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
    return new GroupCommit(session.getDatabase().getStore().getMvStore());
  }

  /**
   * Runs a write transaction: {@code work} holds a shared turn until it has committed, then waits
   * until its commit is in the file. {@code exclusive} work (a large import) runs alone.
   */
  <R> R run(boolean exclusive, Supplier<R> work) {
    if (turns.getReadHoldCount() > 0 || turns.isWriteLockedByCurrentThread()) {
      throw new IllegalStateException("a transaction inside a transaction");
    }
    var turn = exclusive ? turns.writeLock() : turns.readLock();
    R result;
    long ticket;
    turn.lock();
    try {
      result = work.get();
      ticket = committed.incrementAndGet();
    } finally {
      turn.unlock();
    }
    awaitWritten(ticket);
    return result;
  }

  /** Writes everything committed so far (after the migrations, say). */
  void writeNow() {
    awaitWritten(committed.incrementAndGet());
  }

  private void awaitWritten(long ticket) {
    writing.lock();
    try {
      while (durable < ticket) {
        if (writerBusy) {
          written.awaitUninterruptibly();
          continue;
        }
        writerBusy = true;
        writing.unlock();
        long covered = 0;
        try {
          covered = write();
        } finally {
          writing.lock();
          writerBusy = false;
          durable = Math.max(durable, covered);
          written.signalAll();
        }
      }
    } finally {
      writing.unlock();
    }
  }

  /**
   * Moves live pages out of chunks that hold little else, while transactions go on (it changes no
   * value): they are written with the next commits, and the chunks they left become free space. The
   * further the file's live share falls below {@link #LIVE_SHARE}, the more it moves.
   */
  private void compact() {
    var file = store.getFileStore();
    int liveShare = file.getFillRate() * file.getChunksFillRate() / 100;
    int shortfall = LIVE_SHARE - liveShare;
    // The chunks a pass empties are freed only once no statement can still read the version they
    // were emptied in; a statement waiting for a row lock keeps its version for up to LOCK_TIMEOUT.
    // Until then another pass would only add chunks that cannot be freed either, lower the live
    // share and ask for more moving: one round of bench/crash.sh grew the file twelvefold that way.
    // So a pass waits until the previous one's chunks can be freed.
    if (shortfall > 0 && oldestVersionKept() > lastPassVersion) {
      store.compact(100, Math.min(MAX_COMPACTION_BYTES, shortfall * COMPACTION_BYTES_PER_POINT));
      lastPassVersion = store.getCurrentVersion();
    }
  }

  /** The oldest version of the store that an open statement may still read. */
  private long oldestVersionKept() {
    // H2 tells it only among the figures of INFORMATION_SCHEMA.SETTINGS.
    long[] oldest = {Long.MAX_VALUE};
    store.populateInfo(
        (name, value) -> {
          if (name.equals("info.OLDEST_VERS_TO_KEEP")) {
            oldest[0] = Long.parseLong(value);
          }
        });
    return oldest[0];
  }

  /** One write of the file, of every transaction committed when it starts; returns how many. */
  private long write() {
    long now = System.nanoTime();
    if (now - lastCompaction > COMPACTION_INTERVAL_NANOS) {
      lastCompaction = now;
      compact();
    }
    long covered;
    turns.writeLock().lock();
    try {
      covered = committed.get();
      // Takes every table as it is now and hands them to H2's writer threads: transactions go on
      // while those turn them into bytes. tryCommit gives up when the store is busy; then this
      // waits for it.
      if (store.tryCommit() < 0 && store.hasUnsavedChanges()) {
        store.commit();
      }
    } finally {
      turns.writeLock().unlock();
    }
    // Once H2's writer threads have put it in the file, forced to the disk. The next write waits
    // for this one, so none reuses space the disk may not have let go of yet.
    store.executeFilestoreOperation(() -> store.getFileStore().sync());
    return covered;
  }
}
