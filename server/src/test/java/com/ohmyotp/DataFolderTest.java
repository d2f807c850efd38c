package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.TempFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class DataFolderTest {

  @Test
  void theDataFolderIsTheServicesUsersAloneWhateverItWasMadeWith() throws Exception {
    Path parent = Files.createTempDirectory("ohmyotp-data-");
    try {
      Path existing =
          Files.createDirectory(
              parent.resolve("open"),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      DataFolder.makePrivate(existing);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing)))
          .isEqualTo("rwx------");

      Path fresh = parent.resolve("new").resolve("data");
      DataFolder.makePrivate(fresh);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
          .isEqualTo("rwx------");
    } finally {
      TempFiles.deleteTree(parent);
    }
  }
}
