package com.ohmyotp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ohmyotp admin import-numbers FILE} against a real server: all the file, or none of it. */
class ImportNumbersTest {

  static LocalServer server;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    server = new LocalServer();
    assertThat(
            server
                .admin(
                    "POST",
                    "/api/admin/gateways",
                    "{\"name\":\"sims\",\"kind\":\"android\",\"secret\":\"k\"}")
                .status())
        .isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Run(int exit, String out, String err) {}

  Run importFile(String csv) throws Exception {
    Path file = dir.resolve("numbers.csv");
    Files.writeString(file, csv);
    Admin admin = new Admin();
    CommandLine cmd = new CommandLine(admin);
    cmd.getCommandSpec().exitCodeOnInvalidInput(Admin.USAGE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine sub = cmd.getSubcommands().get("import-numbers");
    Admin.ImportNumbers command = sub.getCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int exit =
        cmd.execute(
            "--url",
            server.url,
            "--token",
            LocalServer.ADMIN_TOKEN,
            "import-numbers",
            file.toString());
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aValidFileIsImportedWithItsCountriesGatewaysAndExpiries() throws Exception {
    long before = server.numbers("gateway");
    Run run =
        importFile(
            "phone,country,gateway,expiry\n"
                + "2125550160,US,sims,2099-12-31\n"
                + "07400 123161,GB,,\n"
                + "+33 6 12 34 56 78,,sims,4102444800\n");
    assertThat(run.exit()).as(run.err()).isEqualTo(0);
    assertThat(run.out()).isEqualTo("imported 3 numbers" + System.lineSeparator());
    assertThat(server.numbers("gateway")).isEqualTo(before + 3);
    assertThat(server.admin("GET", "/api/admin/gateways/sims", null).json().get("numbers").asLong())
        .isEqualTo(2);
  }

  @Test
  void oneBadLineImportsNothingAndEveryBadLineIsNamed() throws Exception {
    long before = server.numbers("gateway");
    Run run =
        importFile(
            "phone,country,gateway,expiry\n"
                + "2125550170,US,,\n"
                + "not-a-number,,,\n"
                + "2125550171,GB,,\n"
                + "2125550172,,nowhere,\n"
                + "2125550173,,,2001-01-01\n"
                + "2125550170,,,\n");
    assertThat(run.exit()).as(run.err()).isEqualTo(Admin.INVALID);
    assertThat(run.err())
        .contains("line 3: 'not-a-number' is not a valid phone number.")
        .contains("line 4: ")
        .contains("line 5: There is no gateway 'nowhere'.")
        .contains("line 6: The expiry 2001-01-01 has passed.")
        .contains("line 7: +12125550170 is on line 2 already.")
        .contains("nothing was imported");
    assertThat(server.numbers("gateway")).isEqualTo(before);

    Run unknownColumn = importFile("phone,colour\n2125550174,red\n");
    assertThat(unknownColumn.exit()).isEqualTo(Admin.INVALID);
    assertThat(unknownColumn.err()).contains("Unknown column 'colour'");
  }

  @Test
  void numbersAlreadyInInventoryImportNothing() throws Exception {
    assertThat(importFile("phone\n2125550180\n").exit()).isEqualTo(0);
    long before = server.numbers("gateway");
    Run again = importFile("phone\n2125550181\n2125550180\n");
    assertThat(again.exit()).isEqualTo(Admin.INVALID);
    assertThat(again.err()).contains("line 3: +12125550180 is in inventory already.");
    assertThat(server.numbers("gateway")).isEqualTo(before);
  }

  @Test
  void anUnreachableServerIsNamed() throws Exception {
    Path file = dir.resolve("one.csv");
    Files.writeString(file, "phone\n2125550190\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cmd = new CommandLine(new Admin());
    Admin.ImportNumbers command = cmd.getSubcommands().get("import-numbers").getCommand();
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int exit =
        cmd.execute(
            "--url", "http://127.0.0.1:1", "--token", "t", "import-numbers", file.toString());
    assertThat(exit).isEqualTo(Admin.FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot reach http://127.0.0.1:1");
  }
}
