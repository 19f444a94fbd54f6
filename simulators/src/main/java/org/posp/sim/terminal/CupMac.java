package org.posp.sim.terminal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * 银联 ECB MAC (docs/protocol/terminal.md §11.2): XOR of the zero-padded 8-byte blocks of the MAB,
 * expanded to 16 hex characters, then DES(MAK, H1) XOR H2, DES again, first 8 hex characters as
 * ASCII. The MAB is the body from the MTI up to the end of the field before 64, i.e. the body minus
 * its last 8 bytes when 64 is present.
 */
public final class CupMac {
  private CupMac() {}

  /**
   * Computes field 64 (8 ASCII hex characters) over {@code mab} with the MAK (DES, or 3DES if 16
   * bytes).
   */
  public static byte[] compute(byte[] mak, byte[] mab) {
    byte[] r = new byte[8];
    for (int i = 0; i < mab.length; i++) {
      r[i % 8] ^= mab[i]; // zero padding contributes nothing to the XOR
    }
    byte[] h = Hex.of(r).getBytes(StandardCharsets.US_ASCII);
    byte[] e1 = DesCipher.encrypt(mak, Arrays.copyOfRange(h, 0, 8));
    byte[] t = new byte[8];
    for (int i = 0; i < 8; i++) {
      t[i] = (byte) (e1[i] ^ h[8 + i]);
    }
    byte[] e2 = DesCipher.encrypt(mak, t);
    return Hex.of(e2).substring(0, 8).getBytes(StandardCharsets.US_ASCII);
  }

  /** MAC of a whole packed body whose last 8 bytes are field 64. */
  public static byte[] computeForBody(byte[] mak, byte[] body) {
    return computeForBody(TerminalConfig.CUP_ECB, mak, body);
  }

  /** True when the last 8 bytes of {@code body} are the MAC of the rest (constant-time compare). */
  public static boolean verifyBody(byte[] mak, byte[] body) {
    return verifyBody(TerminalConfig.CUP_ECB, mak, body);
  }

  /** Field 64 of a packed body with the terminal's MAC: this one, or {@link RetailMac} for X919. */
  public static byte[] computeForBody(WorkingKeys keys, byte[] body) {
    return computeForBody(keys.macAlgorithm(), keys.mak(), body);
  }

  /** {@link #verifyBody(byte[], byte[])} with the terminal's MAC algorithm. */
  public static boolean verifyBody(WorkingKeys keys, byte[] body) {
    return verifyBody(keys.macAlgorithm(), keys.mak(), body);
  }

  private static byte[] computeForBody(String algorithm, byte[] mak, byte[] body) {
    if (body.length < 18) {
      throw new IllegalArgumentException(
          "body of " + body.length + " bytes is too short to carry field 64");
    }
    byte[] mab = Arrays.copyOf(body, body.length - 8);
    return TerminalConfig.X919.equals(algorithm) ? RetailMac.compute(mak, mab) : compute(mak, mab);
  }

  private static boolean verifyBody(String algorithm, byte[] mak, byte[] body) {
    if (body.length < 18) {
      return false;
    }
    byte[] expected = computeForBody(algorithm, mak, body);
    return MessageDigest.isEqual(expected, Arrays.copyOfRange(body, body.length - 8, body.length));
  }
}
