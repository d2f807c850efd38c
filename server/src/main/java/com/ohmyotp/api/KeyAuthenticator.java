package com.ohmyotp.api;

import java.util.Optional;

/**
 * Who a presented API key belongs to. The HTTP layer asks; the accounts feature, which keeps the
 * keys, answers, so that the layer below knows nothing of how keys are stored.
 */
@FunctionalInterface
public interface KeyAuthenticator {

  /** The caller a presented key belongs to, if it is well-formed, known and not revoked. */
  Optional<Caller> authenticate(String presented);
}
