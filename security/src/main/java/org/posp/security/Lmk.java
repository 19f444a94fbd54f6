package org.posp.security;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The local master key (本地主密钥, LMK) of the {@link SoftwareHsm}: a double-length 3DES key (16 bytes,
 * halves different, neither half weak) and what is derived from it.
 *
 * <h2>Keys under the LMK (payShield-style variants)</h2>
 *
 * A clear key of type {@code t} is stored as the 3DES-ECB (K1K2K1) encryption of each of its 8-byte
 * halves under a variant of the LMK: byte 0 of the LMK is XORed with the type constant and byte 8
 * with the length/half constant:
 *
 * <pre>
 * type  TMK A6   PIK 5A   MAK 6A   TDK DE   ZPK 74
 * half  8-byte key 00    16-byte key: left half A6, right half 5A
 * </pre>
 *
 * So a PIK cryptogram decrypts to garbage when presented as a MAK, and half of a double-length
 * cryptogram cannot be passed off as a single-length key (the length downgrade that would let
 * halves be attacked one at a time). The constants have bit 0 clear, so they change real key bits,
 * never only parity bits. Every use of a key checks its check value (see {@link SoftwareHsm}),
 * which turns such a substitution into a refused operation.
 *
 * <h2>Derived keys</h2>
 *
 * HKDF-SHA-256 (RFC 5869) with IKM = the 16 LMK bytes, salt = ASCII {@code
 * "org.posp.security.lmk"}: info {@code "posp/data-key/aes-256-gcm/v1"} gives the 32-byte AES key
 * of {@link Hsm#encryptData}, info {@code "posp/keyed-hash/hmac-sha-256/v1"} the 32-byte HMAC key
 * of {@link Hsm#keyedHash}.
 *
 * <p>Immutable after construction; the arrays it holds are never handed out or modified, so it is
 * safe to share between threads.
 */
final class Lmk {

  static final int LENGTH = 16;

  private static final byte[] HKDF_SALT = ascii("org.posp.security.lmk");
  private static final byte[] DATA_KEY_INFO = ascii("posp/data-key/aes-256-gcm/v1");
  private static final byte[] HASH_KEY_INFO = ascii("posp/keyed-hash/hmac-sha-256/v1");

  private static final int SINGLE = 0;
  private static final int LEFT = 1;
  private static final int RIGHT = 2;
  private static final byte[] HALF_VARIANT = {0x00, (byte) 0xA6, 0x5A};

  /** Per type, the three variant keys (single, left half, right half). */
  private final Map<KeyType, CupCrypto.Schedule[]> variants = new EnumMap<>(KeyType.class);

  private final byte[] dataKey;
  private final byte[] hashKey;
  private final String checkValue;

  /** Takes a copy of the LMK bytes; the caller wipes its own array. */
  Lmk(byte[] lmk) {
    validate(lmk);
    for (KeyType type : KeyType.values()) {
      // every key under the LMK goes through these: their schedules are made once
      CupCrypto.Schedule[] keys = new CupCrypto.Schedule[3];
      for (int half = SINGLE; half <= RIGHT; half++) {
        byte[] k = lmk.clone();
        k[0] ^= typeVariant(type);
        k[8] ^= HALF_VARIANT[half];
        keys[half] = new CupCrypto.Schedule(k);
        Arrays.fill(k, (byte) 0);
      }
      variants.put(type, keys);
    }
    dataKey = hkdf(lmk, DATA_KEY_INFO);
    hashKey = hkdf(lmk, HASH_KEY_INFO);
    checkValue = CupCrypto.checkValueHex(lmk);
  }

  /** Refuses an LMK that is not 16 bytes, has equal halves (single DES strength) or a weak half. */
  static void validate(byte[] lmk) {
    if (lmk == null || lmk.length != LENGTH) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY,
          "the LMK must be a double-length 3DES key of 16 bytes (32 hex characters), got "
              + (lmk == null ? "none" : lmk.length + " bytes"));
    }
    if (CupCrypto.isWeakKey(lmk)) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY,
          "the LMK is weak (equal halves or a weak DES half); generate a random one");
    }
  }

  private static byte typeVariant(KeyType type) {
    return switch (type) {
      case TMK -> (byte) 0xA6;
      case PIK -> (byte) 0x5A;
      case MAK -> (byte) 0x6A;
      case TDK -> (byte) 0xDE;
      case ZPK -> (byte) 0x74;
    };
  }

  /** The clear key (8 or 16 bytes) encrypted under the LMK variant for its type. */
  byte[] wrap(KeyType type, byte[] clearKey) {
    return crypt(true, type, clearKey);
  }

  /** The clear key of a cryptogram (8 or 16 bytes) under the LMK variant for its type. */
  byte[] unwrap(KeyType type, byte[] cryptogram) {
    return crypt(false, type, cryptogram);
  }

  private byte[] crypt(boolean encrypt, KeyType type, byte[] in) {
    CupCrypto.Schedule[] keys = variants.get(type);
    if (in.length == 8) {
      return encrypt ? keys[SINGLE].encrypt(in) : keys[SINGLE].decrypt(in);
    }
    if (in.length != 16) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY, "a key under the LMK is 8 or 16 bytes, got " + in.length);
    }
    byte[] left = Arrays.copyOfRange(in, 0, 8);
    byte[] right = Arrays.copyOfRange(in, 8, 16);
    byte[] outLeft = encrypt ? keys[LEFT].encrypt(left) : keys[LEFT].decrypt(left);
    byte[] outRight = encrypt ? keys[RIGHT].encrypt(right) : keys[RIGHT].decrypt(right);
    byte[] out = new byte[16];
    System.arraycopy(outLeft, 0, out, 0, 8);
    System.arraycopy(outRight, 0, out, 8, 8);
    Arrays.fill(left, (byte) 0);
    Arrays.fill(right, (byte) 0);
    Arrays.fill(outLeft, (byte) 0);
    Arrays.fill(outRight, (byte) 0);
    return out;
  }

  /** The AES-256 key of {@link Hsm#encryptData}; callers must not modify it. */
  byte[] dataKey() {
    return dataKey;
  }

  /** The HMAC-SHA-256 key of {@link Hsm#keyedHash}; callers must not modify it. */
  byte[] hashKey() {
    return hashKey;
  }

  /** Check value of the LMK itself, to tell operators which LMK a node runs with. */
  String checkValue() {
    return checkValue;
  }

  private static byte[] hkdf(byte[] ikm, byte[] info) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(SHA256Digest.newInstance());
    hkdf.init(new HKDFParameters(ikm, HKDF_SALT, info));
    byte[] out = new byte[32];
    hkdf.generateBytes(out, 0, out.length);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public String toString() {
    return "LMK[kcv=" + checkValue + "]";
  }
}
