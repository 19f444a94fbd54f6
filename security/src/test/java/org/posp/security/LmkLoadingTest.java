package org.posp.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.security.CupCryptoTest.MAC2_MAB;
import static org.posp.security.CupCryptoTest.MAC2_TAK;
import static org.posp.security.CupCryptoTest.h;
import static org.posp.security.SoftwareHsmTest.assertReason;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.security.HsmException.Reason;
import org.slf4j.LoggerFactory;

/**
 * Where the LMK comes from: hex, PKCS#12 keystore, demo file, and the selector over the
 * environment.
 */
class LmkLoadingTest {

  /** 16 or more hex digits in a row would be key material (a check value is 8). */
  private static final Pattern KEY_LIKE = Pattern.compile("[0-9A-Fa-f]{16,}");

  @TempDir Path dir;

  private final Logger hsmLogger = (Logger) LoggerFactory.getLogger(SoftwareHsm.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    hsmLogger.addAppender(logs);
  }

  @AfterEach
  void stopCapture() {
    hsmLogger.detachAppender(logs);
    logs.stop();
  }

  @Test
  void keystoreRoundTripGivesTheSameLmk() {
    byte[] lmk = LmkKeystore.generateLmk();
    Path p12 = dir.resolve("lmk.p12");
    LmkKeystore.write(p12, "store-pass".toCharArray(), "lmk", "key-pass".toCharArray(), lmk);
    assertArrayEquals(
        lmk, LmkKeystore.read(p12, "store-pass".toCharArray(), "lmk", "key-pass".toCharArray()));

    SoftwareHsm fromFile =
        SoftwareHsm.fromKeystore(p12, "store-pass".toCharArray(), "lmk", "key-pass".toCharArray());
    SoftwareHsm fromHex = SoftwareHsm.fromHex(CupCrypto.hex(lmk));
    assertEquals(CupCrypto.checkValueHex(lmk), fromFile.lmkCheckValue());
    // a key stored by one works in the other: same LMK
    LmkKey mak = fromHex.importClearKey(KeyType.MAK, h(MAC2_TAK));
    assertEquals("8A9E91B8", CupCryptoTest.ascii(fromFile.generateMac(mak, h(MAC2_MAB))));
    assertEquals(fromHex.keyedHash(new byte[] {1, 2}), fromFile.keyedHash(new byte[] {1, 2}));
    assertArrayEquals(new byte[] {7}, fromFile.decryptData(fromHex.encryptData(new byte[] {7})));
  }

  @Test
  void keystoreProblemsAreNamed() {
    Path p12 = dir.resolve("lmk.p12");
    String kcv =
        LmkKeystore.create(p12, "store-pass".toCharArray(), "lmk", "store-pass".toCharArray());
    assertEquals(
        kcv,
        SoftwareHsm.fromKeystore(p12, "store-pass".toCharArray(), "lmk", "store-pass".toCharArray())
            .lmkCheckValue());
    assertReason(
        Reason.BAD_KEY,
        () ->
            SoftwareHsm.fromKeystore(
                p12, "wrong".toCharArray(), "lmk", "store-pass".toCharArray()));
    assertReason(
        Reason.BAD_KEY,
        () ->
            SoftwareHsm.fromKeystore(
                p12, "store-pass".toCharArray(), "lmk", "wrong".toCharArray()));
    HsmException noAlias =
        assertReason(
            Reason.BAD_KEY,
            () ->
                SoftwareHsm.fromKeystore(
                    p12, "store-pass".toCharArray(), "other", "store-pass".toCharArray()));
    assertTrue(noAlias.getMessage().contains("other"), noAlias.getMessage());
    HsmException missing =
        assertReason(
            Reason.BAD_KEY,
            () ->
                SoftwareHsm.fromKeystore(
                    dir.resolve("none.p12"), "x".toCharArray(), "lmk", "x".toCharArray()));
    assertTrue(missing.getMessage().contains("none.p12"), missing.getMessage());
    HsmException exists =
        assertReason(
            Reason.BAD_KEY,
            () ->
                LmkKeystore.create(
                    p12, "store-pass".toCharArray(), "lmk", "store-pass".toCharArray()));
    assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
    assertEquals(
        kcv,
        SoftwareHsm.fromKeystore(p12, "store-pass".toCharArray(), "lmk", "store-pass".toCharArray())
            .lmkCheckValue(),
        "a refused create leaves the keystore as it was");
  }

  @Test
  void demoLmkIsPersistedAndReloadedWithAWarning() throws Exception {
    SoftwareHsm first = SoftwareHsm.demo(dir);
    Path p12 = dir.resolve("demo-lmk.p12");
    assertTrue(Files.isRegularFile(p12));
    if (p12.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p12)));
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of(p12), files.toList(), "no temporary file left behind");
    }
    LmkKey mak = first.importClearKey(KeyType.MAK, h(MAC2_TAK));
    LmkKey tmk = first.importClearKey(KeyType.TMK, h(CupCryptoTest.MAC2_TMK));
    String hash = first.keyedHash(new byte[] {42});

    SoftwareHsm second = SoftwareHsm.demo(dir);
    assertEquals(first.lmkCheckValue(), second.lmkCheckValue());
    assertEquals(mak.checkValue(), second.checkValue(mak));
    assertEquals(tmk.checkValue(), second.checkValue(tmk));
    assertEquals("8A9E91B8", CupCryptoTest.ascii(second.generateMac(mak, h(MAC2_MAB))));
    assertEquals(hash, second.keyedHash(new byte[] {42}));

    List<String> warnings =
        logs.list.stream()
            .filter(e -> e.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("DEMO LMK generated"), warnings.get(0));
    assertTrue(warnings.get(1).contains("DEMO LMK loaded"), warnings.get(1));
    for (String w : warnings) {
      assertTrue(w.contains("NOT FOR PRODUCTION"), w);
      assertTrue(w.contains(first.lmkCheckValue()), w);
      assertFalse(KEY_LIKE.matcher(w.replace(dir.toAbsolutePath().toString(), "")).find(), w);
    }
  }

  @Test
  void nodesStartingTogetherAgreeOnOneDemoLmk() throws Exception {
    Path shared = dir.resolve("shared");
    int nodes = 6;
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> kcvs = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        kcvs.add(
            pool.submit(
                () -> {
                  start.await();
                  return SoftwareHsm.demo(shared).lmkCheckValue();
                }));
      }
      start.countDown();
      Set<String> distinct = new HashSet<>();
      for (Future<String> f : kcvs) {
        distinct.add(f.get(30, TimeUnit.SECONDS));
      }
      assertEquals(Set.of(SoftwareHsm.demo(shared).lmkCheckValue()), distinct);
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
    try (var files = Files.list(shared)) {
      assertEquals(
          List.of(shared.resolve("demo-lmk.p12")), files.toList(), "no temporary file left behind");
    }
  }

  @Test
  void demoLmkDiffersPerDataDirectory() {
    assertNotEquals(
        SoftwareHsm.demo(dir.resolve("a")).lmkCheckValue(),
        SoftwareHsm.demo(dir.resolve("b")).lmkCheckValue());
  }

  @Test
  void selectorPrefersHexThenKeystoreThenDemo() {
    byte[] hexLmk = LmkKeystore.generateLmk();
    Path p12 = dir.resolve("lmk.p12");
    String fileKcv =
        LmkKeystore.create(p12, "pw-12345".toCharArray(), "node-lmk", "pw-12345".toCharArray());
    Path demoDir = dir.resolve("demo");

    Map<String, String> both =
        Map.of(
            LmkSource.ENV_LMK,
            CupCrypto.hex(hexLmk),
            LmkSource.ENV_KEYSTORE,
            p12.toString(),
            LmkSource.ENV_KEYSTORE_PASSWORD,
            "pw-12345",
            LmkSource.ENV_KEYSTORE_ALIAS,
            "node-lmk");
    assertEquals(
        CupCrypto.checkValueHex(hexLmk),
        SoftwareHsm.load(LmkSource.fromEnvironment(both, demoDir, true)).lmkCheckValue());

    Map<String, String> keystore =
        Map.of(
            LmkSource.ENV_LMK,
            " ",
            LmkSource.ENV_KEYSTORE,
            p12.toString(),
            LmkSource.ENV_KEYSTORE_PASSWORD,
            "pw-12345",
            LmkSource.ENV_KEYSTORE_ALIAS,
            "node-lmk");
    assertEquals(
        fileKcv,
        SoftwareHsm.load(LmkSource.fromEnvironment(keystore, demoDir, true)).lmkCheckValue());
    assertFalse(
        Files.exists(demoDir.resolve("demo-lmk.p12")), "no demo LMK when a real one is configured");

    HsmException noPassword =
        assertReason(
            Reason.BAD_KEY,
            () ->
                SoftwareHsm.load(
                    LmkSource.fromEnvironment(
                        Map.of(LmkSource.ENV_KEYSTORE, p12.toString()), demoDir, true)));
    assertTrue(
        noPassword.getMessage().contains(LmkSource.ENV_KEYSTORE_PASSWORD), noPassword.getMessage());

    HsmException nothing =
        assertReason(
            Reason.BAD_KEY,
            () -> SoftwareHsm.load(LmkSource.fromEnvironment(Map.of(), demoDir, false)));
    assertTrue(nothing.getMessage().contains(LmkSource.ENV_LMK), nothing.getMessage());
    assertFalse(Files.exists(demoDir.resolve("demo-lmk.p12")));

    SoftwareHsm demo = SoftwareHsm.load(LmkSource.fromEnvironment(Map.of(), demoDir, true));
    assertTrue(Files.exists(demoDir.resolve("demo-lmk.p12")));
    assertEquals(demo.lmkCheckValue(), SoftwareHsm.demo(demoDir).lmkCheckValue());

    LmkSource shown = LmkSource.fromEnvironment(both, demoDir, true);
    assertFalse(shown.toString().contains(CupCrypto.hex(hexLmk)), shown.toString());
    assertFalse(shown.toString().contains("pw-12345"), shown.toString());
  }

  @Test
  void badLmkValuesAreRefusedWithoutEchoingThem() {
    String notHex = "G123456789ABCDEF0123456789ABCDEF";
    HsmException e = assertReason(Reason.BAD_KEY, () -> SoftwareHsm.fromHex(notHex));
    assertFalse(e.getMessage().contains(notHex), e.getMessage());
    assertReason(Reason.BAD_KEY, () -> SoftwareHsm.fromHex("0123456789ABCDEF"));
    assertReason(Reason.BAD_KEY, () -> SoftwareHsm.fromHex(null));
    String equalHalves = "0123456789ABCDEF0123456789ABCDEF";
    HsmException weak = assertReason(Reason.BAD_KEY, () -> SoftwareHsm.fromHex(equalHalves));
    assertFalse(weak.getMessage().contains(equalHalves));
    assertReason(Reason.BAD_KEY, () -> SoftwareHsm.fromHex("0101010101010101FEDCBA9876543210"));
    assertReason(
        Reason.BAD_KEY,
        () ->
            SoftwareHsm.load(
                LmkSource.fromEnvironment(Map.of(LmkSource.ENV_LMK, "abc"), dir, true)));
  }

  @Test
  void generatedLmksAreStrong() {
    for (int i = 0; i < 50; i++) {
      byte[] lmk = LmkKeystore.generateLmk();
      assertEquals(16, lmk.length);
      assertTrue(CupCrypto.hasOddParity(lmk));
      assertFalse(CupCrypto.isWeakKey(lmk));
    }
  }
}
