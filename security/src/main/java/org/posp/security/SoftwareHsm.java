package org.posp.security;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.posp.security.HsmException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The software security module (软加密机): {@link Hsm} on Bouncy Castle with the LMK in memory.
 *
 * <ul>
 *   <li>LMK: a double-length 3DES key; keys are stored under type variants of it and the data and
 *       hash keys are derived from it, see {@link Lmk} for the exact scheme.
 *   <li>Every operation that uses an {@link LmkKey} first checks its type ({@link
 *       Reason#WRONG_KEY_TYPE}) and then that its cryptogram decrypts to its check value ({@link
 *       Reason#CHECK_VALUE_MISMATCH}): a key record from another LMK, relabelled with another type
 *       or damaged is refused instead of silently producing wrong MACs and PIN blocks. ({@link
 *       #checkValue} is the exception: it reports what the cryptogram decrypts to.)
 *   <li>Working keys are random (a per-thread DRBG), odd parity, never weak or semi-weak,
 *       double-length keys never with equal halves.
 *   <li>Thread-safe without locks: the LMK material is immutable and every call creates its own
 *       cipher engines. Clear key copies are wiped when the call ends.
 *   <li>Logs and exception messages name key types and check values, never keys, PINs or PANs.
 * </ul>
 *
 * Obtain one with {@link #load} (configuration order in {@link LmkSource}), {@link #fromHex},
 * {@link #fromKeystore} or {@link #demo}.
 */
public final class SoftwareHsm implements Hsm {

  private static final Logger LOG = LoggerFactory.getLogger(SoftwareHsm.class);

  /** File name of the demo LMK keystore inside the data directory. */
  public static final String DEMO_KEYSTORE_FILE = "demo-lmk.p12";

  /**
   * The demo keystore's store and key password. It is public on purpose: a demo LMK is protected
   * only by the file's permissions and must never guard real cards.
   */
  private static final char[] DEMO_PASSWORD = "posp-demo-lmk-not-for-production".toCharArray();

  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(SoftwareHsm::newRandom);

  private final Lmk lmk;
  private final DataProtector data;

  private SoftwareHsm(byte[] lmkBytes) {
    this.lmk = new Lmk(lmkBytes);
    this.data = new DataProtector(lmk.dataKey(), lmk.hashKey());
  }

  // ---------------------------------------------------------------------------------------------
  // Factories

  /**
   * The HSM for the first configured LMK source: {@code lmkHex}, else the keystore, else the demo
   * LMK if allowed (see {@link LmkSource}); logs which one (with the LMK's check value, never the
   * LMK).
   *
   * @throws HsmException BAD_KEY when nothing usable is configured, naming the environment
   *     variables
   */
  public static SoftwareHsm load(LmkSource source) {
    Objects.requireNonNull(source, "source");
    if (source.lmkHex() != null) {
      SoftwareHsm hsm = fromHex(source.lmkHex());
      LOG.info("LMK taken from {} (kcv {})", LmkSource.ENV_LMK, hsm.lmkCheckValue());
      return hsm;
    }
    if (source.keystore() != null) {
      if (source.keystorePassword() == null) {
        throw new HsmException(
            Reason.BAD_KEY,
            LmkSource.ENV_KEYSTORE + " is set but " + LmkSource.ENV_KEYSTORE_PASSWORD + " is not");
      }
      String alias =
          source.keystoreAlias() == null ? LmkKeystore.DEFAULT_ALIAS : source.keystoreAlias();
      SoftwareHsm hsm =
          fromKeystore(
              source.keystore(), source.keystorePassword(), alias, source.keystorePassword());
      LOG.info(
          "LMK loaded from keystore {} alias {} (kcv {})",
          source.keystore(),
          alias,
          hsm.lmkCheckValue());
      return hsm;
    }
    if (source.demoAllowed()) {
      if (source.demoDir() == null) {
        throw new HsmException(
            Reason.BAD_KEY, "demo mode needs a data directory for " + DEMO_KEYSTORE_FILE);
      }
      return demo(source.demoDir());
    }
    throw new HsmException(
        Reason.BAD_KEY,
        "no LMK configured: set "
            + LmkSource.ENV_LMK
            + " (32 hex characters) or "
            + LmkSource.ENV_KEYSTORE
            + " and "
            + LmkSource.ENV_KEYSTORE_PASSWORD
            + " (a PKCS#12 file made with org.posp.security.LmkKeystore); a generated demo LMK is only used in"
            + " demo mode");
  }

  /**
   * The HSM for an LMK given as 32 hex characters (surrounding white space ignored).
   *
   * @throws HsmException BAD_KEY when it is not 32 hex characters, has equal halves or a weak half
   */
  public static SoftwareHsm fromHex(String lmkHex) {
    String hex = lmkHex == null ? "" : lmkHex.strip();
    if (hex.length() != 2 * Lmk.LENGTH || !CupCrypto.isHex(hex)) {
      throw new HsmException(
          Reason.BAD_KEY,
          "an LMK in hex must be 32 hex characters (a double-length 3DES"
              + " key), got "
              + hex.length()
              + " characters"
              + (CupCrypto.isHex(hex) ? "" : " that are not all hex"));
    }
    byte[] bytes = CupCrypto.unhex(hex);
    try {
      return new SoftwareHsm(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * The HSM for the LMK in a PKCS#12 keystore written by {@link LmkKeystore}. The password arrays
   * stay the caller's to wipe.
   */
  public static SoftwareHsm fromKeystore(
      Path p12, char[] storePassword, String alias, char[] keyPassword) {
    byte[] bytes = LmkKeystore.read(p12, storePassword, alias, keyPassword);
    try {
      return new SoftwareHsm(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * The demo HSM: loads {@code dataDir/demo-lmk.p12}, or generates a random LMK and saves it there
   * (owner-only permissions where the file system has them), and logs a WARN that this is a demo
   * LMK not for production. Nodes sharing the data directory share the LMK; if two create it at
   * once, the loser loads the winner's.
   */
  public static SoftwareHsm demo(Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    Path p12 = dataDir.resolve(DEMO_KEYSTORE_FILE);
    boolean generated = false;
    byte[] bytes;
    if (Files.exists(p12)) {
      bytes = LmkKeystore.read(p12, DEMO_PASSWORD, LmkKeystore.DEFAULT_ALIAS, DEMO_PASSWORD);
    } else {
      bytes = LmkKeystore.generateLmk();
      try {
        LmkKeystore.write(p12, DEMO_PASSWORD, LmkKeystore.DEFAULT_ALIAS, DEMO_PASSWORD, bytes);
        generated = true;
      } catch (HsmException e) {
        Arrays.fill(bytes, (byte) 0);
        if (!(e.getCause() instanceof FileAlreadyExistsException)) {
          throw e;
        }
        bytes = LmkKeystore.read(p12, DEMO_PASSWORD, LmkKeystore.DEFAULT_ALIAS, DEMO_PASSWORD);
      }
    }
    try {
      SoftwareHsm hsm = new SoftwareHsm(bytes);
      LOG.warn(
          "DEMO LMK {} {} (kcv {}): NOT FOR PRODUCTION, whoever can read this file can decrypt every key;"
              + " configure {} or {} for real cards",
          generated ? "generated and saved to" : "loaded from",
          p12.toAbsolutePath(),
          hsm.lmkCheckValue(),
          LmkSource.ENV_LMK,
          LmkSource.ENV_KEYSTORE);
      return hsm;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * Check value of the LMK (identifies which LMK a node runs with, e.g. in start-up logs and health
   * pages).
   */
  public String lmkCheckValue() {
    return lmk.checkValue();
  }

  // ---------------------------------------------------------------------------------------------
  // Key import

  @Override
  public LmkKey importClearKey(KeyType type, byte[] clearKey) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(clearKey, "clearKey");
    requireKeyLength(type, clearKey);
    LmkKey key = wrap(type, clearKey);
    LOG.info("clear {} imported under the LMK (kcv {})", type, key.checkValue());
    return key;
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@code expectedCheckValue} is 6 or 8 hex characters (either case); the returned key carries
   * the full 8.
   */
  @Override
  public LmkKey importLmkKey(KeyType type, String cryptogramHex, String expectedCheckValue) {
    Objects.requireNonNull(type, "type");
    String expected =
        expectedCheckValue == null ? "" : expectedCheckValue.strip().toUpperCase(Locale.ROOT);
    if ((expected.length() != 6 && expected.length() != 8) || !isHexChars(expected)) {
      throw new HsmException(
          Reason.BAD_KEY,
          "the expected check value of a " + type + " must be 6 or 8 hex characters");
    }
    byte[] cryptogram = parseCryptogram(type, cryptogramHex);
    byte[] clear = lmk.unwrap(type, cryptogram);
    try {
      String cv = CupCrypto.checkValueHex(clear);
      if (!constantTimeEquals(cv.substring(0, expected.length()), expected)) {
        throw new HsmException(
            Reason.CHECK_VALUE_MISMATCH,
            "the "
                + type
                + " cryptogram does not decrypt under"
                + " this LMK to check value "
                + expected
                + " (other LMK, other key type or a typing error)");
      }
      requireKeyLength(type, clear);
      return new LmkKey(type, CupCrypto.hex(cryptogram), cv);
    } finally {
      Arrays.fill(clear, (byte) 0);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Working keys, MAC, PIN

  /**
   * {@inheritDoc}
   *
   * <p>001 needs an 8-byte TMK and 003/004 a 16-byte one (docs/protocol/terminal.md §11.1); any
   * other combination is refused with BAD_KEY rather than guessed. The PIK is 8 bytes for 001 and
   * 16 for 003/004, the MAK 8 (CUP ECB) or 16 (X9.19, 003/004 only), the TDK (004 only) 16.
   */
  @Override
  public WorkingKeys generateWorkingKeys(LmkKey tmk, KeyScheme scheme, MacAlgorithm mac) {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(mac, "mac");
    if (mac == MacAlgorithm.X919 && scheme == KeyScheme.SINGLE_DES) {
      throw new HsmException(
          Reason.BAD_KEY,
          "the X9.19 MAC needs a double-length MAK: sign-on scheme 003 or 004," + " not 001");
    }
    byte[] clearTmk = unwrap(tmk, KeyType.TMK, "generateWorkingKeys");
    byte[] pik = null;
    byte[] mak = null;
    byte[] tdk = null;
    try {
      int tmkLength = SignOnKeyBlock.tmkLength(scheme);
      if (clearTmk.length != tmkLength) {
        throw new HsmException(
            Reason.BAD_KEY,
            "sign-on scheme "
                + scheme.networkCode()
                + " needs a "
                + tmkLength
                + "-byte TMK; "
                + tmk
                + " is "
                + clearTmk.length
                + " bytes");
      }
      pik = randomDesKey(SignOnKeyBlock.pikLength(scheme));
      mak = randomDesKey(mac.makLength());
      tdk = scheme == KeyScheme.DOUBLE_LENGTH_WITH_TDK ? randomDesKey(16) : null;
      byte[] block = SignOnKeyBlock.build(scheme, clearTmk, pik, mak, tdk);
      WorkingKeys keys =
          new WorkingKeys(
              scheme,
              block,
              wrap(KeyType.PIK, pik),
              wrap(KeyType.MAK, mak),
              tdk == null ? null : wrap(KeyType.TDK, tdk));
      LOG.debug(
          "working keys for scheme {} under {}: {} {} {}",
          scheme.networkCode(),
          tmk,
          keys.pik(),
          keys.mak(),
          keys.tdk() == null ? "" : keys.tdk());
      return keys;
    } finally {
      wipe(clearTmk, pik, mak, tdk);
    }
  }

  @Override
  public byte[] exportKeyBlock(LmkKey tmk, KeyScheme scheme, LmkKey pik, LmkKey mak, LmkKey tdk) {
    Objects.requireNonNull(scheme, "scheme");
    byte[] clearTmk = unwrap(tmk, KeyType.TMK, "exportKeyBlock");
    byte[] clearPik = null;
    byte[] clearMak = null;
    byte[] clearTdk = null;
    try {
      clearPik = unwrap(pik, KeyType.PIK, "exportKeyBlock");
      clearMak = unwrap(mak, KeyType.MAK, "exportKeyBlock");
      clearTdk = tdk == null ? null : unwrap(tdk, KeyType.TDK, "exportKeyBlock");
      return SignOnKeyBlock.build(scheme, clearTmk, clearPik, clearMak, clearTdk);
    } finally {
      wipe(clearTmk, clearPik, clearMak, clearTdk);
    }
  }

  @Override
  public byte[] generateMac(LmkKey mak, MacAlgorithm algorithm, byte[] mab) {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(mab, "mab");
    return switch (algorithm) {
      case CUP_ECB -> CupCrypto.cupMac(schedule(mak, KeyType.MAK, "generateMac"), mab);
      case X919 ->
          CupCrypto.x919Field64(
              schedule(mak, KeyType.MAK, "generateMac", retailKeys, SoftwareHsm::retailKey), mab);
    };
  }

  /** {@inheritDoc} A missing or not 8-byte {@code receivedMac} does not verify (false). */
  @Override
  public boolean verifyMac(LmkKey mak, MacAlgorithm algorithm, byte[] mab, byte[] receivedMac) {
    byte[] expected = generateMac(mak, algorithm, mab);
    return receivedMac != null && MessageDigest.isEqual(expected, receivedMac);
  }

  /**
   * The retail MAC's schedules of a clear MAK; BAD_KEY unless double length with different halves.
   */
  private static CupCrypto.RetailMacKey retailKey(byte[] clearMak) {
    if (clearMak.length != 16 || Arrays.equals(clearMak, 0, 8, clearMak, 8, 16)) {
      throw new HsmException(
          Reason.BAD_KEY,
          "the X9.19 MAC needs a double-length MAK with different halves, got "
              + clearMak.length
              + " bytes"
              + (clearMak.length == 16 ? " with equal halves" : ""));
    }
    return new CupCrypto.RetailMacKey(clearMak);
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@code pan} is the card's PAN, 13 to 19 digits (field 2, or track 2 left of {@code =}). The
   * PIK and ZPK may each be single (DES) or double length (3DES). A wrong PAN, wrong PIK or damaged
   * block all show as PIN_FORMAT, as from a real HSM, without saying which.
   */
  @Override
  public byte[] translatePin(LmkKey pik, LmkKey zpk, byte[] pinBlock, String pan) {
    requireType(pik, KeyType.PIK, "translatePin");
    requireType(zpk, KeyType.ZPK, "translatePin");
    Objects.requireNonNull(pinBlock, "pinBlock");
    if (pinBlock.length != 8) {
      throw new HsmException(
          Reason.PIN_FORMAT, "an encrypted PIN block is 8 bytes, got " + pinBlock.length);
    }
    try {
      CupCrypto.requirePan(pan);
    } catch (IllegalArgumentException e) {
      throw new HsmException(Reason.PIN_FORMAT, e.getMessage());
    }
    CupCrypto.Schedule clearPik = schedule(pik, KeyType.PIK, "translatePin");
    CupCrypto.Schedule clearZpk = schedule(zpk, KeyType.ZPK, "translatePin");
    byte[] clearBlock = null;
    try {
      clearBlock = clearPik.decrypt(pinBlock);
      if (!CupCrypto.isPinBlockFormat0(clearBlock, pan)) {
        throw new HsmException(
            Reason.PIN_FORMAT,
            "the PIN block does not decrypt under "
                + pik
                + " to ISO 9564 format 0 for this PAN (wrong PIK, wrong PAN or damaged block)");
      }
      return clearZpk.encrypt(clearBlock);
    } finally {
      wipe(clearBlock);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Computed from the cryptogram without consulting {@code key.checkValue()}: compare the two to
   * verify a stored key record.
   */
  @Override
  public String checkValue(LmkKey key) {
    Objects.requireNonNull(key, "key");
    byte[] clear = lmk.unwrap(key.type(), parseCryptogram(key.type(), key.cryptogramHex()));
    try {
      return CupCrypto.checkValueHex(clear);
    } finally {
      wipe(clear);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Data protection

  /** {@inheritDoc} Returns 64 uppercase hex characters. */
  @Override
  public String keyedHash(byte[] data) {
    return this.data.keyedHash(data);
  }

  /**
   * {@inheritDoc} AES-256-GCM with a random 96-bit IV; see {@link DataProtector} for the format.
   */
  @Override
  public String encryptData(byte[] clear, byte[] associatedData) {
    return data.encrypt(clear, associatedData, RANDOM.get());
  }

  /**
   * {@inheritDoc} Refuses malformed, tampered, misplaced or foreign cryptograms with {@link
   * Reason#BAD_DATA}.
   */
  @Override
  public byte[] decryptData(String cryptogram, byte[] associatedData) {
    return data.decrypt(cryptogram, associatedData);
  }

  /**
   * New records are encrypted under data key version {@code version} (1..65535; every version still
   * decrypts); a WARN is logged once this node has made {@code rotateAfter} encryptions under it.
   */
  public SoftwareHsm useDataKeyVersion(int version, long rotateAfter) {
    data.useVersion(version, rotateAfter);
    LOG.info("data key version {} for new records", version);
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private LmkKey wrap(KeyType type, byte[] clearKey) {
    byte[] cryptogram = lmk.wrap(type, clearKey);
    return new LmkKey(type, CupCrypto.hex(cryptogram), CupCrypto.checkValueHex(clearKey));
  }

  /**
   * Key schedules of the working keys in use (MAK, PIK, ZPK), each made once after its cryptogram
   * was checked against its check value: a MAC or a PIN translation then costs its blocks, not an
   * unwrap, a check and a schedule. A record that differs in any part (type, cryptogram, check
   * value) is another entry, so a damaged or relabelled key is still refused. Bounded: emptied when
   * full. A software HSM holds clear keys in its memory by nature; a hardware HSM keeps them in its
   * own.
   */
  private final Map<LmkKey, CupCrypto.Schedule> schedules = new ConcurrentHashMap<>();

  /**
   * The same for double-length MAKs used with the X9.19 retail MAC (two single DES schedules each).
   */
  private final Map<LmkKey, CupCrypto.RetailMacKey> retailKeys = new ConcurrentHashMap<>();

  private static final int MAX_SCHEDULES = 20_000;

  private CupCrypto.Schedule schedule(LmkKey key, KeyType expected, String operation) {
    return schedule(key, expected, operation, schedules, CupCrypto.Schedule::new);
  }

  private <T> T schedule(
      LmkKey key,
      KeyType expected,
      String operation,
      Map<LmkKey, T> cache,
      Function<byte[], T> make) {
    requireType(key, expected, operation);
    T s = cache.get(key);
    if (s != null) return s;
    byte[] clear = unwrap(key, expected, operation);
    try {
      s = make.apply(clear);
    } finally {
      wipe(clear);
    }
    if (cache.size() >= MAX_SCHEDULES) cache.clear();
    cache.put(key, s);
    return s;
  }

  /** The clear key of an LmkKey of the expected type whose cryptogram matches its check value. */
  private byte[] unwrap(LmkKey key, KeyType expected, String operation) {
    requireType(key, expected, operation);
    byte[] clear = lmk.unwrap(expected, parseCryptogram(expected, key.cryptogramHex()));
    String cv = CupCrypto.checkValueHex(clear);
    if (!constantTimeEquals(cv, key.checkValue().toUpperCase(Locale.ROOT))) {
      wipe(clear);
      throw new HsmException(
          Reason.CHECK_VALUE_MISMATCH,
          key
              + " does not decrypt under this LMK to its check"
              + " value (made under another LMK, relabelled from another key type, or damaged)");
    }
    return clear;
  }

  private static void requireType(LmkKey key, KeyType expected, String operation) {
    Objects.requireNonNull(key, () -> operation + " needs a " + expected);
    if (key.type() != expected) {
      throw new HsmException(
          Reason.WRONG_KEY_TYPE, operation + " needs a " + expected + ", got " + key);
    }
  }

  private static byte[] parseCryptogram(KeyType type, String cryptogramHex) {
    if (cryptogramHex == null
        || (cryptogramHex.length() != 16 && cryptogramHex.length() != 32)
        || !CupCrypto.isHex(cryptogramHex)) {
      throw new HsmException(
          Reason.BAD_KEY,
          "a " + type + " cryptogram under the LMK must be 16 or 32 hex" + " characters");
    }
    return CupCrypto.unhex(cryptogramHex);
  }

  /**
   * Length rules (docs/protocol/terminal.md §11): TMK, PIK, ZPK, MAK 8 or 16 bytes (a MAK of 16
   * with equal halves is the published double-length form of a single DES MAK, with different
   * halves an X9.19 MAK); TDK 16.
   */
  private static void requireKeyLength(KeyType type, byte[] key) {
    int n = key.length;
    boolean ok =
        switch (type) {
          case TMK, PIK, ZPK, MAK -> n == 8 || n == 16;
          case TDK -> n == 16;
        };
    if (!ok) {
      String rule = type == KeyType.TDK ? "16 bytes (3DES)" : "8 (DES) or 16 (3DES) bytes";
      throw new HsmException(
          Reason.BAD_KEY, "a " + type + " must be " + rule + "; got " + n + " bytes");
    }
  }

  /**
   * A random DES key of 8 or 16 bytes with odd parity, no weak or semi-weak half and different
   * halves.
   */
  static byte[] randomDesKey(int length) {
    byte[] key = new byte[length];
    SecureRandom random = RANDOM.get();
    do {
      random.nextBytes(key);
      CupCrypto.adjustOddParity(key);
    } while (CupCrypto.isWeakKey(key));
    return key;
  }

  private static SecureRandom newRandom() {
    try {
      // a DRBG per thread: no shared lock between actors (the default NativePRNG shares one)
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  private static boolean isHexChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static void wipe(byte[]... arrays) {
    for (byte[] a : arrays) {
      if (a != null) {
        Arrays.fill(a, (byte) 0);
      }
    }
  }

  @Override
  public String toString() {
    return "SoftwareHsm[lmk kcv=" + lmk.checkValue() + "]";
  }
}
