package org.posp.sim.terminal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ANSI X9.19 retail MAC (ISO/IEC 9797-1 MAC algorithm 3, padding method 1) as a terminal computes
 * it for field 64 when it was provisioned with the X919 MAC: the MAB padded with zero bytes to a
 * multiple of 8, DES-CBC under the left half K1 of the double-length MAK (zero IV), the last block
 * decrypted under the right half K2 and encrypted under K1; field 64 = its first 4 bytes as 8
 * uppercase hex characters. JDK JCE only, like {@link DesCipher}.
 */
public final class RetailMac {
  private RetailMac() {}

  /** The whole 8-byte retail MAC of {@code data} under a 16-byte MAK. */
  public static byte[] mac(byte[] mak, byte[] data) {
    if (mak.length != 16) {
      throw new IllegalArgumentException("the X9.19 MAC needs a 16-byte MAK, was " + mak.length);
    }
    byte[] k1 = Arrays.copyOfRange(mak, 0, 8);
    byte[] k2 = Arrays.copyOfRange(mak, 8, 16);
    byte[] padded = Arrays.copyOf(data, Math.max(8, (data.length + 7) / 8 * 8));
    try {
      Cipher cbc = Cipher.getInstance("DES/CBC/NoPadding");
      cbc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k1, "DES"), new IvParameterSpec(new byte[8]));
      byte[] chained = cbc.doFinal(padded);
      byte[] last = Arrays.copyOfRange(chained, chained.length - 8, chained.length);
      return DesCipher.encrypt(k1, DesCipher.decrypt(k2, last));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCE DES/CBC unavailable: " + e.getMessage(), e);
    } finally {
      Arrays.fill(k1, (byte) 0);
      Arrays.fill(k2, (byte) 0);
    }
  }

  /** Field 64 (8 ASCII hex characters) over {@code mab}. */
  public static byte[] compute(byte[] mak, byte[] mab) {
    return Hex.of(mac(mak, mab)).substring(0, 8).getBytes(StandardCharsets.US_ASCII);
  }
}
