package com.ohmyotp.inventory;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * An inventory import as CSV, read and judged whole before anything is written: a header line
 * naming the columns ({@code phone}, and any of {@code country}, {@code gateway}, {@code expiry}),
 * then one number a line. Every invalid line is reported with its line number; one is enough for
 * nothing to be imported.
 */
public final class NumberImport {

  /** The columns a file may have; {@code phone} is required. */
  public static final Set<String> COLUMNS = Set.of("phone", "country", "gateway", "expiry");

  /** Errors reported at most, so that a wrong file does not answer megabytes. */
  static final int MAX_ERRORS = 100;

  /** One number to import, read and checked. */
  public record Row(int line, String e164, String country, Integer gatewayId, Long expiresAt) {}

  /** A line that cannot be imported, and why. */
  public record LineError(long line, String message) {}

  /** What a file holds: rows when every line is valid, errors otherwise. */
  public sealed interface Reading {
    record Valid(List<Row> rows) implements Reading {}

    record Invalid(List<LineError> errors, long invalidLines) implements Reading {}
  }

  private NumberImport() {}

  /**
   * Reads a file.
   *
   * @param defaultRegion the region of numbers written nationally when a line names no country
   * @param gatewayIds the id of a gateway by its name, empty when there is none
   * @param now Unix seconds: an expiry must come after it
   */
  public static Reading read(
      Reader csv, String defaultRegion, Function<String, Optional<Integer>> gatewayIds, long now) {
    List<Row> rows = new ArrayList<>();
    List<LineError> errors = new ArrayList<>();
    long invalid = 0;
    Map<String, Long> seen = new HashMap<>();
    CSVFormat format =
        CSVFormat.DEFAULT
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true)
            .setTrim(true)
            .setIgnoreSurroundingSpaces(true)
            .get();
    try (CSVParser parser = CSVParser.builder().setReader(csv).setFormat(format).get()) {
      Map<String, Integer> header = new HashMap<>();
      parser.getHeaderMap().forEach((k, v) -> header.put(k.toLowerCase(Locale.ROOT).strip(), v));
      if (!header.containsKey("phone")) {
        return new Reading.Invalid(
            List.of(new LineError(1, "The first line names the columns, 'phone' among them.")), 1);
      }
      for (String column : header.keySet()) {
        if (!COLUMNS.contains(column)) {
          return new Reading.Invalid(
              List.of(
                  new LineError(
                      1,
                      "Unknown column '"
                          + column
                          + "': the columns are phone, country, gateway and expiry.")),
              1);
        }
      }
      for (CSVRecord record : parser) {
        long line = parser.getCurrentLineNumber();
        try {
          Row row = row(record, header, (int) line, defaultRegion, gatewayIds, now);
          Long first = seen.putIfAbsent(row.e164(), line);
          if (first != null) {
            throw new IllegalArgumentException(row.e164() + " is on line " + first + " already.");
          }
          rows.add(row);
        } catch (IllegalArgumentException e) {
          invalid++;
          if (errors.size() < MAX_ERRORS) {
            errors.add(new LineError(line, e.getMessage()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (UncheckedIOException | IllegalStateException e) {
      // commons-csv reports a malformed file (an unclosed quote) this way.
      return new Reading.Invalid(
          List.of(new LineError(0, "The file is not valid CSV: " + e.getMessage())), 1);
    }
    if (invalid > 0) {
      return new Reading.Invalid(errors, invalid);
    }
    if (rows.isEmpty()) {
      return new Reading.Invalid(List.of(new LineError(2, "The file has no numbers.")), 1);
    }
    return new Reading.Valid(rows);
  }

  private static Row row(
      CSVRecord record,
      Map<String, Integer> header,
      int line,
      String defaultRegion,
      Function<String, Optional<Integer>> gatewayIds,
      long now) {
    String phone = field(record, header, "phone");
    String country = field(record, header, "country");
    String gateway = field(record, header, "gateway");
    String expiry = field(record, header, "expiry");
    if (phone == null) {
      throw new IllegalArgumentException("The phone is missing.");
    }
    if (country != null) {
      country = country.toUpperCase(Locale.ROOT);
      if (!PhoneNumbers.isRegion(country)) {
        throw new IllegalArgumentException(
            "'" + country + "' is not an ISO 3166 two-letter country code.");
      }
    }
    String e164 =
        PhoneNumbers.toE164(phone, country == null ? defaultRegion : country)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "'" + clip(phone) + "' is not a valid phone number."));
    Optional<String> numberCountry = PhoneNumbers.country(e164);
    if (country != null && numberCountry.isPresent() && !numberCountry.get().equals(country)) {
      throw new IllegalArgumentException(
          e164 + " is a number of " + numberCountry.get() + ", not of " + country + ".");
    }
    Integer gatewayId = null;
    if (gateway != null) {
      gatewayId =
          gatewayIds
              .apply(gateway)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException("There is no gateway '" + clip(gateway) + "'."));
    }
    Long expiresAt = expiry == null ? null : expiry(expiry);
    if (expiresAt != null && expiresAt <= now) {
      throw new IllegalArgumentException("The expiry " + expiry + " has passed.");
    }
    return new Row(
        line, e164, country != null ? country : numberCountry.orElse(null), gatewayId, expiresAt);
  }

  /** An expiry as a date (the end of that day, UTC), a time with its offset, or Unix seconds. */
  static Long expiry(String value) {
    try {
      if (value.chars().allMatch(Character::isDigit)) {
        return Long.parseLong(value);
      }
      if (value.length() == 10) {
        return LocalDate.parse(value).plusDays(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) - 1;
      }
      try {
        return OffsetDateTime.parse(value).toEpochSecond();
      } catch (DateTimeParseException e) {
        return Instant.parse(value).getEpochSecond();
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "The expiry '"
              + clip(value)
              + "' is not a date (2027-01-31), a time with its offset or Unix seconds.");
    }
  }

  private static String field(CSVRecord record, Map<String, Integer> header, String column) {
    Integer index = header.get(column);
    if (index == null || index >= record.size()) {
      return null;
    }
    String value = record.get(index);
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static String clip(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "…";
  }
}
