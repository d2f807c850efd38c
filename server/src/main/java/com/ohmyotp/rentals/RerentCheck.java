package com.ohmyotp.rentals;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.db.Database;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.inventory.Inventory.PhoneState;
import com.ohmyotp.rentals.RentalViews.CheckRow;
import com.ohmyotp.rentals.RentalViews.CheckView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Which of up to {@value #MAX_CHECK_PHONES} numbers a customer could rent again for a service now,
 * and why not where not: the same {@link Eligibility} rule a re-rent applies.
 */
public final class RerentCheck {

  /** At most this many phones per {@code /rentals/rerent/check}. */
  public static final int MAX_CHECK_PHONES = 100;

  private final Database db;
  private final Catalog catalog;
  private final Inventory inventory;
  private final RentalCounts counts;
  private final Expiry expiry;
  private final Clock clock;

  public RerentCheck(
      Database db,
      Catalog catalog,
      Inventory inventory,
      RentalCounts counts,
      Expiry expiry,
      Clock clock) {
    this.db = db;
    this.catalog = catalog;
    this.inventory = inventory;
    this.counts = counts;
    this.expiry = expiry;
    this.clock = clock;
  }

  /** Which of the numbers the caller could re-rent for the service now, in the order sent. */
  public CheckView check(Caller caller, String serviceName, List<String> phoneNumbers) {
    if (phoneNumbers.size() > MAX_CHECK_PHONES) {
      throw ApiException.badRequest(
          "too_many_phone_numbers",
          "Check at most " + MAX_CHECK_PHONES + " phone numbers at once.");
    }
    long now = clock.instant().getEpochSecond();
    Map<String, String> e164ByInput = new HashMap<>();
    for (String input : new LinkedHashSet<>(phoneNumbers)) {
      inventory.phones().toE164(input).ifPresent(e164 -> e164ByInput.put(input, e164));
    }
    Request request = new Request(caller.accountId(), serviceName, phoneNumbers, e164ByInput, now);
    // As with history: overdue rentals are found with the balance and settled only when there
    // are some, and then the numbers are judged again.
    return db.read(h -> judge(h, request, true))
        .orElseGet(
            () -> {
              expiry.settleDue(caller.accountId());
              return db.read(h -> judge(h, request, false)).orElseThrow();
            });
  }

  private record Request(
      long accountId,
      String serviceName,
      List<String> phoneNumbers,
      Map<String, String> e164ByInput,
      long now) {}

  /**
   * The numbers judged for re-renting, or empty when {@code unlessOverdue} and a rental is overdue.
   */
  private Optional<CheckView> judge(Handle h, Request request, boolean unlessOverdue) {
    Service service = catalog.requireRentable(h, request.serviceName());
    RentalCounts.Standing standing = counts.standing(h, request.accountId(), request.now());
    if (unlessOverdue && standing.overdue()) {
      return Optional.empty();
    }
    Map<String, PhoneState> states =
        inventory.states(
            h,
            request.accountId(),
            service.id(),
            List.copyOf(new LinkedHashSet<>(request.e164ByInput().values())));
    // Each row answers with the number as it was sent, which is what a UI matches rows by; a
    // number sent twice, in any spelling, is one number that could be rented once.
    List<CheckRow> rows = new ArrayList<>();
    Set<String> eligibleNumbers = new HashSet<>();
    for (String input : request.phoneNumbers()) {
      String e164 = request.e164ByInput().get(input);
      EligibilityReason reason =
          e164 == null
              ? EligibilityReason.INVALID_PHONE_NUMBER
              : Eligibility.forRerent(
                  Optional.ofNullable(states.get(e164)),
                  request.now(),
                  service.durationSeconds(),
                  standing.balance(),
                  service.price());
      if (reason == EligibilityReason.OK) {
        eligibleNumbers.add(e164);
      }
      rows.add(new CheckRow(input, reason == EligibilityReason.OK, reason.wire(), service.price()));
    }
    return Optional.of(
        new CheckView(
            service.name(), service.price(), standing.balance(), eligibleNumbers.size(), rows));
  }
}
