package org.posp.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One SoftwareHsm used from many threads at once gives the same results as the clear-key
 * computation.
 */
class SoftwareHsmConcurrencyTest {

  @Test
  void parallelSignOnsMacsAndPinTranslationsAreCorrect() throws Exception {
    Hsm hsm = SoftwareHsm.fromHex(CupCrypto.hex(LmkKeystore.generateLmk()));
    byte[] clearTmk = CupCryptoTest.h(CupCryptoTest.MAC2_TMK);
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, clearTmk);
    byte[] clearZpk = CupCryptoTest.h("4A2C1A0D9E8F7031B5E6D0C1F2A34B5D");
    LmkKey zpk = hsm.importClearKey(KeyType.ZPK, clearZpk);
    String pan = "6222021234567890128";
    int threads = 8;
    int rounds = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int checked = 0;
                  for (int i = 0; i < rounds; i++) {
                    WorkingKeys keys = hsm.generateWorkingKeys(tmk, KeyScheme.DOUBLE_LENGTH);
                    SignOnKeyBlock.ClearWorkingKeys clear =
                        SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH, clearTmk, keys.keyBlock());
                    byte[] mab = ("message " + seed + "/" + i).getBytes();
                    assertArrayEquals(
                        CupCrypto.cupMac(clear.mak(), mab), hsm.generateMac(keys.mak(), mab));
                    String pin = String.format("%06d", (seed * 1000 + i) % 1_000_000);
                    byte[] block =
                        CupCrypto.ecbEncrypt(clear.pik(), CupCrypto.pinBlockFormat0(pin, pan));
                    byte[] out = hsm.translatePin(keys.pik(), zpk, block, pan);
                    assertEquals(
                        pin,
                        CupCrypto.parsePinBlockFormat0(CupCrypto.ecbDecrypt(clearZpk, out), pan));
                    byte[] data = mab.clone();
                    assertArrayEquals(data, hsm.decryptData(hsm.encryptData(data)));
                    checked++;
                  }
                  return checked;
                }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      assertEquals(threads * rounds, total);
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
  }
}
