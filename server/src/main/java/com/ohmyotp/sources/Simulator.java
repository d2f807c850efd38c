package com.ohmyotp.sources;

import com.ohmyotp.sms.InboundSms;
import com.ohmyotp.sms.SmsSink;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in number source: a pool of numbers in this database whose "SMS" this process makes up.
 * A set delay after each rental it delivers a realistic verification text with a fresh code,
 * through the same path a real gateway's SMS takes, so the reference's scripts work anywhere.
 */
public final class Simulator implements NumberSource {

  public static final String NAME = "simulator";

  private static final Logger log = LoggerFactory.getLogger(Simulator.class);

  /** Per-service wording, as those services phrase it; others get the generic text. */
  private static final Map<String, String> TEMPLATES =
      Map.of(
          "uber",
              "<Uber> Your code: %s. Never share this code. Reply STOP ALL to +1 415-237-0403 to unsubscribe.",
          "google", "G-%s is your Google verification code.",
          "whatsapp", "Your WhatsApp code: %s\n\nDon't share this code with others",
          "telegram",
              "Telegram code: %1$s\n\nYou can also tap on this link to log in:\nhttps://t.me/login/%1$s",
          "facebook", "%s is your Facebook confirmation code",
          "walmart", "Walmart: Your verification code is %s. It expires in 10 minutes.",
          "amazon", "%s is your Amazon OTP. Do not share it with anyone.",
          "paypal",
              "PayPal: Your security code is: %s. Your code expires in 10 minutes. Please don't reply.");

  private static final String GENERIC = "Your %2$s verification code is %1$s";

  private final SmsSink sink;
  private final Optional<Duration> delay;
  private final ScheduledExecutorService scheduler;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param delay empty turns delivery off (numbers can still be rented)
   */
  public Simulator(SmsSink sink, Optional<Duration> delay, ScheduledExecutorService scheduler) {
    this.sink = sink;
    this.delay = delay;
    this.scheduler = scheduler;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void rentalStarted(StartedRental rental) {
    delay.ifPresent(
        d -> scheduler.schedule(() -> deliver(rental), d.toMillis(), TimeUnit.MILLISECONDS));
  }

  private void deliver(StartedRental rental) {
    try {
      sink.deliverFor(
          rental.rentalId(),
          new InboundSms(rental.e164(), rental.serviceName(), text(rental.serviceName()), null));
    } catch (RuntimeException e) {
      log.warn("simulated SMS for rental {} not delivered: {}", rental.rentalId(), e.toString());
    }
  }

  String text(String serviceName) {
    String code = String.format(Locale.ROOT, "%06d", random.nextInt(1_000_000));
    if (serviceName.equalsIgnoreCase("uber")) {
      code = code.substring(0, 4);
    }
    String template = TEMPLATES.getOrDefault(serviceName.toLowerCase(Locale.ROOT), GENERIC);
    return String.format(Locale.ROOT, template, code, serviceName);
  }
}
