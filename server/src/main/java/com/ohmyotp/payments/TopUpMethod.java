package com.ohmyotp.payments;

import com.ohmyotp.ledger.Money;
import java.net.URI;
import java.util.Map;

/**
 * A way a customer adds money: the website's Top up page offers each one the operator enabled and
 * posts its form to {@code /top-up/NAME}. Every method ends in a {@code deposit} ledger row whose
 * note says where the money came from.
 */
public interface TopUpMethod {

  /** The method's name in addresses and forms: {@code voucher}, {@code card}. */
  String name();

  /**
   * Starts a top-up from the fields of the method's form.
   *
   * @param origin this site as the customer's browser reached it, for pages to come back to
   * @throws com.ohmyotp.api.ApiException for a refused form, with a message for the customer
   */
  TopUp start(long accountId, String clientAddress, Map<String, String> form, String origin);

  /** Where a top-up stands once its form is taken. */
  sealed interface TopUp {

    /** The money is on the balance already. */
    record Credited(Money amount, Money balance) implements TopUp {}

    /** The customer pays on another site, which sends the browser back when done. */
    record PayElsewhere(URI page) implements TopUp {}
  }
}
