package org.posp.sim.terminal;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * DES / 3DES (EDE, K1K2K1 for double-length keys) in ECB without padding, with clear keys, as a
 * terminal's PIN pad does it. Only the JDK JCE is used: the simulator must not share crypto code
 * with the switch's security module.
 */
public final class DesCipher {
  private DesCipher() {}

  /** ECB-encrypts {@code data} (a multiple of 8 bytes) under an 8-, 16- or 24-byte key. */
  public static byte[] encrypt(byte[] key, byte[] data) {
    return run(Cipher.ENCRYPT_MODE, key, data);
  }

  /** ECB-decrypts {@code data} (a multiple of 8 bytes) under an 8-, 16- or 24-byte key. */
  public static byte[] decrypt(byte[] key, byte[] data) {
    return run(Cipher.DECRYPT_MODE, key, data);
  }

  /** Key check value (校验值): first 4 bytes of encrypting 8 zero bytes with the clear key. */
  public static byte[] checkValue(byte[] key) {
    return Arrays.copyOf(encrypt(key, new byte[8]), 4);
  }

  private static byte[] run(int mode, byte[] key, byte[] data) {
    if (data.length % 8 != 0) {
      throw new IllegalArgumentException(
          "DES data length " + data.length + " is not a multiple of 8");
    }
    try {
      Cipher cipher;
      switch (key.length) {
        case 8 -> {
          cipher = Cipher.getInstance("DES/ECB/NoPadding");
          cipher.init(mode, new SecretKeySpec(key, "DES"));
        }
        case 16, 24 -> {
          byte[] k = key.length == 24 ? key : concat(key, Arrays.copyOf(key, 8));
          cipher = Cipher.getInstance("DESede/ECB/NoPadding");
          cipher.init(mode, new SecretKeySpec(k, "DESede"));
        }
        default ->
            throw new IllegalArgumentException(
                "DES key must be 8, 16 or 24 bytes, was " + key.length);
      }
      return cipher.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCE DES/DESede unavailable: " + e.getMessage(), e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
