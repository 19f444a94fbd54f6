package org.posp.security;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * The LMK in a PKCS#12 keystore (密钥库): one secret key entry, algorithm {@code DESede}, holding the
 * 16 LMK bytes. {@link SoftwareHsm#fromKeystore} reads it; {@link #create} and {@link #main} make
 * one.
 *
 * <p>A keystore is written once: to a temporary file with owner-only permissions (600 where the
 * file system is POSIX) in the target directory, then linked into place atomically, so a reader
 * never sees a half written file and two processes creating the same keystore cannot overwrite each
 * other (the second gets {@link FileAlreadyExistsException} as the cause of its {@link
 * HsmException}).
 */
public final class LmkKeystore {

  /** Alias used when none is configured. */
  public static final String DEFAULT_ALIAS = "lmk";

  private static final String KEYSTORE_TYPE = "PKCS12";
  private static final String KEY_ALGORITHM = "DESede";

  private LmkKeystore() {}

  /**
   * Generates a random LMK: 16 bytes, odd parity, no weak half, halves different. The caller wipes
   * it.
   */
  public static byte[] generateLmk() {
    return SoftwareHsm.randomDesKey(Lmk.LENGTH);
  }

  /**
   * Generates a random LMK and writes it to a new keystore.
   *
   * @return the LMK's check value (8 hex characters), to record in the key ceremony minutes
   * @throws HsmException BAD_KEY when the file exists or cannot be written
   */
  public static String create(Path p12, char[] storePassword, String alias, char[] keyPassword) {
    byte[] lmk = generateLmk();
    try {
      write(p12, storePassword, alias, keyPassword, lmk);
      return CupCrypto.checkValueHex(lmk);
    } finally {
      Arrays.fill(lmk, (byte) 0);
    }
  }

  /**
   * Writes a given LMK (16 bytes; checked like {@link SoftwareHsm#fromHex}) to a new keystore file;
   * refuses to overwrite an existing file.
   */
  public static void write(
      Path p12, char[] storePassword, String alias, char[] keyPassword, byte[] lmk) {
    Lmk.validate(lmk);
    requireArgs(p12, storePassword, alias, keyPassword);
    Path dir = p12.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      if (Files.exists(p12)) {
        throw new FileAlreadyExistsException(p12.toString());
      }
      KeyStore ks = KeyStore.getInstance(KEYSTORE_TYPE);
      ks.load(null, null);
      ks.setEntry(
          alias,
          new KeyStore.SecretKeyEntry(new SecretKeySpec(lmk, KEY_ALGORITHM)),
          new KeyStore.PasswordProtection(keyPassword));
      tmp = ownerOnlyTempFile(dir);
      try (OutputStream out = Files.newOutputStream(tmp)) {
        ks.store(out, storePassword);
      }
      publish(tmp, p12);
    } catch (FileAlreadyExistsException e) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY,
          "LMK keystore " + p12 + " already exists; refusing to overwrite it",
          e);
    } catch (IOException | GeneralSecurityException e) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY, "cannot write LMK keystore " + p12 + ": " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: after a link the keystore lives on under its real name; a leftover
          // temporary file holds the same password-protected keystore
        }
      }
    }
  }

  /**
   * Reads the LMK bytes (the caller wipes them).
   *
   * @throws HsmException BAD_KEY naming the file and what is wrong (missing, wrong password, no
   *     such entry, not a 16-byte secret key)
   */
  public static byte[] read(Path p12, char[] storePassword, String alias, char[] keyPassword) {
    requireArgs(p12, storePassword, alias, keyPassword);
    if (!Files.isRegularFile(p12)) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY, "LMK keystore " + p12 + " does not exist");
    }
    KeyStore ks;
    try (InputStream in = Files.newInputStream(p12)) {
      ks = KeyStore.getInstance(KEYSTORE_TYPE);
      ks.load(in, storePassword);
    } catch (IOException | GeneralSecurityException e) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY,
          "cannot open LMK keystore " + p12 + ": wrong store password or not a PKCS#12 file",
          e);
    }
    Key key;
    try {
      key = ks.getKey(alias, keyPassword);
    } catch (UnrecoverableKeyException e) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY,
          "cannot read entry '" + alias + "' of LMK keystore " + p12 + ": wrong key password",
          e);
    } catch (GeneralSecurityException e) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY,
          "cannot read entry '" + alias + "' of LMK keystore " + p12,
          e);
    }
    if (key == null) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY, "LMK keystore " + p12 + " has no key entry '" + alias + "'");
    }
    byte[] lmk = key.getEncoded();
    if (lmk == null || lmk.length != Lmk.LENGTH) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY,
          "entry '"
              + alias
              + "' of LMK keystore "
              + p12
              + " is not a 16-byte secret key (algorithm "
              + key.getAlgorithm()
              + ")");
    }
    return lmk;
  }

  private static void requireArgs(
      Path p12, char[] storePassword, String alias, char[] keyPassword) {
    if (p12 == null
        || storePassword == null
        || alias == null
        || alias.isBlank()
        || keyPassword == null) {
      throw new HsmException(
          HsmException.Reason.BAD_KEY,
          "an LMK keystore needs a path, a store password, an alias and a key password");
    }
  }

  private static Path ownerOnlyTempFile(Path dir) throws IOException {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      FileAttribute<?> ownerOnly =
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
      return Files.createTempFile(dir, ".lmk-", ".tmp", ownerOnly);
    }
    return Files.createTempFile(dir, ".lmk-", ".tmp");
  }

  /**
   * Atomically puts tmp at target unless target exists (a hard link fails if it does; rename would
   * not). The caller deletes the temporary name afterwards.
   */
  private static void publish(Path tmp, Path target) throws IOException {
    try {
      Files.createLink(target, tmp);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | FileSystemException e) {
      // no hard links here (some network and FAT file systems): a plain move, which also refuses to
      // replace
      Files.move(tmp, target);
    }
  }

  /**
   * Key ceremony helper: {@code java -cp security.jar:bcprov.jar org.posp.security.LmkKeystore
   * <file.p12> [alias]} generates a random LMK into a new keystore and prints its check value. The
   * password (used as store and key password) comes from {@code POSP_LMK_KEYSTORE_PASSWORD} or is
   * asked on the console.
   */
  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println(
          "usage: LmkKeystore <keystore.p12> [alias, default " + DEFAULT_ALIAS + "]");
      System.exit(2);
    }
    Path p12 = Path.of(args[0]);
    String alias = args.length == 2 ? args[1] : DEFAULT_ALIAS;
    char[] password = passwordFromEnvOrConsole();
    try {
      String kcv = create(p12, password, alias, password);
      System.out.println("LMK written to " + p12 + " (alias " + alias + "), check value " + kcv);
    } catch (HsmException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private static char[] passwordFromEnvOrConsole() {
    String env = System.getenv(LmkSource.ENV_KEYSTORE_PASSWORD);
    if (env != null && !env.isEmpty()) {
      return env.toCharArray();
    }
    Console console = System.console();
    if (console == null) {
      System.err.println("set " + LmkSource.ENV_KEYSTORE_PASSWORD + " or run on a terminal");
      System.exit(2);
    }
    char[] first = console.readPassword("keystore password: ");
    char[] second = console.readPassword("again: ");
    if (first == null || first.length < 8 || !Arrays.equals(first, second)) {
      System.err.println("passwords differ or are shorter than 8 characters");
      System.exit(2);
    }
    Arrays.fill(second, '\0');
    return first;
  }
}
