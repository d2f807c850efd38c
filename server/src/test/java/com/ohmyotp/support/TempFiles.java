package com.ohmyotp.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Temporary folders the tests make: data folders, browser profiles. */
public final class TempFiles {

  private TempFiles() {}

  /**
   * Deletes a folder and everything in it; one left behind is harmless, so failures are ignored.
   */
  public static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary folder left behind is harmless.
    }
  }
}
