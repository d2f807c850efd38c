package com.ohmyotp.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ohmyotp.support.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Two nodes' feeds on one real PostgreSQL: what one publishes, the other hears. */
@Tag("postgres")
class ChangeFeedTest {

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  /** What a subscriber was told, in order: "listening", "not listening", or an id. */
  private static final class Heard implements ChangeFeed.Subscriber {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Override
    public void listening() {
      events.add("listening");
    }

    @Override
    public void notListening() {
      events.add("not listening");
    }

    @Override
    public void changed(List<String> ids) {
      events.addAll(ids);
    }

    String next() throws InterruptedException {
      String event = events.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(event).as("an event within " + DEADLINE).isNotNull();
      return event;
    }
  }

  private final String channel = "test_" + Long.toHexString(System.nanoTime());
  private TestDatabase testDatabase;
  private Database db;

  /** Two nodes' feeds on the same channel, each listening, and what each was told since. */
  private ChangeFeed a;

  private ChangeFeed b;
  private Heard heardByA;
  private Heard heardByB;

  @BeforeEach
  void open() throws InterruptedException {
    testDatabase = TestDatabase.create();
    db =
        Database.open(
            testDatabase.jdbcUrl(), "", "", 4, Duration.ofSeconds(5), new SimpleMeterRegistry());
    a = ChangeFeed.start(db, channel);
    b = ChangeFeed.start(db, channel);
    heardByA = listening(a);
    heardByB = listening(b);
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
    db.close();
    testDatabase.drop();
  }

  private static Heard listening(ChangeFeed feed) throws InterruptedException {
    Heard heard = new Heard();
    feed.subscribe(heard);
    assertThat(heard.next()).isEqualTo("listening");
    return heard;
  }

  @Test
  void eachNodeHearsTheOthersChangesButNotItsOwn() throws Exception {
    a.publish("r1");
    assertThat(heardByB.next()).isEqualTo("r1");
    b.publish("r2");
    assertThat(heardByA.next()).isEqualTo("r2");
    assertThat(heardByA.events).isEmpty();
    assertThat(heardByB.events).isEmpty();
  }

  @Test
  void manyChangesAtOnceAllArrive() throws Exception {
    // Far more than one notification's payload holds.
    Set<String> published = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      String id = UUID.randomUUID().toString();
      published.add(id);
      a.publish(id);
    }
    Set<String> arrived = new HashSet<>();
    while (arrived.size() < published.size()) {
      arrived.add(heardByB.next());
    }
    assertThat(arrived).isEqualTo(published);
  }

  @Test
  void aLostConnectionIsToldAndListeningResumes() throws Exception {
    // Both listening connections of this test, as an operator's restart or a network failure
    // would end them.
    TestDatabase.execute(
        testDatabase.jdbcUrl(),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ohmyotp-feed "
            + channel
            + "'");
    assertThat(heardByB.next()).isEqualTo("not listening");
    assertThat(heardByB.next()).isEqualTo("listening");

    await()
        .atMost(DEADLINE)
        .until(
            () -> {
              a.publish("after");
              return heardByB.events.contains("after");
            });
  }

  @Test
  void payloadsStayUnderTheLimitAndKeepEveryId() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    List<String> payloads = ChangeFeed.payloads("node1234", ids);
    assertThat(payloads)
        .hasSizeGreaterThan(1)
        .allSatisfy(
            payload -> {
              assertThat(payload.length()).isLessThanOrEqualTo(ChangeFeed.MAX_PAYLOAD);
              assertThat(payload).startsWith("node1234 ");
            });
    List<String> back = new ArrayList<>();
    payloads.forEach(p -> back.addAll(List.of(p.substring("node1234 ".length()).split(" "))));
    assertThat(back).isEqualTo(ids);
  }
}
