package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecretsTest {

  @Test
  void theLmkIsCreatedOnceOwnerOnlyAndReusedOnEveryLaterStart(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("local-cluster");
    Map<String, String> first = ClusterSecrets.loadOrCreate(home);
    String lmk = first.get("POSP_LMK");
    assertTrue(lmk.matches("[0-9A-F]{32}"), "LMK format");
    Path file = home.resolve("cluster.env");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        first, ClusterSecrets.loadOrCreate(home), "a second start must keep the journal's LMK");
  }

  @Test
  void newLmksAreRandomWithOddParityAndDistinctHalves() {
    String a = ClusterSecrets.newLmkHex();
    String b = ClusterSecrets.newLmkHex();
    assertNotEquals(a, b);
    byte[] key = HexFormat.of().parseHex(a);
    for (byte k : key) assertEquals(1, Integer.bitCount(k & 0xFF) % 2, "odd parity of " + a);
    assertNotEquals(a.substring(0, 16), a.substring(16));
  }

  @Test
  void aDamagedFileIsRefusedWithoutShowingItsContent(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cluster.env");
    Files.writeString(file, "POSP_LMK=1F2E3D4C5B6A7988001122334455\n");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ClusterSecrets.read(file));
    assertTrue(e.getMessage().contains("has no POSP_LMK of 32 hex characters"), e.getMessage());
    assertFalse(e.getMessage().contains("1F2E3D4C"), e.getMessage());

    Files.writeString(file, "# comment\nnot a variable\n");
    e = assertThrows(IllegalStateException.class, () -> ClusterSecrets.read(file));
    assertTrue(e.getMessage().endsWith("line 2 is not NAME=value"), e.getMessage());
  }

  @Test
  void commentsAndBlankLinesAreSkipped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cluster.env");
    Files.writeString(file, "# LMK\n\nPOSP_LMK = 1F2E3D4C5B6A79880011223344556677\nOTHER=x\n");
    assertEquals(
        Map.of("POSP_LMK", "1F2E3D4C5B6A79880011223344556677", "OTHER", "x"),
        ClusterSecrets.read(file));
  }
}
