package org.posp.sim.terminal;

import java.util.HexFormat;

/** Upper-case hex helpers; thin wrapper so callers get a message naming what was wrong. */
public final class Hex {
  private static final HexFormat UPPER = HexFormat.of().withUpperCase();

  private Hex() {}

  public static String of(byte[] bytes) {
    return UPPER.formatHex(bytes);
  }

  /**
   * Parses hex; {@code what} names the value in the exception (never echoes the value itself, which
   * may be a key).
   */
  public static byte[] parse(String hex, String what) {
    if (hex == null) {
      throw new IllegalArgumentException(what + " is missing");
    }
    String h = hex.replace(" ", "");
    if (h.length() % 2 != 0 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException(what + " must be an even number of hex digits");
    }
    return UPPER.parseHex(h);
  }

  public static byte[] parse(String hex) {
    return parse(hex, "hex value");
  }
}
