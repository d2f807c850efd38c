package com.ohmyotp.sources;

/**
 * The operator's own numbers (SIM bank, modem, SMS gateway app, CPaaS numbers): imported through
 * the admin API, their SMS arrive on {@link GatewayWebhook}. Nothing to do when one is rented.
 */
public final class Gateway implements NumberSource {

  public static final String NAME = "gateway";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void rentalStarted(StartedRental rental) {}
}
