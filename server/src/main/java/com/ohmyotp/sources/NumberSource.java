package com.ohmyotp.sources;

/**
 * Where a service's numbers come from and how their SMS reach us. A service names its source in the
 * catalog; the rental code tells the source when one of its numbers is rented.
 */
public interface NumberSource {

  /** The name services use in their {@code source} field. */
  String name();

  /** Called after a rental on one of this source's numbers has committed. Must not block. */
  void rentalStarted(StartedRental rental);

  /** What a source learns about a new rental. */
  record StartedRental(String rentalId, String e164, String serviceName, long expiresAt) {}
}
