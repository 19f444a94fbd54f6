package org.posp.security;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.posp.security.HsmException.Reason;

/**
 * Data encryption and keyed hashing under keys derived from the LMK (see {@link Lmk}).
 *
 * <p>Cryptogram format of {@link #encrypt}: base64 (RFC 4648, with padding) of
 * {@code 01 || IV(12) || AES-256-GCM ciphertext || tag(16)}; the version byte {@code 01} is also the GCM
 * additional data, so a later format cannot be confused with this one.
 *
 * <p>Immutable; every call makes its own cipher, so one instance serves all threads.
 */
final class DataProtector {

  private static final byte VERSION = 0x01;
  private static final int IV_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final int OVERHEAD = 1 + IV_LENGTH + TAG_BITS / 8;

  private final byte[] dataKey;
  private final byte[] hashKey;

  /** Keeps references to the two 32-byte keys, which nobody modifies. */
  DataProtector(byte[] dataKey, byte[] hashKey) {
    this.dataKey = dataKey;
    this.hashKey = hashKey;
  }

  /** HMAC-SHA-256 of the data, 64 uppercase hex characters. */
  String keyedHash(byte[] data) {
    Objects.requireNonNull(data, "data");
    HMac hmac = new HMac(SHA256Digest.newInstance());
    hmac.init(new KeyParameter(hashKey));
    hmac.update(data, 0, data.length);
    byte[] out = new byte[hmac.getMacSize()];
    hmac.doFinal(out, 0);
    return CupCrypto.hex(out);
  }

  String encrypt(byte[] clear, SecureRandom random) {
    Objects.requireNonNull(clear, "clear");
    byte[] iv = new byte[IV_LENGTH];
    random.nextBytes(iv);
    GCMModeCipher gcm = cipher(true, iv);
    byte[] out = new byte[1 + IV_LENGTH + gcm.getOutputSize(clear.length)];
    out[0] = VERSION;
    System.arraycopy(iv, 0, out, 1, IV_LENGTH);
    int n = gcm.processBytes(clear, 0, clear.length, out, 1 + IV_LENGTH);
    try {
      gcm.doFinal(out, 1 + IV_LENGTH + n);
    } catch (InvalidCipherTextException e) {
      throw new HsmException(Reason.INTERNAL, "AES-GCM encryption failed", e);
    }
    return Base64.getEncoder().encodeToString(out);
  }

  byte[] decrypt(String cryptogram) {
    if (cryptogram == null) {
      throw new HsmException(Reason.BAD_DATA, "no cryptogram to decrypt");
    }
    byte[] in;
    try {
      in = Base64.getDecoder().decode(cryptogram.strip());
    } catch (IllegalArgumentException e) {
      throw new HsmException(Reason.BAD_DATA, "the cryptogram is not base64");
    }
    if (in.length < OVERHEAD) {
      throw new HsmException(Reason.BAD_DATA, "the cryptogram is too short (" + in.length + " bytes, at least "
          + OVERHEAD + ")");
    }
    if (in[0] != VERSION) {
      throw new HsmException(Reason.BAD_DATA, "unknown cryptogram version " + (in[0] & 0xFF));
    }
    GCMModeCipher gcm = cipher(false, Arrays.copyOfRange(in, 1, 1 + IV_LENGTH));
    int bodyLength = in.length - 1 - IV_LENGTH;
    byte[] out = new byte[gcm.getOutputSize(bodyLength)];
    int n = gcm.processBytes(in, 1 + IV_LENGTH, bodyLength, out, 0);
    try {
      gcm.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      Arrays.fill(out, (byte) 0);
      throw new HsmException(Reason.BAD_DATA,
          "the cryptogram fails authentication (damaged, tampered with, or made under another LMK)");
    }
    return out;
  }

  private GCMModeCipher cipher(boolean encrypt, byte[] iv) {
    GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    gcm.init(encrypt, new AEADParameters(new KeyParameter(dataKey), TAG_BITS, iv, new byte[] {VERSION}));
    return gcm;
  }
}
