package com.ohmyotp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The operator's commands other than the number import: accounts, catalog, sources, reports. Past
 * 300 lines because picocli declares each command as a small class of options; each group
 * (accounts, services, numbers, gateways) is a nested class that only shapes one request to {@code
 * /api/admin}, and splitting them into files would spread one command line's grammar over many.
 */
final class AdminCommands {

  private AdminCommands() {}

  /** A command that makes one or more calls and prints the last answer. */
  abstract static class Call implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** The top command, holding the server, the token and the output. */
    Admin admin() {
      return (Admin) spec.root().userObject();
    }

    abstract JsonNode call(OperatorApi api);

    @Override
    public Integer call() throws Exception {
      Admin admin = admin();
      try {
        JsonNode answer = call(new OperatorApi(admin.url, admin.token()));
        OperatorApi.print(answer, admin.json, admin.out);
        return Admin.OK;
      } catch (OperatorApi.Refused e) {
        admin.err.println("ohmyotp admin: " + e.getMessage());
        return e.exit;
      }
    }
  }

  static String path(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Command(
      name = "accounts",
      mixinStandardHelpOptions = true,
      description = "Customers' accounts.",
      subcommands = {
        Accounts.Create.class,
        Accounts.Show.class,
        Accounts.Deposit.class,
        Accounts.ResetPassword.class,
        Accounts.Disable.class,
        Accounts.Enable.class,
        Accounts.TwoFactorOff.class,
        Accounts.NewKey.class
      })
  static final class Accounts {

    /** An account by id, or by email when the argument has an {@code @}. */
    static long id(OperatorApi api, String idOrEmail) {
      if (idOrEmail.contains("@")) {
        return api.get("/api/admin/accounts?email=" + path(idOrEmail)).path("id").asLong();
      }
      try {
        return Long.parseLong(idOrEmail);
      } catch (NumberFormatException e) {
        throw new OperatorApi.Refused(
            Admin.USAGE, "'" + idOrEmail + "' is neither an id nor an email");
      }
    }

    @Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description = "Make an account with a first API key (shown once).")
    static final class Create extends Call {
      @Parameters(paramLabel = "EMAIL")
      String email;

      @Option(names = "--password", description = "For the website; none by default.")
      String password;

      @Option(names = "--balance", description = "An opening deposit.")
      BigDecimal balance;

      @Override
      JsonNode call(OperatorApi api) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("email", email);
        if (password != null) {
          body.put("password", password);
        }
        if (balance != null) {
          body.put("balance", balance);
        }
        return api.post("/api/admin/accounts", body);
      }
    }

    @Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "An account: balance, whether disabled, keys in use.")
    static final class Show extends Call {
      @Parameters(paramLabel = "ID_OR_EMAIL")
      String account;

      @Override
      JsonNode call(OperatorApi api) {
        return api.get("/api/admin/accounts/" + id(api, account));
      }
    }

    @Command(name = "deposit", mixinStandardHelpOptions = true, description = "Add money.")
    static final class Deposit extends Call {
      @Parameters(index = "0", paramLabel = "ID_OR_EMAIL")
      String account;

      @Parameters(index = "1", paramLabel = "AMOUNT")
      BigDecimal amount;

      @Option(names = "--note", description = "Why, as the customer's ledger shows it.")
      String note;

      @Override
      JsonNode call(OperatorApi api) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("amount", amount);
        if (note != null) {
          body.put("note", note);
        }
        return api.post("/api/admin/accounts/" + id(api, account) + "/deposits", body);
      }
    }

    @Command(
        name = "reset-password",
        mixinStandardHelpOptions = true,
        description = {
          "Set a new website password (made up and shown once unless given);",
          "every website session of the account is signed out."
        })
    static final class ResetPassword extends Call {
      @Parameters(paramLabel = "ID_OR_EMAIL")
      String account;

      @Option(names = "--password", description = "The new password, 8 to 200 characters.")
      String password;

      @Override
      JsonNode call(OperatorApi api) {
        return api.post(
            "/api/admin/accounts/" + id(api, account) + "/password",
            password == null ? Map.of() : Map.of("password", password));
      }
    }

    @Command(
        name = "disable",
        mixinStandardHelpOptions = true,
        description = "Revoke the account's keys, sign it out, refuse its sign-ins; money stays.")
    static final class Disable extends Call {
      @Parameters(paramLabel = "ID_OR_EMAIL")
      String account;

      @Override
      JsonNode call(OperatorApi api) {
        return api.post("/api/admin/accounts/" + id(api, account) + "/disable", null);
      }
    }

    @Command(
        name = "enable",
        mixinStandardHelpOptions = true,
        description = "Let a disabled account sign in again (issue it a new key).")
    static final class Enable extends Call {
      @Parameters(paramLabel = "ID_OR_EMAIL")
      String account;

      @Override
      JsonNode call(OperatorApi api) {
        return api.post("/api/admin/accounts/" + id(api, account) + "/enable", null);
      }
    }

    @Command(
        name = "two-factor-off",
        mixinStandardHelpOptions = true,
        description = {
          "Turn off two-factor sign-in for a customer who lost the phone and the recovery",
          "codes, once you know it is them: the password alone signs in again."
        })
    static final class TwoFactorOff extends Call {
      @Parameters(paramLabel = "ID_OR_EMAIL")
      String account;

      @Override
      JsonNode call(OperatorApi api) {
        return api.post("/api/admin/accounts/" + id(api, account) + "/two-factor/off", null);
      }
    }

    @Command(name = "new-key", mixinStandardHelpOptions = true, description = "Issue an API key.")
    static final class NewKey extends Call {
      @Parameters(paramLabel = "ID_OR_EMAIL")
      String account;

      @Option(names = "--name", description = "What the key is for.")
      String name;

      @Override
      JsonNode call(OperatorApi api) {
        return api.post(
            "/api/admin/accounts/" + id(api, account) + "/api-keys",
            name == null ? Map.of() : Map.of("name", name));
      }
    }
  }

  @Command(
      name = "services",
      mixinStandardHelpOptions = true,
      description = "The catalog: services and their prices.",
      subcommands = {Services.ListAll.class, Services.Create.class, Services.Change.class})
  static final class Services {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every service.")
    static final class ListAll extends Call {
      @Override
      JsonNode call(OperatorApi api) {
        return api.get("/api/admin/services");
      }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Add a service.")
    static final class Create extends Call {
      @Parameters(paramLabel = "NAME")
      String name;

      @Option(names = "--price", required = true)
      BigDecimal price;

      @Option(names = "--category")
      String category;

      @Option(names = "--duration", description = "Seconds a rental holds its number.")
      Integer duration;

      @Option(names = "--source", description = "simulator, gateway or upstream.")
      String source;

      @Option(names = "--protocol-code", description = "Its code in the SMS-Activate protocol.")
      String protocolCode;

      @Override
      JsonNode call(OperatorApi api) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("price", price);
        putIf(body, "category", category);
        putIf(body, "duration_seconds", duration);
        putIf(body, "source", source);
        putIf(body, "protocol_code", protocolCode);
        return api.post("/api/admin/services", body);
      }
    }

    @Command(
        name = "set",
        mixinStandardHelpOptions = true,
        description = "Change a service's price, category, duration or whether it is offered.")
    static final class Change extends Call {
      @Parameters(paramLabel = "NAME_OR_ID")
      String service;

      @Option(names = "--price")
      BigDecimal price;

      @Option(names = "--category")
      String category;

      @Option(names = "--duration")
      Integer duration;

      @Option(names = "--enabled", arity = "1", description = "true or false.")
      Boolean enabled;

      @Override
      JsonNode call(OperatorApi api) {
        Map<String, Object> body = new LinkedHashMap<>();
        putIf(body, "price", price);
        putIf(body, "category", category);
        putIf(body, "duration_seconds", duration);
        putIf(body, "enabled", enabled);
        if (body.isEmpty()) {
          throw new OperatorApi.Refused(
              Admin.USAGE, "say what to change: --price, --category, --duration or --enabled");
        }
        return api.patch("/api/admin/services/" + path(service), body);
      }
    }
  }

  static void putIf(Map<String, Object> body, String name, Object value) {
    if (value != null) {
      body.put(name, value);
    }
  }

  @Command(
      name = "numbers",
      mixinStandardHelpOptions = true,
      description = "Numbers in inventory (import them with import-numbers).",
      subcommands = {Numbers.Add.class, Numbers.Retire.class})
  static final class Numbers {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add numbers.")
    static final class Add extends Call {
      @Parameters(paramLabel = "PHONE", arity = "1..*")
      List<String> phones;

      @Option(
          names = "--source",
          defaultValue = "gateway",
          description = "Default ${DEFAULT-VALUE}.")
      String source;

      @Override
      JsonNode call(OperatorApi api) {
        return api.post(
            "/api/admin/numbers",
            Map.of(
                "source",
                source,
                "numbers",
                phones.stream().map(p -> Map.of("phone_number", p)).toList()));
      }
    }

    @Command(
        name = "retire",
        mixinStandardHelpOptions = true,
        description = "Take a number out of inventory; its rentals end as they would.")
    static final class Retire extends Call {
      @Parameters(paramLabel = "PHONE")
      String phone;

      @Override
      JsonNode call(OperatorApi api) {
        JsonNode answer = api.delete("/api/admin/numbers/" + path(phone));
        if (answer == null) {
          admin().out.println("retired " + phone);
        }
        return answer;
      }
    }
  }

  @Command(
      name = "vouchers",
      mixinStandardHelpOptions = true,
      description = "Prepaid vouchers to sell: codes shown once, each worth AMOUNT, used once.")
  static final class VoucherIssue extends Call {
    @Parameters(index = "0", paramLabel = "AMOUNT")
    BigDecimal amount;

    @Option(
        names = "--count",
        defaultValue = "1",
        description = "How many (default 1, at most 1000).")
    int count;

    @Override
    JsonNode call(OperatorApi api) {
      return api.post("/api/admin/vouchers", Map.of("amount", amount, "count", count));
    }
  }

  @Command(
      name = "sources",
      mixinStandardHelpOptions = true,
      description = "Where numbers come from.")
  static final class Sources extends Call {
    @Override
    JsonNode call(OperatorApi api) {
      return api.get("/api/admin/sources");
    }
  }

  @Command(name = "providers", mixinStandardHelpOptions = true, description = "Upstream providers.")
  static final class Providers extends Call {
    @Override
    JsonNode call(OperatorApi api) {
      return api.get("/api/admin/providers");
    }
  }

  @Command(
      name = "gateways",
      mixinStandardHelpOptions = true,
      description = "Your SMS gateways: list them with their health, add, remove.",
      subcommands = {Gateways.ListAll.class, Gateways.Add.class, Gateways.Remove.class})
  static final class Gateways {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every gateway, or one.")
    static final class ListAll extends Call {
      @Parameters(arity = "0..1", paramLabel = "NAME")
      String name;

      @Override
      JsonNode call(OperatorApi api) {
        return api.get("/api/admin/gateways" + (name == null ? "" : "/" + path(name)));
      }
    }

    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description = {"Add a gateway; the answer holds the URL it posts to (docs/gateways.md)."})
    static final class Add extends Call {
      @Parameters(paramLabel = "NAME")
      String name;

      @Option(
          names = "--kind",
          required = true,
          description = "android, httpsms, textbee, twilio, vonage, plivo or relay.")
      String kind;

      @Option(names = "--number", description = "A number it receives for (repeatable).")
      List<String> numbers;

      @Option(
          names = "--secret",
          description = "The key, auth token or secret its sender signs with.")
      String secret;

      @Option(names = "--public-url", description = "The URL it posts to, as it sees it.")
      String publicUrl;

      @Override
      JsonNode call(OperatorApi api) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("kind", kind);
        putIf(body, "numbers", numbers);
        putIf(body, "secret", secret);
        putIf(body, "public_url", publicUrl);
        return api.post("/api/admin/gateways", body);
      }
    }

    @Command(
        name = "remove",
        mixinStandardHelpOptions = true,
        description = "Remove a gateway; its numbers leave inventory.")
    static final class Remove extends Call {
      @Parameters(paramLabel = "NAME")
      String name;

      @Override
      JsonNode call(OperatorApi api) {
        JsonNode answer = api.delete("/api/admin/gateways/" + path(name));
        if (answer == null) {
          admin().out.println("removed " + name);
        }
        return answer;
      }
    }
  }

  @Command(
      name = "unmatched",
      mixinStandardHelpOptions = true,
      description = "SMS that reached no rental, newest first.")
  static final class Unmatched extends Call {
    @Option(names = "--limit", defaultValue = "50", description = "Default ${DEFAULT-VALUE}.")
    int limit;

    @Override
    JsonNode call(OperatorApi api) {
      return api.get("/api/admin/sms/unmatched?limit=" + limit);
    }
  }

  @Command(name = "stats", mixinStandardHelpOptions = true, description = "Totals at a glance.")
  static final class Stats extends Call {
    @Override
    JsonNode call(OperatorApi api) {
      return api.get("/api/admin/stats");
    }
  }
}
