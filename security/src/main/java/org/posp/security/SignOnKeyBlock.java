package org.posp.security;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * The sign-on key block (签到密钥块), field 62 of the 0810, on clear keys (docs/protocol/terminal.md
 * §11.1):
 *
 * <pre>
 * 001 (8-byte TMK, DES):    E(PIK 8)  CV(4) E(MAK 8) CV(4)                       = 24 bytes
 * 003 (16-byte TMK, 3DES):  E(PIK 16) CV(4) E(MAK 8) 00x8 CV(4)                  = 40 bytes
 * 004 (16-byte TMK, 3DES):  as 003, then E(TDK 16) CV(4)                         = 60 bytes
 * </pre>
 *
 * {@code E} is ECB under the TMK, {@code CV} the check value of the clear key ({@link
 * CupCrypto#checkValue}). The MAK is a single DES key in every scheme, except for a terminal with
 * the X9.19 MAC ({@link MacAlgorithm#X919}, 003/004 only): its MAK slot is E(MAK 16), and the CV
 * that of the 16-byte key. {@link SoftwareHsm} builds blocks with {@link #build}; a terminal
 * simulator opens them with {@link #open}. Errors are {@link IllegalArgumentException}s naming what
 * is wrong, never a key.
 */
public final class SignOnKeyBlock {

  private SignOnKeyBlock() {}

  /** Clear working keys taken out of a key block; {@code tdk} is null unless the scheme is 004. */
  public record ClearWorkingKeys(byte[] pik, byte[] mak, byte[] tdk) {
    /** Overwrites the key bytes with zeros. */
    public void wipe() {
      Arrays.fill(pik, (byte) 0);
      Arrays.fill(mak, (byte) 0);
      if (tdk != null) {
        Arrays.fill(tdk, (byte) 0);
      }
    }

    @Override
    public String toString() {
      return "ClearWorkingKeys[pik="
          + CupCrypto.checkValueHex(pik)
          + ", mak="
          + CupCrypto.checkValueHex(mak)
          + (tdk == null ? "" : ", tdk=" + CupCrypto.checkValueHex(tdk))
          + "]";
    }
  }

  /** Length of the TMK a scheme needs: 8 for 001, 16 for 003/004. */
  public static int tmkLength(KeyScheme scheme) {
    return scheme == KeyScheme.SINGLE_DES ? 8 : 16;
  }

  /** Length of the PIK a scheme carries: 8 for 001, 16 for 003/004. */
  public static int pikLength(KeyScheme scheme) {
    return tmkLength(scheme);
  }

  /**
   * Builds field 62 from clear keys.
   *
   * @param tdk the 16-byte TDK for scheme 004, null otherwise
   */
  public static byte[] build(KeyScheme scheme, byte[] tmk, byte[] pik, byte[] mak, byte[] tdk) {
    Objects.requireNonNull(scheme, "scheme");
    requireLength(tmk, tmkLength(scheme), "TMK for scheme " + scheme.networkCode());
    requireLength(pik, pikLength(scheme), "PIK for scheme " + scheme.networkCode());
    if (mak == null || (mak.length != 8 && (mak.length != 16 || scheme == KeyScheme.SINGLE_DES))) {
      throw new IllegalArgumentException(
          "MAK must be 8 bytes"
              + (scheme == KeyScheme.SINGLE_DES ? "" : " or 16")
              + " for scheme "
              + scheme.networkCode()
              + ", got "
              + (mak == null ? "none" : mak.length + " bytes"));
    }
    if (scheme == KeyScheme.DOUBLE_LENGTH_WITH_TDK) {
      requireLength(tdk, 16, "TDK for scheme 004");
    } else if (tdk != null) {
      throw new IllegalArgumentException("scheme " + scheme.networkCode() + " carries no TDK");
    }
    byte[] block = new byte[scheme.keyBlockLength()];
    int off = put(block, 0, CupCrypto.ecbEncrypt(tmk, pik));
    off = put(block, off, CupCrypto.checkValue(pik));
    off = put(block, off, CupCrypto.ecbEncrypt(tmk, mak));
    if (scheme != KeyScheme.SINGLE_DES && mak.length == 8) {
      off += 8; // the MAK slot is 16 bytes: the single DES MAK followed by 8 zero bytes
    }
    off = put(block, off, CupCrypto.checkValue(mak));
    if (tdk != null) {
      off = put(block, off, CupCrypto.ecbEncrypt(tmk, tdk));
      off = put(block, off, CupCrypto.checkValue(tdk));
    }
    if (off != block.length) {
      throw new IllegalStateException(
          "key block layout for " + scheme + " filled " + off + " bytes");
    }
    return block;
  }

  /**
   * Decrypts field 62 with the clear TMK, checking its length, the zero filler of the MAK slot and
   * every check value.
   */
  public static ClearWorkingKeys open(KeyScheme scheme, byte[] tmk, byte[] block) {
    return open(scheme, tmk, block, MacAlgorithm.CUP_ECB);
  }

  /**
   * As {@link #open(KeyScheme, byte[], byte[])} for a terminal with MAC algorithm {@code mac}: with
   * {@link MacAlgorithm#X919} the whole 16-byte MAK slot is the double-length MAK.
   */
  public static ClearWorkingKeys open(
      KeyScheme scheme, byte[] tmk, byte[] block, MacAlgorithm mac) {
    Objects.requireNonNull(scheme, "scheme");
    boolean doubleMak = mac == MacAlgorithm.X919;
    if (doubleMak && scheme == KeyScheme.SINGLE_DES) {
      throw new IllegalArgumentException("scheme 001 carries no double-length MAK");
    }
    requireLength(tmk, tmkLength(scheme), "TMK for scheme " + scheme.networkCode());
    requireLength(block, scheme.keyBlockLength(), "field 62 for scheme " + scheme.networkCode());
    int pikLength = pikLength(scheme);
    byte[] pik = CupCrypto.ecbDecrypt(tmk, Arrays.copyOfRange(block, 0, pikLength));
    byte[] mak = null;
    byte[] tdk = null;
    try {
      int off = pikLength;
      checkCv(pik, block, off, "PIK");
      off += 4;
      int makLength = doubleMak ? 16 : 8;
      mak = CupCrypto.ecbDecrypt(tmk, Arrays.copyOfRange(block, off, off + makLength));
      off += makLength;
      if (scheme != KeyScheme.SINGLE_DES && !doubleMak) {
        for (int i = off; i < off + 8; i++) {
          if (block[i] != 0) {
            throw new IllegalArgumentException("field 62: the 8 bytes after the MAK must be zero");
          }
        }
        off += 8;
      }
      checkCv(mak, block, off, "MAK");
      off += 4;
      if (scheme == KeyScheme.DOUBLE_LENGTH_WITH_TDK) {
        tdk = CupCrypto.ecbDecrypt(tmk, Arrays.copyOfRange(block, off, off + 16));
        off += 16;
        checkCv(tdk, block, off, "TDK");
      }
      return new ClearWorkingKeys(pik, mak, tdk);
    } catch (RuntimeException e) {
      Arrays.fill(pik, (byte) 0);
      if (mak != null) {
        Arrays.fill(mak, (byte) 0);
      }
      if (tdk != null) {
        Arrays.fill(tdk, (byte) 0);
      }
      throw e;
    }
  }

  private static void checkCv(byte[] key, byte[] block, int off, String what) {
    byte[] cv = CupCrypto.checkValue(key);
    if (!MessageDigest.isEqual(cv, Arrays.copyOfRange(block, off, off + 4))) {
      throw new IllegalArgumentException(
          "field 62: " + what + " check value does not match (wrong TMK?)");
    }
  }

  private static int put(byte[] block, int off, byte[] part) {
    System.arraycopy(part, 0, block, off, part.length);
    return off + part.length;
  }

  private static void requireLength(byte[] bytes, int length, String what) {
    if (bytes == null) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (bytes.length != length) {
      throw new IllegalArgumentException(
          what + " must be " + length + " bytes, got " + bytes.length);
    }
  }
}
