package org.posp.security;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.engines.DESedeEngine;
import org.bouncycastle.crypto.params.DESParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Stateless UnionPay POS (银联 POS) cryptography on clear bytes: DES / 3DES ECB, key check values,
 * the CUP ECB MAC, the ANSI X9.19 retail MAC, ISO 9564 format 0 PIN blocks, hex and DES parity
 * helpers.
 *
 * <p>This class sees clear keys and PINs, so inside the switch only {@link SoftwareHsm} calls it;
 * terminal and card-bus simulators and tests use it directly because they play the part that owns
 * the clear keys. All methods are thread-safe (a new cipher engine per call, or a {@link Schedule}
 * made once). Errors are {@link IllegalArgumentException}s whose messages name the wrong argument,
 * never its value.
 *
 * <p>Key lengths: 8 bytes = single DES; 16 bytes = double-length 3DES EDE with K1K2K1; 24 bytes =
 * 3DES K1K2K3 (accepted by {@link #ecbEncrypt}/{@link #ecbDecrypt} only).
 */
public final class CupCrypto {

  private static final byte[] HEX_DIGITS = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private CupCrypto() {}

  // ---------------------------------------------------------------------------------------------
  // DES / 3DES ECB

  /** ECB-encrypts {@code data} (a multiple of 8 bytes) under an 8-, 16- or 24-byte key. */
  public static byte[] ecbEncrypt(byte[] key, byte[] data) {
    return ecb(true, key, data);
  }

  /** ECB-decrypts {@code data} (a multiple of 8 bytes) under an 8-, 16- or 24-byte key. */
  public static byte[] ecbDecrypt(byte[] key, byte[] data) {
    return ecb(false, key, data);
  }

  private static byte[] ecb(boolean encrypt, byte[] key, byte[] data) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    if (data.length == 0 || data.length % 8 != 0) {
      throw new IllegalArgumentException(
          "ECB data must be a non-empty multiple of 8 bytes, got " + data.length);
    }
    BlockCipher engine = engineFor(key);
    engine.init(encrypt, new KeyParameter(key));
    byte[] out = new byte[data.length];
    for (int off = 0; off < data.length; off += 8) {
      engine.processBlock(data, off, out, off);
    }
    return out;
  }

  /**
   * A DES / 3DES key schedule computed once, for the many blocks a long-lived key (an LMK variant,
   * a working key in use) processes: setting up the schedule costs more than the block itself.
   * Thread-safe after construction: Bouncy Castle's DES engines keep nothing between blocks but the
   * schedule made by {@code init}, which is never called again.
   */
  public static final class Schedule {
    private final BlockCipher encrypt;
    private final BlockCipher decrypt;

    public Schedule(byte[] key) {
      Objects.requireNonNull(key, "key");
      encrypt = engineFor(key);
      encrypt.init(true, new KeyParameter(key));
      decrypt = engineFor(key);
      decrypt.init(false, new KeyParameter(key));
    }

    public byte[] encrypt(byte[] data) {
      return process(encrypt, data);
    }

    public byte[] decrypt(byte[] data) {
      return process(decrypt, data);
    }

    private static byte[] process(BlockCipher engine, byte[] data) {
      Objects.requireNonNull(data, "data");
      if (data.length == 0 || data.length % 8 != 0) {
        throw new IllegalArgumentException(
            "ECB data must be a non-empty multiple of 8 bytes, got " + data.length);
      }
      byte[] out = new byte[data.length];
      for (int off = 0; off < data.length; off += 8) {
        engine.processBlock(data, off, out, off);
      }
      return out;
    }

    @Override
    public String toString() {
      return "Schedule[***]";
    }
  }

  private static BlockCipher engineFor(byte[] key) {
    return switch (key.length) {
      case 8 -> new DESEngine();
      case 16, 24 -> new DESedeEngine();
      default ->
          throw new IllegalArgumentException(
              "a DES key must be 8, 16 or 24 bytes, got " + key.length);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Check value

  /**
   * Key check value (校验值): the first 4 bytes of encrypting 8 zero bytes with the clear key (DES for
   * an 8-byte key, 3DES for a 16-byte key).
   */
  public static byte[] checkValue(byte[] key) {
    requireKeyLength(key, "key");
    byte[] block = ecbEncrypt(key, new byte[8]);
    return Arrays.copyOf(block, 4);
  }

  /** {@link #checkValue} as 8 uppercase hex characters. */
  public static String checkValueHex(byte[] key) {
    return hex(checkValue(key));
  }

  // ---------------------------------------------------------------------------------------------
  // CUP ECB MAC (docs/protocol/terminal.md §11.2)

  /**
   * The intermediate values of the CUP ECB MAC, exposed to tests so every step of
   * docs/protocol/terminal.md §11.2 can be checked against the published vectors.
   */
  record MacSteps(byte[] r, byte[] e1, byte[] t, byte[] e2, byte[] mac) {}

  /**
   * CUP ECB MAC (银联 ECB MAC, docs/protocol/terminal.md §11.2) of a MAB under an 8-byte (DES) or
   * 16-byte (3DES) MAK. Returns field 64: 8 ASCII bytes, the first 8 uppercase hex characters of
   * E2.
   */
  public static byte[] cupMac(byte[] mak, byte[] mab) {
    return cupMacSteps(mak, mab).mac();
  }

  /** {@link #cupMac(byte[], byte[])} under a MAK whose schedule is made already. */
  public static byte[] cupMac(Schedule mak, byte[] mab) {
    return cupMacSteps(mak, mab).mac();
  }

  static MacSteps cupMacSteps(byte[] mak, byte[] mab) {
    requireKeyLength(mak, "MAK");
    return cupMacSteps(new Schedule(mak), mab);
  }

  static MacSteps cupMacSteps(Schedule mak, byte[] mab) {
    Objects.requireNonNull(mab, "mab");
    // 2-3: pad with 00 to a multiple of 8 and XOR all blocks (padding with zeros = leaving them
    // out)
    byte[] r = new byte[8];
    for (int i = 0; i < mab.length; i++) {
      r[i % 8] ^= mab[i];
    }
    // 4: R as 16 uppercase hex characters
    byte[] h = hexAscii(r);
    byte[] h1 = Arrays.copyOfRange(h, 0, 8);
    byte[] h2 = Arrays.copyOfRange(h, 8, 16);
    // 5-7
    byte[] e1 = mak.encrypt(h1);
    byte[] t = xor(e1, h2);
    byte[] e2 = mak.encrypt(t);
    // 8: first 8 hex characters of E2 = hex of its first 4 bytes
    byte[] mac = Arrays.copyOf(hexAscii(e2), 8);
    return new MacSteps(r, e1, t, e2, mac);
  }

  // ---------------------------------------------------------------------------------------------
  // ANSI X9.19 retail MAC (ISO/IEC 9797-1 MAC algorithm 3, padding method 1)

  /**
   * The two single-DES schedules of a double-length MAK for the retail MAC: K1 (left half) and K2
   * (right half). Thread-safe after construction, like {@link Schedule}.
   */
  public static final class RetailMacKey {
    private final Schedule k1;
    private final Schedule k2;

    /**
     * @param mak a double-length key (16 bytes)
     */
    public RetailMacKey(byte[] mak) {
      Objects.requireNonNull(mak, "MAK");
      if (mak.length != 16) {
        throw new IllegalArgumentException(
            "the X9.19 retail MAC needs a double-length (16-byte) MAK, got "
                + mak.length
                + " bytes");
      }
      byte[] left = Arrays.copyOfRange(mak, 0, 8);
      byte[] right = Arrays.copyOfRange(mak, 8, 16);
      try {
        k1 = new Schedule(left);
        k2 = new Schedule(right);
      } finally {
        Arrays.fill(left, (byte) 0);
        Arrays.fill(right, (byte) 0);
      }
    }

    @Override
    public String toString() {
      return "RetailMacKey[***]";
    }
  }

  /**
   * ANSI X9.19 retail MAC of {@code data} under a double-length MAK: the data padded with zero
   * bytes to a multiple of 8 (padding method 1; nothing is added to a multiple of 8, an empty input
   * is one zero block), DES-CBC under K1 with a zero IV, the last block then decrypted under K2 and
   * encrypted under K1. Returns the whole 8-byte MAC.
   */
  public static byte[] retailMac(byte[] mak, byte[] data) {
    return retailMac(new RetailMacKey(mak), data);
  }

  /** {@link #retailMac(byte[], byte[])} under a MAK whose schedules are made already. */
  public static byte[] retailMac(RetailMacKey mak, byte[] data) {
    Objects.requireNonNull(data, "data");
    byte[] chain = new byte[8];
    int blocks = Math.max(1, (data.length + 7) / 8);
    for (int b = 0; b < blocks; b++) {
      for (int i = 0; i < 8; i++) {
        int at = b * 8 + i;
        if (at < data.length) chain[i] ^= data[at];
      }
      chain = mak.k1.encrypt(chain);
    }
    return mak.k1.encrypt(mak.k2.decrypt(chain));
  }

  /**
   * Field 64 with the X9.19 retail MAC: the first 4 bytes of {@link #retailMac} over the MAB as 8
   * uppercase hex characters (8 ASCII bytes, the field format of §11.2).
   */
  public static byte[] x919Field64(RetailMacKey mak, byte[] mab) {
    return Arrays.copyOf(hexAscii(retailMac(mak, mab)), 8);
  }

  // ---------------------------------------------------------------------------------------------
  // ISO 9564 format 0 PIN block (docs/protocol/terminal.md §11.4)

  /**
   * The clear ISO 9564 format 0 PIN block: {@code 0L PIN F..F} XOR {@code 0000} + the 12 rightmost
   * PAN digits excluding the check digit.
   *
   * @param pin 4 to 12 decimal digits
   * @param pan 13 to 19 decimal digits (field 2, or track 2 left of {@code =})
   */
  public static byte[] pinBlockFormat0(String pin, String pan) {
    Objects.requireNonNull(pin, "pin");
    if (pin.length() < 4 || pin.length() > 12 || !isDigits(pin)) {
      throw new IllegalArgumentException("PIN must be 4 to 12 decimal digits");
    }
    byte[] pinField = new byte[8];
    Arrays.fill(pinField, (byte) 0xFF);
    pinField[0] = (byte) pin.length();
    for (int i = 0; i < pin.length(); i++) {
      int nibble = 2 + i;
      setNibble(pinField, nibble, pin.charAt(i) - '0');
    }
    byte[] panField = panField(pan);
    byte[] block = xor(pinField, panField);
    Arrays.fill(pinField, (byte) 0);
    return block;
  }

  /**
   * Parses a clear format 0 PIN block for this PAN and returns the PIN digits (for simulators that
   * play the issuer). Throws {@link IllegalArgumentException} without details when the block is not
   * format 0 with a 4 to 12 digit PIN and F padding.
   */
  public static String parsePinBlockFormat0(byte[] clearBlock, String pan) {
    byte[] pinField = pinField(clearBlock, pan);
    if (pinField == null) {
      throw new IllegalArgumentException("not an ISO 9564 format 0 PIN block for this PAN");
    }
    int length = pinField[0] & 0x0F;
    char[] digits = new char[length];
    for (int i = 0; i < length; i++) {
      digits[i] = (char) ('0' + nibble(pinField, 2 + i));
    }
    Arrays.fill(pinField, (byte) 0);
    String pin = new String(digits);
    Arrays.fill(digits, '\0');
    return pin;
  }

  /**
   * Whether a clear PIN block is a well-formed format 0 block for this PAN (PIN length 4..12,
   * digits, F pad).
   */
  public static boolean isPinBlockFormat0(byte[] clearBlock, String pan) {
    byte[] pinField = pinField(clearBlock, pan);
    if (pinField == null) {
      return false;
    }
    Arrays.fill(pinField, (byte) 0);
    return true;
  }

  /** The PIN field of a well-formed block, or null. */
  private static byte[] pinField(byte[] clearBlock, String pan) {
    Objects.requireNonNull(clearBlock, "clearBlock");
    if (clearBlock.length != 8) {
      throw new IllegalArgumentException("a PIN block is 8 bytes, got " + clearBlock.length);
    }
    byte[] pinField = xor(clearBlock, panField(pan));
    int control = nibble(pinField, 0);
    int length = nibble(pinField, 1);
    boolean ok = control == 0 && length >= 4 && length <= 12;
    for (int i = 2; ok && i < 16; i++) {
      int n = nibble(pinField, i);
      ok = i < 2 + length ? n <= 9 : n == 0xF;
    }
    if (!ok) {
      Arrays.fill(pinField, (byte) 0);
      return null;
    }
    return pinField;
  }

  /** {@code 0000} + the 12 rightmost PAN digits excluding the check digit, as 8 bytes. */
  static byte[] panField(String pan) {
    requirePan(pan);
    String digits = pan.substring(pan.length() - 13, pan.length() - 1);
    byte[] field = new byte[8];
    for (int i = 0; i < 12; i++) {
      setNibble(field, 4 + i, digits.charAt(i) - '0');
    }
    return field;
  }

  /**
   * Checks that a PAN is 13 to 19 decimal digits (12 digits plus the check digit are needed for the
   * PAN field); the message never contains the PAN.
   */
  static void requirePan(String pan) {
    if (pan == null) {
      throw new IllegalArgumentException("PAN is missing");
    }
    if (pan.length() < 13 || pan.length() > 19 || !isDigits(pan)) {
      throw new IllegalArgumentException(
          "PAN must be 13 to 19 decimal digits (length " + pan.length() + ")");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // DES key hygiene

  /** Sets every byte of a DES key to odd parity (in place) and returns the same array. */
  public static byte[] adjustOddParity(byte[] key) {
    for (int i = 0; i < key.length; i++) {
      int b = key[i] & 0xFE;
      key[i] = (byte) (b | (Integer.bitCount(b) % 2 == 0 ? 1 : 0));
    }
    return key;
  }

  /** Whether every byte of the key has odd parity. */
  public static boolean hasOddParity(byte[] key) {
    for (byte b : key) {
      if (Integer.bitCount(b & 0xFF) % 2 == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether any 8-byte part of the key is one of the 4 weak or 12 semi-weak DES keys (parity
   * ignored), or a 16-byte key has equal halves (then 3DES degenerates to single DES).
   */
  public static boolean isWeakKey(byte[] key) {
    requireKeyLength(key, "key");
    byte[] copy = adjustOddParity(key.clone());
    try {
      for (int off = 0; off < copy.length; off += 8) {
        if (DESParameters.isWeakKey(copy, off)) {
          return true;
        }
      }
      return copy.length == 16 && Arrays.equals(copy, 0, 8, copy, 8, 16);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bytes and hex

  /** Uppercase hex of the bytes. */
  public static String hex(byte[] bytes) {
    return new String(hexAscii(bytes), StandardCharsets.US_ASCII);
  }

  /** Bytes of a hex string (upper or lower case, even length; no separators). */
  public static byte[] unhex(String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() % 2 != 0) {
      throw new IllegalArgumentException("hex string has an odd length " + hex.length());
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException(
            "not a hex string (bad character at " + (hi < 0 ? 2 * i : 2 * i + 1) + ")");
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  /** Whether the string is non-empty, even-length hex. */
  public static boolean isHex(String s) {
    if (s == null || s.isEmpty() || s.length() % 2 != 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** XOR of two arrays of the same length. */
  public static byte[] xor(byte[] a, byte[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "xor of arrays of different lengths " + a.length + " and " + b.length);
    }
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }

  private static byte[] hexAscii(byte[] bytes) {
    byte[] out = new byte[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX_DIGITS[(bytes[i] >> 4) & 0x0F];
      out[2 * i + 1] = HEX_DIGITS[bytes[i] & 0x0F];
    }
    return out;
  }

  static void requireKeyLength(byte[] key, String what) {
    Objects.requireNonNull(key, what);
    if (key.length != 8 && key.length != 16) {
      throw new IllegalArgumentException(
          what + " must be 8 (DES) or 16 (3DES) bytes, got " + key.length);
    }
  }

  private static boolean isDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }

  private static int nibble(byte[] b, int index) {
    int v = b[index / 2] & 0xFF;
    return index % 2 == 0 ? v >> 4 : v & 0x0F;
  }

  private static void setNibble(byte[] b, int index, int value) {
    int i = index / 2;
    b[i] = index % 2 == 0 ? (byte) ((b[i] & 0x0F) | (value << 4)) : (byte) ((b[i] & 0xF0) | value);
  }
}
