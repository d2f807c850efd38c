package com.ohmyotp.rentals;

import com.ohmyotp.api.Caller;
import com.ohmyotp.rentals.RentalViews.CodeView;
import com.ohmyotp.sms.SmsMessage;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /rentals/:id/code?wait=N}: the answer comes as soon as an SMS newer than {@code after}
 * arrives or the rental ends, and otherwise with the rental as it is when {@code N} seconds have
 * passed. A waiting request holds no thread: it is a registration with {@link RentalWaiters}, woken
 * by this node's commits and by the other nodes' through the change feed, and a timer.
 */
public final class LongPolls {

  /** The longest wait a request may ask for, in seconds. */
  public static final int MAX_WAIT_SECONDS = 60;

  private final Rentals rentals;
  private final RentalWaiters waiters;
  private final Clock clock;

  public LongPolls(Rentals rentals, RentalWaiters waiters, Clock clock) {
    this.rentals = rentals;
    this.waiters = waiters;
    this.clock = clock;
  }

  /**
   * The rental's code once there is something new, or its state after {@code waitSeconds}.
   *
   * @param after the SMS id the caller has seen; null for the newest the rental has now
   * @throws com.ohmyotp.api.ApiException 404 for a rental that is not the caller's, at once
   */
  public CompletableFuture<CodeView> code(
      Caller caller, String rentalId, Long after, int waitSeconds) {
    PollState first = rentals.poll(caller, rentalId);
    long since = after != null ? after : newestSms(first);
    if (waitSeconds == 0 || answersNow(first, since)) {
      return CompletableFuture.completedFuture(rentals.code(caller, rentalId));
    }
    CompletableFuture<CodeView> answer = new CompletableFuture<>();
    Runnable look =
        () -> {
          if (answer.isDone()) {
            return;
          }
          try {
            if (answersNow(rentals.poll(caller, rentalId), since)) {
              answer.complete(rentals.code(caller, rentalId));
            }
          } catch (RuntimeException e) {
            answer.completeExceptionally(e);
          }
        };
    RentalWaiters.Registration registration = waiters.await(rentalId, look);
    answer.whenComplete((view, failure) -> registration.close());
    long now = clock.millis();
    long deadline = now + waitSeconds * 1000L;
    // The window's end is a change no commit announces until the sweep: look then as well.
    long windowEnd = first.expiresAt() * 1000 + 1000;
    if (windowEnd < deadline) {
      CompletableFuture.delayedExecutor(Math.max(0, windowEnd - now), TimeUnit.MILLISECONDS)
          .execute(() -> Thread.startVirtualThread(look));
    }
    CompletableFuture.delayedExecutor(deadline - now, TimeUnit.MILLISECONDS)
        .execute(
            () ->
                Thread.startVirtualThread(
                    () -> {
                      try {
                        answer.complete(rentals.code(caller, rentalId));
                      } catch (RuntimeException e) {
                        answer.completeExceptionally(e);
                      }
                    }));
    // After registering: a change between the first read and the registration is not missed.
    look.run();
    return answer;
  }

  private boolean answersNow(PollState state, long since) {
    if (state.latest().map(SmsMessage::id).orElse(0L) > since) {
      return true;
    }
    return state.status() == RentalStatus.EXPIRED
        || state.status() == RentalStatus.CANCELLED
        || clock.instant().getEpochSecond() >= state.expiresAt();
  }

  private static long newestSms(PollState state) {
    return state.latest().map(SmsMessage::id).orElse(0L);
  }

  /** How many requests wait now, for {@code /metrics}. */
  public int waiting() {
    return waiters.waiting();
  }
}
