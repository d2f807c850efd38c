package com.ohmyotp.smsactivate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.rentals.Rental;
import com.ohmyotp.rentals.Rentals;
import com.ohmyotp.rentals.Renting;
import com.ohmyotp.sms.SmsMessage;
import com.ohmyotp.smsactivate.Answers.Errors;
import com.ohmyotp.smsactivate.Countries.Country;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The SMS-Activate protocol's actions, done by our own features: the same accounts, money path,
 * lifecycle and numbers as the REST API. Each action answers with the protocol's words, or throws a
 * {@link ProtocolFailure} with its error; failures of our features arrive as {@link ApiException}s,
 * which {@link HandlerApi} translates.
 *
 * <p>Just over 300 lines: one method per action of the protocol, each short.
 */
public final class Activations {

  /** How long a node lists the per-country counts of {@code getPrices} before counting again. */
  static final Duration COUNTS_MAX_AGE = Duration.ofSeconds(5);

  private final Accounts accounts;
  private final Catalog catalog;
  private final Renting renting;
  private final Rentals rentals;
  private final Function<List<Service>, Map<Integer, Map<String, Long>>> countryCounts;
  private final Country homeCountry;
  private final Clock clock;
  // An activation id names one rental for good, so what was found is kept as long as it fits.
  private final Cache<Long, String> rentalIds =
      Caffeine.newBuilder().maximumSize(100_000).executor(Runnable::run).build();
  private final Cache<Boolean, ByCountry> byCountry =
      Caffeine.newBuilder().expireAfterWrite(COUNTS_MAX_AGE).executor(Runnable::run).build();

  /**
   * @param countryCounts fresh numbers of each service id by country (ISO 3166), as {@code
   *     /services?country=} counts them
   * @param defaultRegion the ISO country of numbers written without a country code
   */
  public Activations(
      Accounts accounts,
      Catalog catalog,
      Renting renting,
      Rentals rentals,
      Function<List<Service>, Map<Integer, Map<String, Long>>> countryCounts,
      String defaultRegion,
      Clock clock) {
    this.accounts = accounts;
    this.catalog = catalog;
    this.renting = renting;
    this.rentals = rentals;
    this.countryCounts = countryCounts;
    this.homeCountry = Countries.byIso(defaultRegion).orElse(Countries.byId(187).orElseThrow());
    this.clock = clock;
  }

  /** {@code getBalance}. */
  String balance(Caller caller) {
    return "ACCESS_BALANCE:" + accounts.balance(caller.accountId()).display();
  }

  /** A number rented by {@code getNumber} and {@code getNumberV2}. */
  record Rented(Rental rental, Optional<Country> country) {}

  /**
   * {@code getNumber}: a fresh number for the service named by its protocol code (or our name), in
   * the country named by its protocol id (any country when none is named), if its price is within
   * {@code maxPrice}.
   */
  Rented number(Caller caller, String serviceCode, String countryId, String maxPrice) {
    Service service = service(serviceCode);
    if (maxPrice != null) {
      Optional<BigDecimal> max = decimal(maxPrice);
      if (max.isEmpty() || max.get().compareTo(service.price().amount()) < 0) {
        throw new ProtocolFailure(Errors.WRONG_MAX_PRICE + service.price().display());
      }
    }
    Optional<Country> country = countryOrAny(countryId);
    Rental rental = renting.rentFresh(caller, service, country.map(Country::iso));
    rentalIds.put(rental.activationId(), rental.id());
    // The customer who rented here sees the counts without the number at once.
    byCountry.invalidateAll();
    return new Rented(rental, country.or(() -> countryOf(rental.e164())));
  }

  /** {@code getNumber}'s text answer. */
  static String numberText(Rented rented) {
    return "ACCESS_NUMBER:" + rented.rental().activationId() + ":" + digits(rented.rental().e164());
  }

  /** {@code getNumberV2}'s JSON answer. */
  Map<String, Object> numberJson(Rented rented) {
    Rental r = rented.rental();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("activationId", r.activationId());
    answer.put("phoneNumber", digits(r.e164()));
    answer.put("activationCost", r.cost());
    answer.put("countryCode", String.valueOf(rented.country().orElse(homeCountry).id()));
    answer.put("canGetAnotherSms", true);
    answer.put("activationTime", Answers.time(r.rentedAt()));
    answer.put("activationOperator", "any");
    return answer;
  }

  /** {@code getStatus}: from the same path and memory as a poll of {@code /code}. */
  String status(Caller caller, String id) {
    return Answers.status(rentals.poll(caller, rentalId(id)), now());
  }

  /** {@code setStatus}. */
  String setStatus(Caller caller, String id, String status) {
    // The id first: an unknown activation is NO_ACTIVATION whatever status was asked.
    String rentalId = rentalId(id);
    int code = status == null || !status.matches("[0-9]{1,2}") ? -1 : Integer.parseInt(status);
    return switch (code) {
      case 1 ->
          Answers.status(rentals.poll(caller, rentalId), now()).equals(Answers.CANCELLED)
              ? Errors.BAD_STATUS
              : Answers.ACCESS_READY;
      case 3 ->
          rentals.awaitAnotherSms(caller, rentalId) ? Answers.ACCESS_RETRY_GET : Errors.BAD_STATUS;
      case 6 -> Answers.finished(rentals.finish(caller, rentalId));
      case 8 -> Answers.ended(rentals.release(caller, rentalId));
      default -> {
        // Still the caller's to ask about: another account's id is NO_ACTIVATION, not BAD_STATUS.
        rentals.poll(caller, rentalId);
        yield Errors.BAD_STATUS;
      }
    };
  }

  /** Fresh numbers of every service by country, and when they were counted. */
  private record ByCountry(List<Service> services, Map<Integer, Map<String, Long>> counts) {}

  private ByCountry byCountry() {
    return byCountry.get(
        Boolean.TRUE,
        k -> {
          List<Service> services = catalog.listing();
          return new ByCountry(services, countryCounts.apply(services));
        });
  }

  /** {@code getPrices}: {@code {"187": {"ub": {"cost": 0.4, "count": 12}}}}. */
  Map<String, Map<String, Map<String, Object>>> prices(String serviceCode, String countryId) {
    Optional<Service> only =
        serviceCode == null ? Optional.empty() : Optional.of(service(serviceCode));
    Optional<Optional<Country>> onlyCountry =
        countryId == null ? Optional.empty() : Optional.of(country(countryId));
    ByCountry counted = byCountry();
    Map<String, Map<String, Map<String, Object>>> prices = new TreeMap<>();
    for (Service s : counted.services()) {
      if (only.isPresent() && only.get().id() != s.id()) {
        continue;
      }
      Map<String, Long> counts = counted.counts().getOrDefault(s.id(), Map.of());
      // A service with no numbers yet shows its price under the home country, with none free.
      Map<String, Long> shown = counts.isEmpty() ? Map.of(homeCountry.iso(), 0L) : counts;
      for (Map.Entry<String, Long> e : shown.entrySet()) {
        Optional<Country> country = Countries.byIso(e.getKey());
        if (country.isEmpty()
            || onlyCountry.isPresent() && !sameCountry(onlyCountry.get(), country.get())) {
          continue;
        }
        Map<String, Object> price = new LinkedHashMap<>();
        price.put("cost", s.price());
        price.put("count", Math.max(0, e.getValue()));
        prices
            .computeIfAbsent(String.valueOf(country.get().id()), c -> new TreeMap<>())
            .put(key(s), price);
      }
    }
    return prices;
  }

  /** {@code getNumbersStatus}: {@code {"ub_0": 12, …}}, in one country or in all. */
  Map<String, Long> numbersStatus(String countryId) {
    Optional<Optional<Country>> onlyCountry =
        countryId == null ? Optional.empty() : Optional.of(country(countryId));
    ByCountry counted = byCountry();
    Map<String, Long> status = new TreeMap<>();
    for (Service s : counted.services()) {
      long count = 0;
      for (Map.Entry<String, Long> e : counted.counts().getOrDefault(s.id(), Map.of()).entrySet()) {
        Optional<Country> country = Countries.byIso(e.getKey());
        if (onlyCountry.isEmpty()
            || country.isPresent() && sameCountry(onlyCountry.get(), country.get())) {
          count += Math.max(0, e.getValue());
        }
      }
      // "_0": numbers without call forwarding, the only kind there is here.
      status.put(key(s) + "_0", count);
    }
    return status;
  }

  /** {@code getActiveActivations}: the rentals that hold their numbers, newest first. */
  Map<String, Object> activeActivations(Caller caller) {
    Map<Integer, Service> services = new java.util.HashMap<>();
    for (Service s : catalog.listing()) {
      services.put(s.id(), s);
    }
    List<Map<String, Object>> list = new ArrayList<>();
    for (Rentals.Holding holding : rentals.holding(caller)) {
      Rental r = holding.rental();
      Optional<SmsMessage> latest =
          holding.sms().isEmpty()
              ? Optional.empty()
              : Optional.of(holding.sms().get(holding.sms().size() - 1));
      Country country = countryOf(r.e164()).orElse(homeCountry);
      Service service = services.get(r.serviceId());
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("activationId", r.activationId());
      a.put("serviceCode", service == null ? r.serviceName() : key(service));
      a.put("phoneNumber", digits(r.e164()));
      a.put("activationCost", r.cost());
      a.put("activationStatus", latest.isEmpty() ? "0" : "2");
      a.put("smsCode", latest.map(sms -> List.of(Answers.code(sms))).orElse(null));
      a.put("smsText", latest.map(SmsMessage::message).orElse(null));
      a.put("activationTime", Answers.time(r.rentedAt()));
      a.put("discount", "0.00");
      a.put("repeated", r.rerent() ? "1" : "0");
      a.put("countryCode", String.valueOf(country.id()));
      a.put("countryName", country.name());
      a.put("canGetAnotherSms", "1");
      list.add(a);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("status", "success");
    answer.put("activeActivations", list);
    return answer;
  }

  /** The rental an activation id names; NO_ACTIVATION when it is malformed or unknown. */
  private String rentalId(String id) {
    if (id == null || !id.matches("[0-9]{1,18}")) {
      throw new ProtocolFailure(Errors.NO_ACTIVATION);
    }
    long activationId = Long.parseLong(id);
    String rentalId = rentalIds.getIfPresent(activationId);
    if (rentalId == null) {
      rentalId =
          rentals
              .rentalIdOf(activationId)
              .orElseThrow(() -> new ProtocolFailure(Errors.NO_ACTIVATION));
      rentalIds.put(activationId, rentalId);
    }
    return rentalId;
  }

  private Service service(String code) {
    return catalog
        .findRentableByProtocolCode(code)
        .orElseThrow(() -> new ProtocolFailure(Errors.BAD_SERVICE));
  }

  /** The country a client names, or any when it names none; NO_NUMBERS for one we do not know. */
  private static Optional<Country> countryOrAny(String id) {
    if (id == null || id.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(country(id).orElseThrow(() -> new ProtocolFailure(Errors.NO_NUMBERS)));
  }

  private static Optional<Country> country(String id) {
    return id.matches("[0-9]{1,4}") ? Countries.byId(Integer.parseInt(id)) : Optional.empty();
  }

  /** Whether two of the protocol's countries hold the same numbers (12 and 187 both the USA's). */
  private static boolean sameCountry(Optional<Country> asked, Country listed) {
    return asked.isPresent() && asked.get().iso().equals(listed.iso());
  }

  private static Optional<Country> countryOf(String e164) {
    return PhoneNumbers.country(e164).flatMap(Countries::byIso);
  }

  /** How the protocol names a service: its code, or our name where it has none. */
  private static String key(Service s) {
    return s.protocolCode() != null ? s.protocolCode() : s.name();
  }

  /** A number as the protocol's clients expect it: international digits, no plus. */
  static String digits(String e164) {
    return e164.startsWith("+") ? e164.substring(1) : e164;
  }

  private static Optional<BigDecimal> decimal(String raw) {
    if (raw.isBlank() || raw.length() > 30 || !raw.strip().matches("[0-9]{1,12}(\\.[0-9]{1,8})?")) {
      return Optional.empty();
    }
    return Optional.of(new BigDecimal(raw.strip()));
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }
}
