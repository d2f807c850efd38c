package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.NodeProcess;
import com.ohmyotp.support.TestDatabase;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An operator's mistakes at start-up (a wrong database URL, a database that is not there) end the
 * process with one line saying what is wrong and an exit code a supervisor can act on, not a stack
 * trace. Each case starts the real {@code Main} in a process of its own.
 */
class StartupFailureTest {

  private static NodeProcess.Exit start(String dbUrl) {
    Map<String, String> settings = new HashMap<>(NodeProcess.testSettings());
    settings.put("OHMYOTP_DB_URL", dbUrl);
    return NodeProcess.runToExit(settings, 60);
  }

  private static void assertOneLine(NodeProcess.Exit exit, int code, String message) {
    assertThat(exit.code()).as(exit.output()).isEqualTo(code);
    assertThat(exit.output().lines().filter(l -> l.startsWith("ohmyotp: ")))
        .as(exit.output())
        .singleElement()
        .asString()
        .contains(message);
    assertThat(exit.output())
        .as("no stack trace")
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
  }

  @Test
  void aUrlOfAnotherDatabaseIsAConfigurationError() {
    NodeProcess.Exit exit = start("jdbc:mysql://127.0.0.1:3306/ohmyotp?password=hunter2");
    assertOneLine(exit, 2, "OHMYOTP_DB_URL must start with jdbc:postgresql:// or jdbc:h2:");
    assertThat(exit.output()).doesNotContain("hunter2").contains("password=***");
  }

  @Test
  void anUnreachableDatabaseExits3WithoutShowingThePassword() {
    NodeProcess.Exit exit =
        start("jdbc:postgresql://127.0.0.1:1/ohmyotp?user=postgres&password=hunter2");
    assertOneLine(
        exit,
        3,
        "cannot open the database at jdbc:postgresql://127.0.0.1:1/ohmyotp?user=postgres&password=***");
    assertThat(exit.output()).doesNotContain("hunter2");
  }

  @Test
  @Tag("postgres")
  void aMissingDatabaseOrRoleExits3() {
    String base = TestDatabase.postgresUrl().orElseThrow();
    String server = base.substring(0, base.lastIndexOf('/'));
    assertOneLine(
        start(server + "/ohmyotp_no_such_database?user=postgres"),
        3,
        "database \"ohmyotp_no_such_database\" does not exist");
    assertOneLine(
        start(server + "/postgres?user=ohmyotp_no_such_role"),
        3,
        "role \"ohmyotp_no_such_role\" does not exist");
  }
}
