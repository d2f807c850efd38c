package com.ohmyotp.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class H2FileTest {

  @Test
  void theFileOfAnEmbeddedUrlWithOrWithoutItsSettings() {
    assertThat(H2File.of("jdbc:h2:file:/var/lib/ohmyotp/ohmyotp;MODE=PostgreSQL"))
        .get()
        .extracting(H2File::path)
        .isEqualTo(Path.of("/var/lib/ohmyotp/ohmyotp.mv.db"));
    assertThat(H2File.of("jdbc:h2:/data/shop"))
        .get()
        .extracting(H2File::path)
        .isEqualTo(Path.of("/data/shop.mv.db"));
    assertThat(H2File.of("jdbc:h2:./data/ohmyotp"))
        .get()
        .extracting(H2File::path)
        .isEqualTo(Path.of("data/ohmyotp.mv.db").toAbsolutePath());
    assertThat(H2File.of("jdbc:h2:~/ohmyotp"))
        .get()
        .extracting(H2File::path)
        .isEqualTo(Path.of(System.getProperty("user.home"), "ohmyotp.mv.db"));
  }

  @Test
  void noFileInThisProcessForMemoryOrAServer() {
    assertThat(H2File.of("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1")).isEmpty();
    assertThat(H2File.of("jdbc:h2:tcp://db.local/ohmyotp")).isEmpty();
    assertThat(H2File.of("jdbc:h2:ssl://db.local/ohmyotp")).isEmpty();
  }
}
