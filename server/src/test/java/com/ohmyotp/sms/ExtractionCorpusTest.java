package com.ohmyotp.sms;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.sms.ExtractionReport.Labelled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The targets of {@link ExtractionReport}, held on every test run over the whole corpus. */
class ExtractionCorpusTest {

  static List<Labelled> verification;
  static List<Labelled> other;
  final CodeExtractor extractor = new CodeExtractor();

  @BeforeAll
  static void load() {
    // Maven runs the tests in the server module; the corpus lives at the top of the repository.
    Path dir =
        Files.isDirectory(Path.of("../corpus/sms"))
            ? Path.of("../corpus/sms")
            : Path.of("corpus/sms");
    verification = ExtractionReport.load(dir.resolve("verification.tsv"), true);
    other = ExtractionReport.load(dir.resolve("not-verification.tsv"), false);
  }

  /** The languages read since the first corpus, each with at least 25 verification texts. */
  static final List<String> NEW_LANGUAGES =
      List.of(
          "he", "fa", "ur", "bn", "pl", "nl", "cs", "ro", "el", "hu", "sv", "ms", "tl", "sw", "kk",
          "uz");

  @Test
  void theCorpusIsAsLargeAndVariedAsPromised() {
    assertThat(verification).hasSizeGreaterThanOrEqualTo(1200);
    assertThat(other).hasSizeGreaterThanOrEqualTo(400);
    assertThat(verification.stream().map(Labelled::sender).distinct().count())
        .isGreaterThanOrEqualTo(60);
    List<String> languages =
        new java.util.ArrayList<>(
            List.of(
                "en", "es", "pt", "fr", "de", "it", "ru", "uk", "tr", "ar", "hi", "id", "vi", "th",
                "zh", "ja", "ko"));
    languages.addAll(NEW_LANGUAGES);
    assertThat(verification.stream().map(Labelled::language).distinct())
        .containsExactlyInAnyOrderElementsOf(languages);
    for (String language : NEW_LANGUAGES) {
      assertThat(verification.stream().filter(l -> l.language().equals(language)).count())
          .as(language)
          .isGreaterThanOrEqualTo(25);
    }
    assertThat(verification).allMatch(l -> l.code().matches("\\d{4,8}|[A-Za-z0-9]{4,10}"));
    List<Labelled> lettered = verification.stream().filter(l -> !l.code().matches("\\d+")).toList();
    assertThat(lettered).hasSizeGreaterThanOrEqualTo(60);
    assertThat(lettered.stream().map(Labelled::sender).distinct().count())
        .isGreaterThanOrEqualTo(15);
  }

  @Test
  void noCodeIsFoundInTextsThatHaveNone() {
    List<String> falseCodes =
        other.stream()
            .filter(l -> extractor.extract(l.text()).isPresent())
            .map(l -> extractor.extract(l.text()).get() + " from: " + l.text())
            .toList();
    assertThat(falseCodes).isEmpty();
  }

  @Test
  void atLeast99AndAHalfPercentOfVerificationTextsAreReadExactlyAndNoneWrongly() {
    long exact = 0;
    for (Labelled l : verification) {
      Optional<String> found = extractor.extract(l.text());
      assertThat(found.orElse(l.code()))
          .as("a wrong code is worse than none: " + l.text())
          .isEqualTo(l.code());
      exact += found.isPresent() ? 1 : 0;
    }
    assertThat((double) exact / verification.size())
        .isGreaterThanOrEqualTo(ExtractionReport.ACCURACY_TARGET);
  }
}
