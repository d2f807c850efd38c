package com.ohmyotp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Operator secrets (the admin token, the gateway secret): taken from configuration, else read from
 * or generated into a file of the data folder readable by its owner only.
 */
final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  static String loadOrCreate(Optional<String> configured, Path dataDir, String fileName) {
    if (configured.isPresent()) {
      return configured.get();
    }
    Path file = dataDir.resolve(fileName);
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      byte[] bytes = new byte[32];
      RANDOM.nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      Files.createDirectories(dataDir);
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException e) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }
}
