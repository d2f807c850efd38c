package com.ohmyotp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The node's data folder ({@code OHMYOTP_DATA_DIR}): the embedded database, the generated secrets.
 * Only the service's own user may enter it (0700 where the file system has POSIX permissions),
 * whatever the umask was when it was made.
 */
final class DataFolder {

  private DataFolder() {}

  static void makePrivate(Path folder) {
    try {
      Files.createDirectories(folder);
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // No POSIX permissions here (Windows): the folder's access list is the operator's to set.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make " + folder + " private: " + e.getMessage(), e);
    }
  }
}
