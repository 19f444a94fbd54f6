package org.posp.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local cluster's LMK (本地主密钥): every node of a cluster must share it, and the journal in
 * PostgreSQL holds keys under it, so it is generated once, kept in {@code <data-dir>/cluster.env}
 * (owner-only) and reused on every later start. The nodes get it through their environment, never
 * on their command line, so neither {@code ps} nor the printed restart commands show it.
 */
final class ClusterSecrets {
  static final String FILE_NAME = "cluster.env";
  static final String LMK = "POSP_LMK";

  private ClusterSecrets() {}

  /**
   * The variables of {@code <dataDir>/cluster.env}, creating the file with a new random LMK when
   * absent.
   */
  static Map<String, String> loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      Files.createDirectories(dataDir);
      Files.createFile(file);
      ownerOnly(file);
      Files.writeString(
          file,
          "# LMK of the local cluster: the journal's keys are stored under it; delete the whole\n"
              + "# data directory (not only this file) to start over.\n"
              + LMK
              + "="
              + newLmkHex()
              + "\n",
          StandardCharsets.UTF_8);
    }
    return read(file);
  }

  /**
   * Reads {@code NAME=value} lines; fails naming the file (never the value) when the LMK is missing
   * or malformed.
   */
  static Map<String, String> read(Path file) throws IOException {
    Map<String, String> vars = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) continue;
      int eq = line.indexOf('=');
      if (eq <= 0)
        throw new IllegalStateException(file + " line " + (i + 1) + " is not NAME=value");
      vars.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
    }
    String lmk = vars.get(LMK);
    if (lmk == null || !lmk.matches("[0-9A-Fa-f]{32}")) {
      throw new IllegalStateException(
          file
              + " has no "
              + LMK
              + " of 32 hex characters: restore it from a backup, or"
              + " delete the data directory "
              + file.getParent()
              + " to start a new cluster");
    }
    return vars;
  }

  /**
   * A random double-length 3DES key, odd parity per byte, as 32 upper-case hex characters; halves
   * that came out equal (a single-length key, refused by the HSM) are drawn again.
   */
  static String newLmkHex() {
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[16];
    do {
      random.nextBytes(key);
      for (int i = 0; i < key.length; i++) {
        int b = key[i] & 0xFE;
        key[i] = (byte) (Integer.bitCount(b) % 2 == 0 ? b | 1 : b);
      }
    } while (Arrays.equals(key, 0, 8, key, 8, 16));
    return HexFormat.of().withUpperCase().formatHex(key);
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's own protection applies
    }
  }
}
