package com.ohmyotp.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.TempFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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

  @Test
  void theFileIsMarkedInUseWhileOpenAndACleanCloseRemovesTheMark() throws Exception {
    Path folder = Files.createTempDirectory("ohmyotp-h2file-");
    try {
      Path marker = folder.resolve("ohmyotp.in-use");
      Database db = open(folder);
      assertThat(marker).exists();
      // SMS codes and e-mails: readable by the service's user alone, whatever the umask.
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(folder.resolve("ohmyotp.mv.db"))))
          .isEqualTo("rw-------");
      db.inTransaction(h -> h.execute("UPDATE accounts SET email = email WHERE id = -1"));
      db.close();
      assertThat(marker).doesNotExist();
      assertThat(folder.resolve("ohmyotp.mv.db")).exists();

      // Opened again, the file is marked again, and a clean close removes the mark again.
      open(folder).close();
      assertThat(marker).doesNotExist();
    } finally {
      TempFiles.deleteTree(folder);
    }
  }

  @Test
  void aFileLeftInUseOpensWithEverythingItHadCommitted() throws Exception {
    Path folder = Files.createTempDirectory("ohmyotp-h2file-");
    Path copy = Files.createTempDirectory("ohmyotp-h2file-copy-");
    try {
      try (Database db = open(folder)) {
        db.inTransaction(
            h ->
                h.execute(
                    "INSERT INTO accounts (email, email_key, created_at) VALUES ('left@example.com', 'left@example.com', 0)"));
        // The folder as a process killed now would leave it: the file, marked in use.
        for (String name : new String[] {"ohmyotp.mv.db", "ohmyotp.in-use"}) {
          Files.copy(folder.resolve(name), copy.resolve(name));
        }
      }
      try (Database db = open(copy)) {
        int found =
            db.read(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM accounts WHERE email = :e")
                        .bind("e", "left@example.com")
                        .mapTo(Integer.class)
                        .one());
        assertThat(found).isEqualTo(1);
      }
      assertThat(copy.resolve("ohmyotp.in-use")).doesNotExist();
    } finally {
      TempFiles.deleteTree(folder);
      TempFiles.deleteTree(copy);
    }
  }

  private static Database open(Path folder) {
    return Database.open(
        "jdbc:h2:file:" + folder.resolve("ohmyotp"),
        "",
        "",
        2,
        Duration.ofSeconds(10),
        new SimpleMeterRegistry());
  }
}
