package com.ohmyotp.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven through the system's chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}, which {@code scripts/test.sh} installs when missing). Nothing is
 * downloaded: the browser and driver paths are given, so Selenium Manager never runs.
 */
public final class Browser implements AutoCloseable {

  public final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  public static Browser start() {
    String chromium =
        firstExisting(
            System.getenv("CHROME_BIN"), "/usr/bin/chromium", "/usr/bin/chromium-browser");
    String chromedriver = firstExisting(System.getenv("CHROMEDRIVER"), "/usr/bin/chromedriver");
    try {
      Path profile = Files.createTempDirectory("ohmyotp-chromium-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(chromium);
      // As root in a container Chromium needs --no-sandbox; the background-networking flags keep
      // it from calling out of a machine with no internet.
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--window-size=1280,1000",
          "--user-data-dir=" + profile);
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(new File(chromedriver))
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      return new Browser(driver, profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits up to {@code seconds} for {@code condition} to give a non-null, non-false value. */
  public <T> T await(int seconds, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100))
        .until(condition);
  }

  private static String firstExisting(String... candidates) {
    for (String c : candidates) {
      if (c != null && new File(c).canExecute()) {
        return c;
      }
    }
    throw new IllegalStateException(
        "the dashboard tests need Chromium and chromedriver "
            + "(Debian: apt-get install chromium chromium-driver); looked for "
            + String.join(
                ", ",
                java.util.Arrays.stream(candidates).filter(java.util.Objects::nonNull).toList()));
  }

  @Override
  public void close() {
    driver.quit();
    TempFiles.deleteTree(profile);
  }
}
