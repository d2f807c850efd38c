package com.ohmyotp.accounts;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.FailureBudget;
import java.time.Duration;
import java.util.Optional;

/**
 * Slows password guessing on the website: each email may fail five times, then once more a minute;
 * each client address twenty times, then once more every fifteen seconds. Only failures count, so
 * an owner who signs in often is never locked out. Local to this node, like the API's rate limits.
 */
public final class SignInThrottle {

  private final FailureBudget byEmail = new FailureBudget(5, Duration.ofMinutes(1));
  private final FailureBudget byAddress = new FailureBudget(20, Duration.ofSeconds(15));

  /**
   * Whether a sign-in may be tried now; when the email or the address has no failures left, how
   * long until it has one. Takes nothing: only {@link #failed} does.
   */
  public Optional<Duration> waitBeforeSignIn(String email, String address) {
    Optional<Duration> wait = byEmail.waitFor(emailKey(email));
    return wait.isPresent() ? wait : byAddress.waitFor(address);
  }

  /** Counts a failed sign-in against the email and the address it came from. */
  public void failed(String email, String address) {
    byEmail.failed(emailKey(email));
    byAddress.failed(address);
  }

  /**
   * Runs a check of a signed-in visitor's password (changing it, turning two-factor sign-in off) as
   * a sign-in: refused while the email or the address has no failures left, and a {@code
   * wrong_password} counted against both, so that a stolen session cannot guess the password faster
   * than the sign-in page allows.
   *
   * @throws ApiException 429 {@code rate_limited} while waiting, or what {@code check} throws
   */
  public void guard(String email, String address, Runnable check) {
    Optional<Duration> wait = waitBeforeSignIn(email, address);
    if (wait.isPresent()) {
      throw ApiException.tooManyRequests(
          "Too many wrong passwords; try again in " + Math.max(1, wait.get().toSeconds()) + " s.",
          wait.get());
    }
    try {
      check.run();
    } catch (ApiException e) {
      if (e.error().equals("wrong_password")) {
        failed(email, address);
      }
      throw e;
    }
  }

  /**
   * Takes one attempt from the client address's budget (sign-ups, which name no account yet and
   * each of which tells whether an email is taken).
   */
  public Optional<Duration> attemptFromAddress(String address) {
    return byAddress.attempt(address);
  }

  private static String emailKey(String email) {
    return email == null ? "" : EmailAddress.key(email);
  }
}
