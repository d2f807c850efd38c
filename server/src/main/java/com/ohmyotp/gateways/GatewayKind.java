package com.ohmyotp.gateways;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The senders a gateway can be, each with the format it posts in. */
public enum GatewayKind {
  ANDROID(new AndroidFormat()),
  HTTPSMS(new HttpSmsFormat()),
  TEXTBEE(new TextbeeFormat()),
  TWILIO(new TwilioFormat()),
  VONAGE(new VonageFormat()),
  PLIVO(new PlivoFormat()),
  RELAY(new RelayFormat());

  private final SenderFormat format;

  GatewayKind(SenderFormat format) {
    this.format = format;
  }

  public SenderFormat format() {
    return format;
  }

  /** The name the operator API uses: {@code android}, {@code twilio}, … */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<GatewayKind> of(String name) {
    return Arrays.stream(values()).filter(k -> k.wireName().equals(name)).findFirst();
  }
}
