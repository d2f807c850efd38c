package com.ohmyotp.smsactivate;

/**
 * A request the SMS-Activate protocol refuses, with the answer it gives ({@code BAD_SERVICE},
 * {@code WRONG_MAX_PRICE:0.40}). Thrown anywhere in an action; the route writes the answer.
 */
final class ProtocolFailure extends RuntimeException {

  ProtocolFailure(String answer) {
    super(answer, null, false, false);
  }

  String answer() {
    return getMessage();
  }
}
