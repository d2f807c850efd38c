package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.db.Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ActivationIdsTest {

  @Test
  void twoNodesOnOneDatabaseNeverHandOutTheSameId() {
    try (Database db =
        Database.open(
            "jdbc:h2:mem:activation-ids-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1",
            "",
            "",
            4,
            Duration.ofSeconds(5),
            new SimpleMeterRegistry())) {
      ActivationIds first = new ActivationIds(db);
      ActivationIds second = new ActivationIds(db);
      Set<Long> ids = ConcurrentHashMap.newKeySet();
      IntStream.range(0, 2_500)
          .parallel()
          .forEach(
              i -> {
                assertThat(ids.add(first.next())).isTrue();
                assertThat(ids.add(second.next())).isTrue();
              });
      assertThat(ids).hasSize(5_000);
      assertThat(new HashSet<>(ids))
          .allSatisfy(id -> assertThat(id).isBetween(1L << 32, (1L << 53) - 1));
    }
  }
}
