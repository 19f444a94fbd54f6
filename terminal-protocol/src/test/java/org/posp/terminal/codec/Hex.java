package org.posp.terminal.codec;

import java.util.HexFormat;

/**
 * Hex helpers for the tests: vectors are copied verbatim from the specs (spaces, colons, any case).
 */
final class Hex {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private Hex() {}

  static byte[] bytes(String hex) {
    return HEX.parseHex(hex.replaceAll("[\\s:]", ""));
  }

  static String of(byte[] b) {
    return HEX.formatHex(b);
  }
}
