package org.posp.sim.cardbus;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies ISO 9564 format 0 PIN blocks (密码块) sent in field 52 under the zone PIN key (ZPK).
 *
 * <p>Deliberately written against the JDK's JCE and not the switch's security module: the simulator
 * plays the other side of the zone and must not share code (or bugs) with the switch. A 16-byte ZPK
 * is used as 3DES with K1 K2 K1, an 8-byte one as single DES. The clear PIN never leaves {@link
 * #verify}; the key is never logged or printed.
 */
final class PinVerifier {

  /** Outcome of a PIN check; never carries the PIN. */
  enum Result {
    MATCH,
    MISMATCH,
    MALFORMED
  }

  private final SecretKeySpec key;
  private final String transformation;
  private final byte[] expectedPin;

  /**
   * @param zpk the clear ZPK, 8 or 16 bytes
   * @param expectedPin the PIN every test card has
   */
  PinVerifier(byte[] zpk, String expectedPin) {
    if (zpk.length == 16) {
      byte[] k = Arrays.copyOf(zpk, 24);
      System.arraycopy(zpk, 0, k, 16, 8);
      this.key = new SecretKeySpec(k, "DESede");
      this.transformation = "DESede/ECB/NoPadding";
    } else if (zpk.length == 8) {
      this.key = new SecretKeySpec(zpk.clone(), "DES");
      this.transformation = "DES/ECB/NoPadding";
    } else {
      throw new IllegalArgumentException("ZPK must be 8 or 16 bytes, got " + zpk.length);
    }
    this.expectedPin = expectedPin.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Decrypts {@code pinBlock} (8 bytes) under the ZPK and compares its format 0 PIN with the
   * card's.
   */
  Result verify(byte[] pinBlock, String pan) {
    if (pinBlock == null || pinBlock.length != 8 || pan == null || !pan.matches("\\d{13,19}")) {
      return Result.MALFORMED;
    }
    byte[] clear;
    try {
      Cipher cipher = Cipher.getInstance(transformation);
      cipher.init(Cipher.DECRYPT_MODE, key);
      clear = cipher.doFinal(pinBlock);
    } catch (GeneralSecurityException e) {
      // A JCE failure is a broken JVM, not a bad PIN: say so without any key material.
      throw new IllegalStateException(
          "JCE cannot run " + transformation + ": " + e.getClass().getSimpleName(), e);
    }
    byte[] panBlock = panBlock(pan);
    char[] digits = new char[16];
    try {
      for (int i = 0; i < 8; i++) {
        int b = (clear[i] ^ panBlock[i]) & 0xFF;
        digits[2 * i] = Character.forDigit(b >> 4, 16);
        digits[2 * i + 1] = Character.forDigit(b & 0x0F, 16);
      }
      return compare(digits);
    } finally {
      Arrays.fill(clear, (byte) 0);
      Arrays.fill(digits, '0');
    }
  }

  private Result compare(char[] nibbles) {
    // Format 0: 0 L P P P P (P/F)... F; L = 4..12, PIN digits 0-9, the rest F.
    if (nibbles[0] != '0') {
      return Result.MALFORMED;
    }
    int length = Character.digit(nibbles[1], 16);
    if (length < 4 || length > 12) {
      return Result.MALFORMED;
    }
    byte[] pin = new byte[length];
    try {
      for (int i = 0; i < length; i++) {
        char c = nibbles[2 + i];
        if (c < '0' || c > '9') {
          return Result.MALFORMED;
        }
        pin[i] = (byte) c;
      }
      for (int i = 2 + length; i < 16; i++) {
        if (nibbles[i] != 'f') {
          return Result.MALFORMED;
        }
      }
      return MessageDigest.isEqual(pin, expectedPin) ? Result.MATCH : Result.MISMATCH;
    } finally {
      Arrays.fill(pin, (byte) 0);
    }
  }

  /** 0000 + the 12 rightmost PAN digits without the check digit. */
  static byte[] panBlock(String pan) {
    String twelve = pan.substring(pan.length() - 13, pan.length() - 1);
    return HexFormat.of().parseHex("0000" + twelve);
  }

  @Override
  public String toString() {
    return "PinVerifier[" + transformation + ", key hidden]";
  }
}
