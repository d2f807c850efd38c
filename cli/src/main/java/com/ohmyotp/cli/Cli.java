package com.ohmyotp.cli;

import com.ohmyotp.client.Models;
import com.ohmyotp.client.OhMyOtp;
import com.ohmyotp.client.OhMyOtpException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ohmyotp-cli}: rent numbers and read codes from a terminal, through the Java SDK. */
@Command(
    name = "ohmyotp-cli",
    mixinStandardHelpOptions = true,
    version = "ohmyotp-cli 1.0",
    description = "Rent disposable numbers and read SMS codes.",
    subcommands = {
      Cli.Services.class,
      Cli.Balance.class,
      Cli.Rent.class,
      Cli.CodeCmd.class,
      Cli.Cancel.class,
      Cli.Active.class
    })
public final class Cli {

  @Option(
      names = "--url",
      defaultValue = "${env:OHMYOTP_URL:-http://localhost:8080}",
      description = "Server URL (env OHMYOTP_URL; default ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--key", defaultValue = "${env:API_KEY}", description = "API key (env API_KEY).")
  String key;

  OhMyOtp api() {
    if (key == null || key.isBlank()) {
      throw new CommandLine.ParameterException(new CommandLine(this), "Set API_KEY or pass --key.");
    }
    return OhMyOtp.create(url, key);
  }

  @Command(
      name = "services",
      mixinStandardHelpOptions = true,
      description = "List services with price and availability.")
  static final class Services implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Override
    public Integer call() {
      for (Models.Service s : cli.api().services()) {
        System.out.printf(
            "%-10s %-16s %8s  %5d available  %s%n",
            s.id(), s.name(), s.price().toPlainString(), s.available(), s.category());
      }
      return 0;
    }
  }

  @Command(
      name = "balance",
      mixinStandardHelpOptions = true,
      description = "Show the balance and recent transactions.")
  static final class Balance implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Override
    public Integer call() {
      Models.Balance b = cli.api().balance();
      System.out.println("balance " + b.balance().toPlainString());
      for (Models.Transaction t : b.transactions()) {
        System.out.printf(
            "  %-14s %10s  %s%n",
            t.type(), t.amount().toPlainString(), t.serviceId() == null ? "" : t.serviceId());
      }
      return 0;
    }
  }

  @Command(
      name = "rent",
      mixinStandardHelpOptions = true,
      description = "Rent a number; with --wait, wait for the code.")
  static final class Rent implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(paramLabel = "SERVICE", description = "Service name, e.g. Uber.")
    String service;

    @Option(
        names = "--wait",
        description = "Seconds to wait for a code (cancels for a refund if none).")
    Integer waitSeconds;

    @Override
    public Integer call() {
      OhMyOtp api = cli.api();
      Models.Rental rental = api.rent(service);
      System.out.println(
          "rental "
              + rental.id()
              + "  phone "
              + rental.phoneNumber()
              + "  cost "
              + rental.cost().toPlainString());
      if (waitSeconds == null) {
        return 0;
      }
      var code = api.awaitCode(rental.id(), Duration.ofSeconds(waitSeconds));
      if (code.isPresent()) {
        System.out.println("code " + code.get().code());
        return 0;
      }
      Models.Cancellation c = api.cancel(rental.id());
      System.out.println("no code; cancelled, refund " + c.refundAmount().toPlainString());
      return 3;
    }
  }

  @Command(
      name = "code",
      mixinStandardHelpOptions = true,
      description = "Show the newest code of a rental.")
  static final class CodeCmd implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(paramLabel = "RENTAL_ID")
    String id;

    @Override
    public Integer call() {
      Models.Code code = cli.api().code(id);
      System.out.println(code.code() == null ? "no code yet (" + code.status() + ")" : code.code());
      return code.code() == null ? 3 : 0;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Release a rental's number.")
  static final class Cancel implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(paramLabel = "RENTAL_ID")
    String id;

    @Override
    public Integer call() {
      Models.Cancellation c = cli.api().cancel(id);
      System.out.println(c.status() + ", refund " + c.refundAmount().toPlainString());
      return 0;
    }
  }

  @Command(
      name = "active",
      mixinStandardHelpOptions = true,
      description = "List rentals that hold their number.")
  static final class Active implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Override
    public Integer call() {
      for (Models.Rental r : cli.api().active().rentals()) {
        String code =
            r.smsMessages().isEmpty()
                ? "-"
                : r.smsMessages().get(r.smsMessages().size() - 1).code();
        System.out.printf(
            "%s  %-12s %s  %-9s code %s%n",
            r.id(), r.serviceId(), r.phoneNumber(), r.status(), code);
      }
      return 0;
    }
  }

  public static void main(String[] args) {
    CommandLine cmd = new CommandLine(new Cli());
    cmd.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          if (e instanceof OhMyOtpException api) {
            System.err.println("ohmyotp-cli: " + api.getMessage());
            return 2;
          }
          throw e;
        });
    System.exit(cmd.execute(args));
  }
}
