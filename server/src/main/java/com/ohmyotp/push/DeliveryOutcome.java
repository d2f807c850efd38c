package com.ohmyotp.push;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What an attempt at a webhook delivery comes to, and when the next one is due: the rules of
 * retrying, as plain functions of the answer.
 */
enum DeliveryOutcome {
  DELIVERED("delivered"),
  RETRY("pending"),
  FAILED("failed"),
  GONE("failed");

  final String state;

  DeliveryOutcome(String state) {
    this.state = state;
  }

  /** What an attempt's answer means, after {@code attempts} attempts in all. */
  static DeliveryOutcome of(Integer status, String error, int attempts) {
    if (error == null && status != null && status >= 200 && status < 300) {
      return DELIVERED;
    }
    if (error == null && status != null && status == 410) {
      return GONE;
    }
    return attempts > RETRY_DELAYS.size() ? FAILED : RETRY;
  }

  /** The wait before each retry: after the first attempt 5 s, then 5 min, … 24 h. */
  static final List<Duration> RETRY_DELAYS =
      List.of(
          Duration.ofSeconds(5),
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(2),
          Duration.ofHours(5),
          Duration.ofHours(10),
          Duration.ofHours(14),
          Duration.ofHours(20),
          Duration.ofHours(24));

  /**
   * The wait before the next attempt, after {@code attempts}: the schedule's, give or take a tenth,
   * and never less than what {@code Retry-After} asks (seconds or an HTTP date), up to a day.
   */
  static long retryDelay(int attempts, String retryAfter, long now) {
    long scheduled = RETRY_DELAYS.get(Math.min(attempts, RETRY_DELAYS.size()) - 1).toMillis();
    double jitter = 0.9 + 0.2 * ThreadLocalRandom.current().nextDouble();
    long delay = (long) (scheduled * jitter);
    return Math.max(delay, retryAfterMillis(retryAfter, now).orElse(0L));
  }

  static Optional<Long> retryAfterMillis(String header, long now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    long day = Duration.ofDays(1).toMillis();
    String value = header.strip();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? Optional.empty() : Optional.of(Math.min(seconds * 1000, day));
    } catch (NumberFormatException e) {
      try {
        long at =
            ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant()
                .toEpochMilli();
        return Optional.of(Math.max(0, Math.min(at - now, day)));
      } catch (java.time.format.DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }
}
