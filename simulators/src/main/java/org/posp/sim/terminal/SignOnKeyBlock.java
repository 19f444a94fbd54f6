package org.posp.sim.terminal;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Unwraps field 62 of the 0810 (签到密钥, docs/protocol/terminal.md §11.1) under the clear TMK and
 * checks every key's check value; a key whose check value does not match is refused (the terminal
 * keeps no key from a refused block).
 *
 * <pre>
 * 001 (24 bytes): E(PIK 8)  CV(4) E(MAK 8) CV(4)                       DES under an 8-byte TMK
 * 003 (40 bytes): E(PIK 16) CV(4) E(MAK 8) 00x8 CV(4)                  3DES under a 16-byte TMK
 * 004 (60 bytes): as 003, then E(TDK 16) CV(4)
 * </pre>
 *
 * A terminal provisioned with the X919 MAC (003/004 only) finds a double-length MAK in the whole
 * 16-byte MAK slot: E(MAK 16) CV(4), the check value of the 16-byte key.
 */
public final class SignOnKeyBlock {

  /** The key block was refused; the message names the reason, never a key. */
  public static final class KeyBlockException extends Exception {
    public KeyBlockException(String message) {
      super(message);
    }
  }

  private SignOnKeyBlock() {}

  /** Expected field 62 length for a key scheme (60.3). */
  public static int lengthOf(String scheme) {
    return switch (scheme) {
      case "001" -> 24;
      case "003" -> 40;
      case "004" -> 60;
      default -> throw new IllegalArgumentException("unsupported key scheme (60.3) " + scheme);
    };
  }

  /** TMK length in bytes for a scheme: 8 for 001, 16 for 003/004. */
  public static int tmkLengthOf(String scheme) {
    return "001".equals(scheme) ? 8 : 16;
  }

  public static WorkingKeys unwrap(String scheme, byte[] tmk, byte[] field62)
      throws KeyBlockException {
    return unwrap(scheme, tmk, field62, TerminalConfig.CUP_ECB);
  }

  /** {@link #unwrap(String, byte[], byte[])} for a terminal with {@code macAlgorithm}. */
  public static WorkingKeys unwrap(String scheme, byte[] tmk, byte[] field62, String macAlgorithm)
      throws KeyBlockException {
    int expected = lengthOf(scheme);
    if (tmk.length != tmkLengthOf(scheme)) {
      throw new KeyBlockException("TMK of " + tmk.length + " bytes does not fit scheme " + scheme);
    }
    if (field62 == null) {
      throw new KeyBlockException("0810 has no field 62 (key block)");
    }
    if (field62.length != expected) {
      throw new KeyBlockException(
          "field 62 is " + field62.length + " bytes, scheme " + scheme + " needs " + expected);
    }
    if ("001".equals(scheme)) {
      byte[] pik = key(tmk, field62, 0, 8, 8, "PIK");
      byte[] mak = key(tmk, field62, 12, 8, 20, "MAK");
      return new WorkingKeys(scheme, pik, mak, null);
    }
    byte[] pik = key(tmk, field62, 0, 16, 16, "PIK");
    boolean x919 = TerminalConfig.X919.equals(macAlgorithm);
    byte[] mak = key(tmk, field62, 20, x919 ? 16 : 8, 36, "MAK");
    for (int i = 28; !x919 && i < 36; i++) {
      if (field62[i] != 0) {
        throw new KeyBlockException(
            "MAK slot bytes 9-16 of field 62 are not zero (MAK must be single DES)");
      }
    }
    byte[] tdk = "004".equals(scheme) ? key(tmk, field62, 40, 16, 56, "TDK") : null;
    return new WorkingKeys(scheme, pik, mak, tdk, macAlgorithm);
  }

  private static byte[] key(byte[] tmk, byte[] block, int at, int len, int cvAt, String name)
      throws KeyBlockException {
    byte[] clear = DesCipher.decrypt(tmk, Arrays.copyOfRange(block, at, at + len));
    byte[] cv = DesCipher.checkValue(clear);
    if (!MessageDigest.isEqual(cv, Arrays.copyOfRange(block, cvAt, cvAt + 4))) {
      throw new KeyBlockException(name + " check value does not match: key refused");
    }
    return clear;
  }
}
