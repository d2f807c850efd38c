package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ohmyotp.sms.SmsMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The poll cache against real transactions of an in-memory H2: what it keeps, and that a write to a
 * rental is never hidden by it from a poll that starts after the write has committed.
 */
class PollCacheTest {

  private static final PollState ACTIVE =
      new PollState("r1", 7, RentalStatus.ACTIVE, 1_000, Optional.empty(), null);
  private static final PollState COMPLETED =
      new PollState(
          "r1",
          7,
          RentalStatus.COMPLETED,
          1_000,
          Optional.of(new SmsMessage(1, "r1", "Uber", "Your code is 482913", "482913", 900)),
          null);

  private final Jdbi jdbi = Jdbi.create("jdbc:h2:mem:");
  private final PollCache cache = PollCache.keeping(100);
  private final AtomicInteger reads = new AtomicInteger();
  private volatile PollState inDatabase = ACTIVE;

  private Optional<PollState> database(String id) {
    reads.incrementAndGet();
    return Optional.ofNullable(inDatabase).filter(s -> s.id().equals(id));
  }

  /** A write as RentalStore does it: marked inside the transaction, committed. */
  private void commitChange(PollState after) {
    jdbi.useTransaction(
        h -> {
          cache.changing(h, "r1");
          inDatabase = after;
        });
  }

  @Test
  void anUnchangedRentalIsReadOnceAndThenAnsweredFromMemory() {
    assertThat(cache.find("r1", this::database)).contains(ACTIVE);
    assertThat(cache.find("r1", this::database)).contains(ACTIVE);
    assertThat(cache.find("r1", this::database)).contains(ACTIVE);
    assertThat(reads).hasValue(1);
  }

  @Test
  void aRentalThatIsNotFoundIsNotKept() {
    assertThat(cache.find("nope", this::database)).isEmpty();
    assertThat(cache.find("nope", this::database)).isEmpty();
    assertThat(reads).hasValue(2);
    assertThat(cache.size()).isZero();
  }

  @Test
  void aCommittedChangeIsSeenByTheNextPoll() {
    assertThat(cache.find("r1", this::database)).contains(ACTIVE);
    commitChange(COMPLETED);
    assertThat(cache.find("r1", this::database)).contains(COMPLETED);
    assertThat(cache.find("r1", this::database)).contains(COMPLETED);
    assertThat(reads).hasValue(2);
  }

  @Test
  void whileATransactionChangesARentalItsPollsReadTheDatabase() {
    assertThat(cache.find("r1", this::database)).contains(ACTIVE);
    try (Handle h = jdbi.open()) {
      h.begin();
      cache.changing(h, "r1");
      assertThat(cache.find("r1", this::database)).contains(ACTIVE);
      assertThat(cache.find("r1", this::database)).contains(ACTIVE);
      assertThat(reads).hasValue(3);
      inDatabase = COMPLETED;
      h.commit();
    }
    assertThat(cache.find("r1", this::database)).contains(COMPLETED);
    assertThat(cache.find("r1", this::database)).contains(COMPLETED);
    assertThat(reads).hasValue(4);
  }

  @Test
  void aRolledBackChangeTakesItsMarkOffToo() {
    try (Handle h = jdbi.open()) {
      h.begin();
      cache.changing(h, "r1");
      h.rollback();
    }
    assertThat(cache.find("r1", this::database)).contains(ACTIVE);
    assertThat(cache.find("r1", this::database)).contains(ACTIVE);
    assertThat(reads).hasValue(1);
  }

  @Test
  void aRentalStaysMarkedUntilTheLastOfTwoTransactionsEnds() {
    try (Handle first = jdbi.open();
        Handle second = jdbi.open()) {
      first.begin();
      second.begin();
      cache.changing(first, "r1");
      cache.changing(second, "r1");
      first.commit();
      cache.find("r1", this::database);
      cache.find("r1", this::database);
      assertThat(reads).hasValue(2);
      inDatabase = COMPLETED;
      second.commit();
    }
    assertThat(cache.find("r1", this::database)).contains(COMPLETED);
    assertThat(cache.find("r1", this::database)).contains(COMPLETED);
    assertThat(reads).hasValue(3);
  }

  @Test
  void aReadThatAWriteOvertookIsNotKept() {
    // The read sees the old state, and the write commits before the read's answer is offered:
    // keeping it would hide the write from the polls after it.
    Function<String, Optional<PollState>> overtaken =
        id -> {
          Optional<PollState> old = database(id);
          commitChange(COMPLETED);
          return old;
        };
    assertThat(cache.find("r1", overtaken)).contains(ACTIVE);
    assertThat(cache.find("r1", this::database)).contains(COMPLETED);
    assertThat(reads).hasValue(2);
  }

  @Test
  void aReadDuringAnOpenTransactionIsNotKept() {
    try (Handle h = jdbi.open()) {
      h.begin();
      Function<String, Optional<PollState>> meanwhile =
          id -> {
            Optional<PollState> old = database(id);
            cache.changing(h, "r1");
            return old;
          };
      assertThat(cache.find("r1", meanwhile)).contains(ACTIVE);
      inDatabase = COMPLETED;
      h.commit();
    }
    assertThat(cache.find("r1", this::database)).contains(COMPLETED);
  }

  @Test
  void aChangeOutsideATransactionIsRefused() {
    try (Handle h = jdbi.open()) {
      assertThatThrownBy(() -> cache.changing(h, "r1")).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void manyRentalsDropTheOldestButNeverAMark() {
    PollCache small = PollCache.keeping(10);
    try (Handle h = jdbi.open()) {
      h.begin();
      small.changing(h, "marked");
      for (int i = 0; i < 100; i++) {
        String id = "r" + i;
        small.find(
            id,
            x ->
                Optional.of(
                    new PollState(x, 7, RentalStatus.ACTIVE, 1_000, Optional.empty(), null)));
      }
      assertThat(small.size()).isLessThanOrEqualTo(11);
      AtomicInteger markedReads = new AtomicInteger();
      small.find(
          "marked",
          x -> {
            markedReads.incrementAndGet();
            return Optional.of(ACTIVE);
          });
      small.find(
          "marked",
          x -> {
            markedReads.incrementAndGet();
            return Optional.of(ACTIVE);
          });
      assertThat(markedReads)
          .as("a marked rental is read from the database every time")
          .hasValue(2);
      h.commit();
    }
  }

  /** A cache as a node sharing PostgreSQL with others has it, with a clock the test moves. */
  private final AtomicLong nanos = new AtomicLong();

  private final List<String> told = new ArrayList<>();
  private final PollCache shared = PollCache.shared(100, PollCache.KEPT_FOR, nanos::get, told::add);

  @Test
  void sharedNothingIsKeptBeforeTheFeedListens() {
    shared.find("r1", this::database);
    shared.find("r1", this::database);
    assertThat(reads).hasValue(2);
    shared.listening();
    shared.find("r1", this::database);
    shared.find("r1", this::database);
    assertThat(reads).hasValue(3);
    assertThat(shared.answeredFromMemory()).isEqualTo(1);
  }

  @Test
  void sharedARentalAnotherNodeChangedIsReadAgain() {
    shared.listening();
    shared.find("r1", this::database);
    inDatabase = COMPLETED;
    shared.changed(List.of("r2", "r1"));
    assertThat(shared.find("r1", this::database)).contains(COMPLETED);
    assertThat(shared.find("r1", this::database)).contains(COMPLETED);
    assertThat(reads).hasValue(2);
  }

  @Test
  void sharedAReadThatAnotherNodesChangeOvertookIsNotKept() {
    shared.listening();
    Function<String, Optional<PollState>> overtaken =
        id -> {
          Optional<PollState> old = database(id);
          inDatabase = COMPLETED;
          shared.changed(List.of("r1"));
          return old;
        };
    assertThat(shared.find("r1", overtaken)).contains(ACTIVE);
    assertThat(shared.find("r1", this::database)).contains(COMPLETED);
  }

  @Test
  void sharedEverythingKeptIsForgottenWhenTheFeedStops() {
    shared.listening();
    shared.find("r1", this::database);
    shared.notListening();
    // Whatever the others changed now goes untold.
    inDatabase = COMPLETED;
    assertThat(shared.find("r1", this::database)).contains(COMPLETED);
    assertThat(shared.find("r1", this::database)).contains(COMPLETED);
    assertThat(reads).hasValue(3);
    assertThat(shared.size()).isZero();
    shared.listening();
    shared.find("r1", this::database);
    shared.find("r1", this::database);
    assertThat(reads).hasValue(4);
  }

  @Test
  void sharedAReadDuringWhichTheFeedStoppedIsNotKept() {
    shared.listening();
    Function<String, Optional<PollState>> interrupted =
        id -> {
          Optional<PollState> old = database(id);
          shared.notListening();
          shared.listening();
          return old;
        };
    shared.find("r1", interrupted);
    shared.find("r1", this::database);
    assertThat(reads).hasValue(2);
  }

  @Test
  void sharedAnAnswerIsKeptNoLongerThanKeptFor() {
    shared.listening();
    shared.find("r1", this::database);
    nanos.addAndGet(PollCache.KEPT_FOR.minusMillis(1).toNanos());
    shared.find("r1", this::database);
    assertThat(reads).hasValue(1);
    nanos.addAndGet(Duration.ofMillis(2).toNanos());
    shared.find("r1", this::database);
    assertThat(reads).hasValue(2);
  }

  @Test
  void sharedCommittedChangesAreToldToTheOtherNodesAndRolledBackOnesAreNot() {
    shared.listening();
    try (Handle h = jdbi.open()) {
      h.begin();
      shared.changing(h, "rolled-back");
      assertThat(told).isEmpty();
      h.rollback();
      h.begin();
      shared.changing(h, "r1");
      assertThat(told).as("not before the commit").isEmpty();
      h.commit();
    }
    assertThat(told).containsExactly("r1");
  }
}
