package com.ohmyotp.push;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background thread that does one round of work when woken, and at least once a second: a missed
 * wake-up costs a second, never the work. Many wake-ups before a round make one round.
 */
final class Waker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Waker.class);

  private final String name;
  private final Runnable round;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  private boolean wake;
  private volatile boolean closed;
  private Thread thread;

  /**
   * @param name the thread's name, and what a failed round is logged as
   * @param round the work; a round that throws is logged and tried again at the next wake-up
   */
  Waker(String name, Runnable round) {
    this.name = name;
    this.round = round;
  }

  void start() {
    thread = Thread.ofPlatform().name(name).daemon(true).start(this::run);
  }

  /** Asks for a round now. */
  void wake() {
    lock.lock();
    try {
      wake = true;
      woken.signal();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (!closed) {
      lock.lock();
      try {
        if (!wake) {
          woken.await(1, TimeUnit.SECONDS);
        }
        wake = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        round.run();
      } catch (RuntimeException e) {
        if (!closed) {
          log.warn("{} failed; trying again: {}", name, e.toString());
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
  }
}
