package com.ohmyotp.sms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How well {@link CodeExtractor} reads the labelled corpus in {@code corpus/sms}: exact-code
 * accuracy on verification texts, false codes on the others, precision and recall, per language,
 * every miss listed, and the time one extraction takes. Run it with {@code ./ohmyotp codes-report}.
 * Exits 1 when a target is missed: no code at all from a text that has none, and at least 99.5% of
 * verification texts read exactly.
 */
public final class ExtractionReport {

  /** One labelled text; {@code code} is null for texts that carry none. */
  public record Labelled(String code, String sender, String language, String text) {}

  /** The share of verification texts that must be read exactly. */
  public static final double ACCURACY_TARGET = 0.995;

  private ExtractionReport() {}

  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "corpus/sms");
    List<Labelled> verification = load(dir.resolve("verification.tsv"), true);
    List<Labelled> other = load(dir.resolve("not-verification.tsv"), false);
    CodeExtractor extractor = new CodeExtractor();

    Map<String, int[]> byLanguage = new TreeMap<>(); // verification, exact, other, false codes
    List<String> misses = new ArrayList<>();
    int exact = 0;
    int wrong = 0;
    for (Labelled l : verification) {
      Optional<String> found = extractor.extract(l.text());
      int[] row = byLanguage.computeIfAbsent(l.language(), k -> new int[4]);
      row[0]++;
      if (found.isPresent() && found.get().equals(l.code())) {
        exact++;
        row[1]++;
      } else {
        wrong += found.isPresent() ? 1 : 0;
        misses.add(
            "  expected "
                + l.code()
                + ", got "
                + found.orElse("nothing")
                + "  ["
                + l.language()
                + "] "
                + oneLine(l.text()));
      }
    }
    int falseCodes = 0;
    for (Labelled l : other) {
      Optional<String> found = extractor.extract(l.text());
      int[] row = byLanguage.computeIfAbsent(l.language(), k -> new int[4]);
      row[2]++;
      if (found.isPresent()) {
        falseCodes++;
        row[3]++;
        misses.add(
            "  expected nothing, got "
                + found.get()
                + "  ["
                + l.language()
                + "] "
                + oneLine(l.text()));
      }
    }

    System.out.printf(
        "Code extraction on %s: %d verification texts, %d others, %d senders, %d languages%n%n",
        dir,
        verification.size(),
        other.size(),
        verification.stream().map(Labelled::sender).distinct().count(),
        byLanguage.size());
    System.out.println("language  verification  exact   others  false codes");
    byLanguage.forEach(
        (language, r) ->
            System.out.printf("%-8s  %12d  %5d   %6d  %11d%n", language, r[0], r[1], r[2], r[3]));
    int returned = exact + wrong + falseCodes;
    double accuracy = (double) exact / verification.size();
    System.out.printf(
        "%nexact-code accuracy on verification texts: %.2f%% (%d of %d; %d wrong code, %d none)%n",
        100 * accuracy, exact, verification.size(), wrong, verification.size() - exact - wrong);
    System.out.printf(
        "false codes on the other texts:            %d of %d (precision on them %.2f%%)%n",
        falseCodes, other.size(), 100.0 * (other.size() - falseCodes) / other.size());
    System.out.printf(
        "precision over all codes returned:          %.2f%% (%d of %d)%n",
        returned == 0 ? 100.0 : 100.0 * exact / returned, exact, returned);
    System.out.printf("recall:                                     %.2f%%%n", 100 * accuracy);
    if (!misses.isEmpty()) {
      System.out.println("\nmisses:");
      misses.forEach(System.out::println);
    }

    List<String> texts = new ArrayList<>();
    verification.forEach(l -> texts.add(l.text()));
    other.forEach(l -> texts.add(l.text()));
    Timing timing = time(texts, extractor);
    System.out.printf(
        "%nspeed: %.1f µs per message (mean of %d extractions); a bare scan for 4-8 digit runs, "
            + "the floor of any extractor, takes %.1f µs: ratio %.1fx%n",
        timing.micros(),
        timing.count(),
        timing.floorMicros(),
        timing.micros() / timing.floorMicros());

    boolean met = falseCodes == 0 && accuracy >= ACCURACY_TARGET;
    System.out.println(
        met ? "\ntargets met" : "\ntargets MISSED (100% precision on other texts, >= 99.5% exact)");
    System.exit(met ? 0 : 1);
  }

  /** Mean time per extraction over the corpus after a warm-up, next to a bare digit scan. */
  public record Timing(double micros, double floorMicros, long count) {}

  public static Timing time(List<String> texts, CodeExtractor extractor) {
    Pattern digits = Pattern.compile("\\d{4,8}");
    long sink = 0;
    for (int i = 0; i < 20; i++) { // warm-up: let the JIT compile both
      for (String t : texts) {
        sink += extractor.extract(t).map(String::length).orElse(0);
        sink += digits.matcher(t).find() ? 1 : 0;
      }
    }
    int rounds = 50;
    long start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      for (String t : texts) {
        sink += extractor.extract(t).map(String::length).orElse(0);
      }
    }
    long ours = System.nanoTime() - start;
    start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      for (String t : texts) {
        Matcher m = digits.matcher(t);
        while (m.find()) {
          sink += m.end();
        }
      }
    }
    long floor = System.nanoTime() - start;
    long count = (long) rounds * texts.size();
    if (sink == 42) { // keeps the work from being optimised away
      System.out.print("");
    }
    return new Timing(ours / 1000.0 / count, floor / 1000.0 / count, count);
  }

  /** Reads a corpus file: tab-separated, {@code #} comments, one header line, escaped text. */
  public static List<Labelled> load(Path file, boolean withCode) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the corpus file " + file, e);
    }
    List<Labelled> labelled = new ArrayList<>();
    boolean header = true;
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (header) {
        header = false;
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != (withCode ? 4 : 3)) {
        throw new IllegalArgumentException(file + ": malformed line: " + line);
      }
      labelled.add(
          withCode
              ? new Labelled(f[0], f[1], f[2], unescape(f[3]))
              : new Labelled(null, f[0], f[1], unescape(f[2])));
    }
    return labelled;
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\\' && i + 1 < s.length()) {
        char next = s.charAt(++i);
        sb.append(
            switch (next) {
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> next;
            });
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static String oneLine(String text) {
    return text.replace("\n", "⏎");
  }
}
