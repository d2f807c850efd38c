package com.ohmyotp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers {@code --help} with its usage and exit code 0. */
class HelpTest {

  record Help(int exit, String out, String err) {}

  static Help help(Object command, String... args) {
    CommandLine cmd = new CommandLine(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int exit = cmd.execute(args);
    return new Help(exit, out.toString(), err.toString());
  }

  @Test
  void everySubcommandOfTheClientHasHelp() {
    for (String sub : new String[] {"services", "balance", "rent", "code", "cancel", "active"}) {
      Help h = help(new Cli(), sub, "--help");
      assertThat(h.exit()).as(sub).isZero();
      assertThat(h.out()).as(sub).contains("Usage: ohmyotp-cli " + sub);
      assertThat(h.err()).as(sub).isEmpty();
    }
  }

  @Test
  void theOperatorsCommandsHaveHelpWithTheirExitCodes() {
    Help relay = help(new Relay(Map.of(), java.time.Clock.systemUTC(), System.err), "--help");
    assertThat(relay.exit()).isZero();
    // Kannel's % placeholders are shown as written, with no complaint from the formatter.
    assertThat(relay.err()).isEmpty();
    assertThat(relay.out())
        .contains("kannel?from=%p&to=%P&text=%a&time=%T&id=%I")
        .contains("Exit codes:")
        .contains("64");
    Help importNumbers = help(new Admin(), "import-numbers", "--help");
    assertThat(importNumbers.exit()).isZero();
    assertThat(importNumbers.out()).contains("phone, and any of country, gateway, expiry");
  }
}
