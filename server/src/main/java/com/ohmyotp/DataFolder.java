package com.ohmyotp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's data folder ({@code OHMYOTP_DATA_DIR}): the embedded database, the generated secrets.
 * Only the service's own user may enter it (0700 where the file system has POSIX permissions),
 * whatever the umask was when it was made.
 */
final class DataFolder {

  private static final Logger log = LoggerFactory.getLogger(DataFolder.class);

  private DataFolder() {}

  static void makePrivate(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder + ": " + e.getMessage(), e);
    }
    try {
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // No POSIX permissions here (Windows): the folder's access list is the operator's to set.
    } catch (IOException e) {
      // A folder this user may write to but does not own: it serves, and the operator is told.
      log.warn(
          "cannot make {} private (0700): {}; it holds the database and the secrets, so let only"
              + " this service's user read it",
          folder,
          e.toString());
    }
  }
}
