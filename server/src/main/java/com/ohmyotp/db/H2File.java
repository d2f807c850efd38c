package com.ohmyotp.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file of an embedded H2 database, and what opening it after a crash takes.
 *
 * <p>H2 finds the newest state of its file from a header that points at one chunk of writes and
 * from the chunks that follow it. When a new chunk lands in space freed earlier rather than at the
 * end of the file, H2 rewrites that header, but with the chunk written before the new one (H2
 * 2.5.252, {@code FileStore.storeBuffer} sets its last chunk only after {@code writeChunk} wrote
 * the header): after a kill, its quick start stops one chunk short and loses commits it had already
 * returned from. This happens once the file has free space in it, after some thousands of rentals;
 * {@code CrashSafetyTest} finds it within 30 kills. H2's recovery mode reads every chunk in the
 * file and takes the newest complete set instead, so a node that was not stopped cleanly opens its
 * file that way first: a marker beside the file says that it is in use, and only a clean stop
 * removes it.
 */
final class H2File {

  private static final Logger log = LoggerFactory.getLogger(H2File.class);

  private final Path file;
  private final Path inUse;

  private H2File(Path base) {
    this.file = base.resolveSibling(base.getFileName() + ".mv.db");
    this.inUse = base.resolveSibling(base.getFileName() + ".in-use");
  }

  /** The file behind an H2 URL that opens one in this process; empty for memory and servers. */
  static Optional<H2File> of(String url) {
    String rest = url.substring("jdbc:h2:".length());
    int settings = rest.indexOf(';');
    String name = settings < 0 ? rest : rest.substring(0, settings);
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.startsWith("mem:")
        || lower.startsWith("tcp:")
        || lower.startsWith("ssl:")
        || lower.startsWith("zip:")
        || lower.startsWith("nio")) {
      return Optional.empty();
    }
    if (lower.startsWith("file:")) {
      name = name.substring("file:".length());
    }
    if (name.startsWith("~")) {
      name = System.getProperty("user.home") + name.substring(1);
    }
    return Optional.of(new H2File(Path.of(name).toAbsolutePath().normalize()));
  }

  /**
   * Before H2 opens the file: when the last process on it did not stop cleanly, rebuilds its newest
   * state from every chunk in it (reading the whole file once), then marks it in use.
   */
  void prepareForOpen() {
    try {
      if (Files.exists(inUse) && Files.exists(file)) {
        long started = System.nanoTime();
        log.warn(
            "{} was not closed cleanly: reading all of it ({} MB) to find its newest state",
            file,
            Files.size(file) / 1_000_000);
        MVStore store =
            new MVStore.Builder()
                .fileName(file.toString())
                .recoveryMode()
                .autoCommitDisabled()
                .open();
        long version = store.getCurrentVersion();
        // Closed compacted: copied, live pages only, into a new file that replaces it. A kill
        // also loses H2's note of which pages its last writes left dead, which it keeps to free
        // their chunks later; without the copy those chunks would be kept for good, and a file
        // killed a hundred times grew to eight times its data (bench/crash.sh).
        store.close(-1);
        forceToDisk(file);
        log.warn(
            "{} recovered at version {} and compacted to {} MB in {} ms",
            file,
            version,
            Files.size(file) / 1_000_000,
            (System.nanoTime() - started) / 1_000_000);
      }
      Files.createDirectories(file.getParent());
      Files.writeString(
          inUse, "ohmyotp: this database is open, or its process stopped without closing it\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + file + ": " + e.getMessage(), e);
    }
  }

  /** The compacted copy took the file's name by a rename: its bytes, and the rename, on disk. */
  private static void forceToDisk(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      channel.force(true);
    }
    try (FileChannel folder = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      folder.force(true);
    }
  }

  /**
   * Leaves the database's files to the service's own user alone (0600 where the file system has
   * POSIX permissions): they hold SMS codes, e-mails and password hashes, and H2 creates them as
   * the umask says, readable by everyone on most systems.
   */
  void restrictToOwner() {
    try {
      try (var files = Files.list(file.getParent())) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (Files.isRegularFile(f) && f.getFileName().toString().startsWith(base())) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
          }
        }
      }
    } catch (UnsupportedOperationException e) {
      // No POSIX permissions here (Windows): the folder's access list is the operator's to set.
    } catch (IOException e) {
      log.warn(
          "cannot make {} readable by this user alone (0600): {}; it holds SMS codes and e-mails",
          file,
          e.toString());
    }
  }

  /** The name the database's files start with. */
  private String base() {
    String name = file.getFileName().toString();
    return name.substring(0, name.length() - ".mv.db".length());
  }

  /** After H2 closed the file cleanly. */
  void closedCleanly() {
    try {
      Files.deleteIfExists(inUse);
    } catch (IOException e) {
      // The next start reads the whole file once more; nothing is lost.
      log.warn("cannot remove {}: {}", inUse, e.toString());
    }
  }

  /** Where the database's file is. */
  Path path() {
    return file;
  }
}
