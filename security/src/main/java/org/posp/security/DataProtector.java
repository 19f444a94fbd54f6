package org.posp.security;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.posp.security.HsmException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data encryption and keyed hashing under keys derived from the LMK (see {@link Lmk}).
 *
 * <p>Cryptogram format of {@link #encrypt} (version 2): base64 (RFC 4648, with padding) of {@code
 * 02 || keyVersion(2, big-endian) || IV(12) || AES-256-GCM ciphertext || tag(16)}, with GCM
 * additional data {@code 02 || keyVersion || associatedData}: the caller binds a cryptogram to its
 * record (the terminal and the transaction), so one moved to another record does not decrypt.
 *
 * <p>Versioned data keys: key version 1 is the LMK's data key ({@link Lmk#dataKey()}); version N
 * &gt; 1 is HKDF-SHA-256 of it with info {@code "posp/data-key/aes-256-gcm/v<N>"}. New records use
 * the current version ({@link #useVersion}); every version decrypts, so raising it rotates the key
 * without re-encrypting anything. Why rotate: a random 96-bit IV keeps GCM's collision risk
 * acceptable for at most 2^32 encryptions under one key (NIST SP 800-38D §8.3), about 50 days at
 * 1,000 TPS across the cluster; the node warns once when it alone has made {@code rotateAfter}
 * encryptions under the current version. A nonce-misuse-resistant mode (AES-GCM-SIV) would lift the
 * limit but is not in the Bouncy Castle low-level API this module uses; versioned keys keep the
 * format standard.
 *
 * <p>Cryptograms of version 1 ({@code 01 || IV || ciphertext || tag}, additional data {@code 01},
 * under key version 1, bound to no record) still decrypt, whatever associated data is given.
 *
 * <p>Every call makes its own cipher, so one instance serves all threads.
 */
final class DataProtector {
  private static final Logger LOG = LoggerFactory.getLogger(DataProtector.class);
  private static final byte LEGACY = 0x01;
  private static final byte VERSIONED = 0x02;
  private static final int IV_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final int LEGACY_OVERHEAD = 1 + IV_LENGTH + TAG_BITS / 8;
  private static final int OVERHEAD = 3 + IV_LENGTH + TAG_BITS / 8;
  private static final byte[] SALT =
      "org.posp.security.data-key".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_KEY_VERSION = 0xFFFF;

  private final byte[] baseDataKey;
  private final byte[] hashKey;
  private final Map<Integer, byte[]> dataKeys = new ConcurrentHashMap<>();
  private volatile int currentVersion = 1;
  private volatile long rotateAfter = 1L << 31;
  private final AtomicLong usedUnderCurrent = new AtomicLong();

  /** Keeps references to the two 32-byte keys, which nobody modifies. */
  DataProtector(byte[] dataKey, byte[] hashKey) {
    this.baseDataKey = dataKey;
    this.hashKey = hashKey;
    dataKeys.put(1, dataKey);
  }

  /**
   * New records are encrypted under key version {@code version} (1..65535); a warning is logged
   * once this node has made {@code rotateAfter} encryptions under it.
   */
  void useVersion(int version, long rotateAfter) {
    if (version < 1 || version > MAX_KEY_VERSION) {
      throw new HsmException(
          Reason.BAD_KEY,
          "the data key version must be 1.." + MAX_KEY_VERSION + ", not " + version);
    }
    if (rotateAfter < 1) throw new HsmException(Reason.BAD_KEY, "rotateAfter must be positive");
    if (version != currentVersion) usedUnderCurrent.set(0);
    this.currentVersion = version;
    this.rotateAfter = rotateAfter;
  }

  int currentVersion() {
    return currentVersion;
  }

  private byte[] dataKey(int version) {
    return dataKeys.computeIfAbsent(
        version,
        v -> {
          HKDFBytesGenerator hkdf = new HKDFBytesGenerator(SHA256Digest.newInstance());
          hkdf.init(
              new HKDFParameters(
                  baseDataKey,
                  SALT,
                  ("posp/data-key/aes-256-gcm/v" + v).getBytes(StandardCharsets.US_ASCII)));
          byte[] out = new byte[32];
          hkdf.generateBytes(out, 0, out.length);
          return out;
        });
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

  String encrypt(byte[] clear, byte[] associatedData, SecureRandom random) {
    Objects.requireNonNull(clear, "clear");
    Objects.requireNonNull(associatedData, "associatedData");
    int version = currentVersion;
    if (usedUnderCurrent.incrementAndGet() == rotateAfter) {
      LOG.warn(
          "{} records encrypted under data key version {} by this node: raise posp.security.data-key-version "
              + "(POSP_DATA_KEY_VERSION) to {} on every node (docs/operations.md, data key rotation)",
          rotateAfter,
          version,
          version + 1);
    }
    byte[] iv = new byte[IV_LENGTH];
    random.nextBytes(iv);
    byte[] head = {VERSIONED, (byte) (version >> 8), (byte) version};
    GCMModeCipher gcm = cipher(true, dataKey(version), iv, aad(head, associatedData));
    byte[] out = new byte[3 + IV_LENGTH + gcm.getOutputSize(clear.length)];
    System.arraycopy(head, 0, out, 0, 3);
    System.arraycopy(iv, 0, out, 3, IV_LENGTH);
    int n = gcm.processBytes(clear, 0, clear.length, out, 3 + IV_LENGTH);
    try {
      gcm.doFinal(out, 3 + IV_LENGTH + n);
    } catch (InvalidCipherTextException e) {
      throw new HsmException(Reason.INTERNAL, "AES-GCM encryption failed", e);
    }
    return Base64.getEncoder().encodeToString(out);
  }

  byte[] decrypt(String cryptogram, byte[] associatedData) {
    Objects.requireNonNull(associatedData, "associatedData");
    if (cryptogram == null) {
      throw new HsmException(Reason.BAD_DATA, "no cryptogram to decrypt");
    }
    byte[] in;
    try {
      in = Base64.getDecoder().decode(cryptogram.strip());
    } catch (IllegalArgumentException e) {
      throw new HsmException(Reason.BAD_DATA, "the cryptogram is not base64");
    }
    if (in.length > 0 && in[0] == LEGACY) {
      if (in.length < LEGACY_OVERHEAD) throw tooShort(in.length, LEGACY_OVERHEAD);
      return open(in, 1, dataKey(1), new byte[] {LEGACY});
    }
    if (in.length > 0 && in[0] == VERSIONED) {
      if (in.length < OVERHEAD) throw tooShort(in.length, OVERHEAD);
      int version = ((in[1] & 0xFF) << 8) | (in[2] & 0xFF);
      if (version < 1)
        throw new HsmException(Reason.BAD_DATA, "the cryptogram names data key version 0");
      return open(in, 3, dataKey(version), aad(Arrays.copyOfRange(in, 0, 3), associatedData));
    }
    if (in.length == 0) throw tooShort(0, OVERHEAD);
    throw new HsmException(Reason.BAD_DATA, "unknown cryptogram version " + (in[0] & 0xFF));
  }

  private static HsmException tooShort(int length, int min) {
    return new HsmException(
        Reason.BAD_DATA,
        "the cryptogram is too short (" + length + " bytes, at least " + min + ")");
  }

  private static byte[] open(byte[] in, int ivAt, byte[] key, byte[] aad) {
    GCMModeCipher gcm = cipher(false, key, Arrays.copyOfRange(in, ivAt, ivAt + IV_LENGTH), aad);
    int bodyAt = ivAt + IV_LENGTH;
    int bodyLength = in.length - bodyAt;
    byte[] out = new byte[gcm.getOutputSize(bodyLength)];
    int n = gcm.processBytes(in, bodyAt, bodyLength, out, 0);
    try {
      gcm.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      Arrays.fill(out, (byte) 0);
      throw new HsmException(
          Reason.BAD_DATA,
          "the cryptogram fails authentication (damaged, tampered with, "
              + "bound to another record, or made under another LMK)");
    }
    return out;
  }

  private static byte[] aad(byte[] head, byte[] associatedData) {
    byte[] a = new byte[head.length + associatedData.length];
    System.arraycopy(head, 0, a, 0, head.length);
    System.arraycopy(associatedData, 0, a, head.length, associatedData.length);
    return a;
  }

  private static GCMModeCipher cipher(boolean encrypt, byte[] key, byte[] iv, byte[] aad) {
    GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    gcm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BITS, iv, aad));
    return gcm;
  }
}
