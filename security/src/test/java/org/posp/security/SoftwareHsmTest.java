package org.posp.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.security.CupCryptoTest.MAC1_TAK;
import static org.posp.security.CupCryptoTest.MAC2_MAB;
import static org.posp.security.CupCryptoTest.MAC2_TAK;
import static org.posp.security.CupCryptoTest.MAC2_TMK;
import static org.posp.security.CupCryptoTest.ascii;
import static org.posp.security.CupCryptoTest.h;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.posp.security.HsmException.Reason;

/**
 * {@link SoftwareHsm} through the {@link Hsm} API only: clear keys exist only on the test's side
 * (the terminal's part), and results are checked with {@link CupCrypto} on them.
 */
class SoftwareHsmTest {

  /** A single-length TMK for scheme 001 (odd parity, not weak). */
  static final String TMK_8 = "1C587F1C13924FEF";

  static final String PAN = "6222021234567890128";

  private final Hsm hsm = SoftwareHsm.fromHex(CupCrypto.hex(LmkKeystore.generateLmk()));

  @Test
  void importedClearTmkHasItsCheckValueAndNoClearKeyInTheRecord() {
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, h(MAC2_TMK));
    assertEquals(KeyType.TMK, tmk.type());
    assertEquals(CupCrypto.checkValueHex(h(MAC2_TMK)), tmk.checkValue());
    assertEquals(tmk.checkValue(), hsm.checkValue(tmk));
    assertEquals(32, tmk.cryptogramHex().length());
    assertFalse(tmk.cryptogramHex().contains(MAC2_TMK.substring(0, 16)));
    assertFalse(tmk.cryptogramHex().contains(MAC2_TMK.substring(16)));
    String shown = tmk.toString();
    assertFalse(shown.contains(tmk.cryptogramHex()), shown);
    assertTrue(shown.contains(tmk.checkValue()), shown);
  }

  @Test
  void publishedMacVectorsThroughTheHsm() {
    LmkKey tak2 = hsm.importClearKey(KeyType.MAK, h(MAC2_TAK));
    assertEquals("0547DB3E", tak2.checkValue());
    assertEquals("8A9E91B8", ascii(hsm.generateMac(tak2, h(MAC2_MAB))));
    assertTrue(hsm.verifyMac(tak2, h(MAC2_MAB), "8A9E91B8".getBytes()));
    assertFalse(hsm.verifyMac(tak2, h(MAC2_MAB), "8A9E91B9".getBytes()));
    assertFalse(hsm.verifyMac(tak2, h(MAC2_MAB), "8A9E91B".getBytes()));
    assertFalse(hsm.verifyMac(tak2, h(MAC2_MAB), null));

    LmkKey tak1 = hsm.importClearKey(KeyType.MAK, h(MAC1_TAK + MAC1_TAK));
    assertEquals("B3A092AE", ascii(hsm.generateMac(tak1, CupCryptoTest.mac1Mab())));
  }

  @Test
  void keyLengthsAreCheckedPerType() {
    assertReason(Reason.BAD_KEY, () -> hsm.importClearKey(KeyType.MAK, h(MAC2_TMK + MAC2_TAK)));
    assertReason(Reason.BAD_KEY, () -> hsm.importClearKey(KeyType.TDK, h(MAC2_TAK)));
    assertReason(
        Reason.BAD_KEY, () -> hsm.importClearKey(KeyType.PIK, h("0011223344556677889900")));
    assertReason(Reason.BAD_KEY, () -> hsm.importClearKey(KeyType.TMK, h(MAC2_TMK + MAC2_TAK)));
    assertEquals(KeyType.ZPK, hsm.importClearKey(KeyType.ZPK, h(MAC2_TAK)).type());
    assertEquals(KeyType.TDK, hsm.importClearKey(KeyType.TDK, h(MAC2_TMK)).type());
  }

  @Test
  void x919MacOfThePublishedVectorThroughTheHsm() {
    // ISO/IEC 9797-1:2011 Annex B.4 (MAC algorithm 3, padding method 1): K = 0123456789ABCDEF, K' =
    // FEDCBA9876543210
    LmkKey mak = hsm.importClearKey(KeyType.MAK, h(CupCryptoTest.X919_KEY));
    byte[] data = "Now is the time for all ".getBytes(StandardCharsets.US_ASCII);
    assertEquals("A1C72E74", ascii(hsm.generateMac(mak, MacAlgorithm.X919, data)));
    assertTrue(
        hsm.verifyMac(
            mak, MacAlgorithm.X919, data, "A1C72E74".getBytes(StandardCharsets.US_ASCII)));
    assertFalse(
        hsm.verifyMac(
            mak, MacAlgorithm.X919, data, "A1C72E75".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(
        "2E2B1428",
        ascii(
            hsm.generateMac(
                mak,
                MacAlgorithm.X919,
                "Now is the time for it".getBytes(StandardCharsets.US_ASCII))));
    // the same record under the CUP ECB MAC is another MAC: the algorithm, not the key, decides
    assertFalse(
        Arrays.equals(
            hsm.generateMac(mak, MacAlgorithm.CUP_ECB, data),
            hsm.generateMac(mak, MacAlgorithm.X919, data)));
  }

  @Test
  void x919RefusesASingleDesMakAndScheme001() {
    LmkKey single = hsm.importClearKey(KeyType.MAK, h(MAC2_TAK));
    assertReason(Reason.BAD_KEY, () -> hsm.generateMac(single, MacAlgorithm.X919, h(MAC2_MAB)));
    LmkKey equalHalves = hsm.importClearKey(KeyType.MAK, h(MAC2_TAK + MAC2_TAK));
    assertReason(
        Reason.BAD_KEY,
        () -> hsm.verifyMac(equalHalves, MacAlgorithm.X919, h(MAC2_MAB), new byte[8]));
    LmkKey tmk8 = hsm.importClearKey(KeyType.TMK, h(TMK_8));
    assertReason(
        Reason.BAD_KEY,
        () -> hsm.generateWorkingKeys(tmk8, KeyScheme.SINGLE_DES, MacAlgorithm.X919));
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyScheme.class,
      names = {"DOUBLE_LENGTH", "DOUBLE_LENGTH_WITH_TDK"})
  void x919WorkingKeysCarryADoubleLengthMakInTheWholeMakSlot(KeyScheme scheme) {
    byte[] clearTmk = h(MAC2_TMK);
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, clearTmk);
    WorkingKeys keys = hsm.generateWorkingKeys(tmk, scheme, MacAlgorithm.X919);
    byte[] block = keys.keyBlock();
    assertEquals(scheme.keyBlockLength(), block.length);
    // by hand: E(MAK 16) at 20..36 under the 3DES TMK, then the check value of the 16-byte key
    byte[] mak = CupCrypto.ecbDecrypt(clearTmk, Arrays.copyOfRange(block, 20, 36));
    assertFalse(Arrays.equals(mak, 0, 8, mak, 8, 16), "the MAK halves differ");
    assertTrue(CupCrypto.hasOddParity(mak));
    assertEquals(CupCrypto.checkValueHex(mak), CupCrypto.hex(Arrays.copyOfRange(block, 36, 40)));
    assertEquals(CupCrypto.checkValueHex(mak), keys.mak().checkValue());
    assertEquals(32, keys.mak().cryptogramHex().length());
    assertArrayEquals(mak, SignOnKeyBlock.open(scheme, clearTmk, block, MacAlgorithm.X919).mak());
    // a CUP ECB terminal would refuse this block (the MAK slot's filler is not zero)
    assertThrows(
        IllegalArgumentException.class, () -> SignOnKeyBlock.open(scheme, clearTmk, block));
    // the HSM's X9.19 MAC is the retail MAC of the clear key, and exporting gives the same block
    // again
    byte[] mab = h(MAC2_MAB);
    byte[] expected =
        Arrays.copyOf(
            CupCrypto.hex(CupCrypto.retailMac(mak, mab)).getBytes(StandardCharsets.US_ASCII), 8);
    assertArrayEquals(expected, hsm.generateMac(keys.mak(), MacAlgorithm.X919, mab));
    assertArrayEquals(block, hsm.exportKeyBlock(tmk, scheme, keys.pik(), keys.mak(), keys.tdk()));
  }

  @ParameterizedTest
  @EnumSource(KeyScheme.class)
  void workingKeyBlockDecryptsUnderTheClearTmkAsTheProtocolSays(KeyScheme scheme) {
    byte[] clearTmk = h(scheme == KeyScheme.SINGLE_DES ? TMK_8 : MAC2_TMK);
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, clearTmk);
    WorkingKeys keys = hsm.generateWorkingKeys(tmk, scheme);
    byte[] block = keys.keyBlock();
    assertEquals(scheme, keys.scheme());
    assertEquals(scheme.keyBlockLength(), block.length);
    assertEquals(
        switch (scheme) {
          case SINGLE_DES -> 24;
          case DOUBLE_LENGTH -> 40;
          case DOUBLE_LENGTH_WITH_TDK -> 60;
        },
        block.length);

    // the layout, parsed here by hand with the clear TMK
    int pikLength = scheme == KeyScheme.SINGLE_DES ? 8 : 16;
    byte[] pik = CupCrypto.ecbDecrypt(clearTmk, Arrays.copyOfRange(block, 0, pikLength));
    int off = pikLength;
    assertEquals(
        CupCrypto.checkValueHex(pik), CupCrypto.hex(Arrays.copyOfRange(block, off, off + 4)));
    off += 4;
    byte[] mak = CupCrypto.ecbDecrypt(clearTmk, Arrays.copyOfRange(block, off, off + 8));
    off += 8;
    if (scheme != KeyScheme.SINGLE_DES) {
      assertEquals("0000000000000000", CupCrypto.hex(Arrays.copyOfRange(block, off, off + 8)));
      off += 8;
    }
    assertEquals(
        CupCrypto.checkValueHex(mak), CupCrypto.hex(Arrays.copyOfRange(block, off, off + 4)));
    off += 4;
    byte[] tdk = null;
    if (scheme == KeyScheme.DOUBLE_LENGTH_WITH_TDK) {
      tdk = CupCrypto.ecbDecrypt(clearTmk, Arrays.copyOfRange(block, off, off + 16));
      off += 16;
      assertEquals(
          CupCrypto.checkValueHex(tdk), CupCrypto.hex(Arrays.copyOfRange(block, off, off + 4)));
      off += 4;
    }
    assertEquals(block.length, off);

    // the LMK copies are the same keys
    assertEquals(CupCrypto.checkValueHex(pik), keys.pik().checkValue());
    assertEquals(CupCrypto.checkValueHex(mak), keys.mak().checkValue());
    assertEquals(KeyType.PIK, keys.pik().type());
    assertEquals(KeyType.MAK, keys.mak().type());
    if (tdk == null) {
      assertNull(keys.tdk());
    } else {
      assertEquals(KeyType.TDK, keys.tdk().type());
      assertEquals(CupCrypto.checkValueHex(tdk), keys.tdk().checkValue());
      assertEquals(keys.tdk().checkValue(), hsm.checkValue(keys.tdk()));
    }

    // key hygiene
    for (byte[] key : tdk == null ? new byte[][] {pik, mak} : new byte[][] {pik, mak, tdk}) {
      assertTrue(CupCrypto.hasOddParity(key));
      assertFalse(CupCrypto.isWeakKey(key));
    }

    // the HSM's MAC with the returned MAK is the terminal's MAC with the clear MAK
    byte[] mab = h(MAC2_MAB);
    assertArrayEquals(CupCrypto.cupMac(mak, mab), hsm.generateMac(keys.mak(), mab));
    assertTrue(hsm.verifyMac(keys.mak(), mab, CupCrypto.cupMac(mak, mab)));

    // SignOnKeyBlock.open (the terminal simulator's way) agrees with the hand parse
    SignOnKeyBlock.ClearWorkingKeys opened = SignOnKeyBlock.open(scheme, clearTmk, block);
    assertArrayEquals(pik, opened.pik());
    assertArrayEquals(mak, opened.mak());
    assertArrayEquals(tdk, opened.tdk());
    assertFalse(opened.toString().contains(CupCrypto.hex(pik)));

    // a PIN entered on the terminal translates to the ZPK
    byte[] clearZpk = h("4A2C1A0D9E8F7031B5E6D0C1F2A34B5D");
    LmkKey zpk = hsm.importClearKey(KeyType.ZPK, clearZpk);
    byte[] clearBlock = CupCrypto.pinBlockFormat0("8642", PAN);
    byte[] translated =
        hsm.translatePin(keys.pik(), zpk, CupCrypto.ecbEncrypt(pik, clearBlock), PAN);
    assertArrayEquals(clearBlock, CupCrypto.ecbDecrypt(clearZpk, translated));
    assertEquals(
        "8642", CupCrypto.parsePinBlockFormat0(CupCrypto.ecbDecrypt(clearZpk, translated), PAN));
  }

  @Test
  void everySignOnGetsNewKeys() {
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, h(MAC2_TMK));
    WorkingKeys a = hsm.generateWorkingKeys(tmk, KeyScheme.DOUBLE_LENGTH_WITH_TDK);
    WorkingKeys b = hsm.generateWorkingKeys(tmk, KeyScheme.DOUBLE_LENGTH_WITH_TDK);
    assertFalse(Arrays.equals(a.keyBlock(), b.keyBlock()));
    assertNotEquals(a.pik().checkValue(), b.pik().checkValue());
    assertNotEquals(a.mak().checkValue(), b.mak().checkValue());
    assertNotEquals(a.tdk().checkValue(), b.tdk().checkValue());
    SignOnKeyBlock.ClearWorkingKeys keys =
        SignOnKeyBlock.open(
            KeyScheme.DOUBLE_LENGTH,
            h(MAC2_TMK),
            hsm.generateWorkingKeys(tmk, KeyScheme.DOUBLE_LENGTH).keyBlock());
    assertFalse(
        Arrays.equals(keys.pik(), 0, 8, keys.pik(), 8, 16), "double-length PIK halves differ");
  }

  @Test
  void tmkLengthMustFitTheScheme() {
    LmkKey single = hsm.importClearKey(KeyType.TMK, h(TMK_8));
    LmkKey dbl = hsm.importClearKey(KeyType.TMK, h(MAC2_TMK));
    assertReason(Reason.BAD_KEY, () -> hsm.generateWorkingKeys(dbl, KeyScheme.SINGLE_DES));
    assertReason(Reason.BAD_KEY, () -> hsm.generateWorkingKeys(single, KeyScheme.DOUBLE_LENGTH));
    assertReason(
        Reason.BAD_KEY, () -> hsm.generateWorkingKeys(single, KeyScheme.DOUBLE_LENGTH_WITH_TDK));
  }

  @Test
  void singleDesPinTranslatesToSingleDesZpk() {
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, h(TMK_8));
    WorkingKeys keys = hsm.generateWorkingKeys(tmk, KeyScheme.SINGLE_DES);
    byte[] pik = SignOnKeyBlock.open(KeyScheme.SINGLE_DES, h(TMK_8), keys.keyBlock()).pik();
    assertEquals(8, pik.length);
    byte[] clearZpk = h("6D3B5E9B0E46A2C7");
    LmkKey zpk = hsm.importClearKey(KeyType.ZPK, clearZpk);
    byte[] clearBlock = CupCrypto.pinBlockFormat0("123456789012", PAN);
    byte[] out = hsm.translatePin(keys.pik(), zpk, CupCrypto.ecbEncrypt(pik, clearBlock), PAN);
    assertArrayEquals(clearBlock, CupCrypto.ecbDecrypt(clearZpk, out));
  }

  @Test
  void badPinBlocksAreRefusedWithPinFormat() {
    byte[] clearPik = h("5B3D8C1F6E2A4970C4E3A1B6D9F08E2F");
    LmkKey pik = hsm.importClearKey(KeyType.PIK, clearPik);
    LmkKey zpk = hsm.importClearKey(KeyType.ZPK, h("4A2C1A0D9E8F7031B5E6D0C1F2A34B5D"));
    byte[] good = CupCrypto.ecbEncrypt(clearPik, CupCrypto.pinBlockFormat0("1234", PAN));
    assertEquals(8, hsm.translatePin(pik, zpk, good, PAN).length);

    // a block for another PAN, a PIN of 3 digits, a non-digit, bad padding, a format 1 block
    assertReason(Reason.PIN_FORMAT, () -> hsm.translatePin(pik, zpk, good, "6222021234567890136"));
    for (String pinField :
        new String[] {
          "03123FFFFFFFFFFF", "0412A4FFFFFFFFFF", "041234FFFFFFFF0F", "141234FFFFFFFFFF"
        }) {
      byte[] bad =
          CupCrypto.ecbEncrypt(clearPik, CupCrypto.xor(h(pinField), CupCrypto.panField(PAN)));
      HsmException e = assertReason(Reason.PIN_FORMAT, () -> hsm.translatePin(pik, zpk, bad, PAN));
      assertFalse(e.getMessage().contains(PAN), "no PAN in messages");
    }
    assertReason(Reason.PIN_FORMAT, () -> hsm.translatePin(pik, zpk, Arrays.copyOf(good, 7), PAN));
    assertReason(Reason.PIN_FORMAT, () -> hsm.translatePin(pik, zpk, good, "62220212345"));
    assertReason(Reason.PIN_FORMAT, () -> hsm.translatePin(pik, zpk, good, "6222021234567890=12"));
  }

  @Test
  void keysAreOnlyUsedForTheirType() {
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, h(MAC2_TMK));
    WorkingKeys keys = hsm.generateWorkingKeys(tmk, KeyScheme.DOUBLE_LENGTH);
    LmkKey zpk = hsm.importClearKey(KeyType.ZPK, h("4A2C1A0D9E8F7031B5E6D0C1F2A34B5D"));
    byte[] block = new byte[8];
    HsmException e =
        assertReason(Reason.WRONG_KEY_TYPE, () -> hsm.generateMac(keys.pik(), h(MAC2_MAB)));
    assertFalse(e.getMessage().contains(keys.pik().cryptogramHex()), e.getMessage());
    assertReason(Reason.WRONG_KEY_TYPE, () -> hsm.verifyMac(tmk, h(MAC2_MAB), new byte[8]));
    assertReason(Reason.WRONG_KEY_TYPE, () -> hsm.translatePin(keys.mak(), zpk, block, PAN));
    assertReason(Reason.WRONG_KEY_TYPE, () -> hsm.translatePin(keys.pik(), keys.pik(), block, PAN));
    assertReason(
        Reason.WRONG_KEY_TYPE, () -> hsm.generateWorkingKeys(zpk, KeyScheme.DOUBLE_LENGTH));
  }

  @Test
  void aCryptogramRelabelledAsAnotherTypeOrCutInHalfIsRefused() {
    byte[] clearPik = h("5B3D8C1F6E2A4970C4E3A1B6D9F08E2F");
    LmkKey pik = hsm.importClearKey(KeyType.PIK, clearPik);
    byte[] clearMak = h(MAC2_TAK);
    LmkKey mak = hsm.importClearKey(KeyType.MAK, clearMak);
    // a MAK cryptogram presented as a PIK with the MAK's own check value
    LmkKey makAsPik = new LmkKey(KeyType.PIK, mak.cryptogramHex(), mak.checkValue());
    LmkKey zpk = hsm.importClearKey(KeyType.ZPK, h("4A2C1A0D9E8F7031B5E6D0C1F2A34B5D"));
    assertReason(
        Reason.CHECK_VALUE_MISMATCH,
        () ->
            hsm.translatePin(
                makAsPik,
                zpk,
                CupCrypto.ecbEncrypt(clearMak, CupCrypto.pinBlockFormat0("1234", PAN)),
                PAN));
    // the left half of a double-length PIK as a single-length PIK with that half's check value
    LmkKey half =
        new LmkKey(
            KeyType.PIK,
            pik.cryptogramHex().substring(0, 16),
            CupCrypto.checkValueHex(Arrays.copyOf(clearPik, 8)));
    assertReason(
        Reason.CHECK_VALUE_MISMATCH,
        () ->
            hsm.translatePin(
                half,
                zpk,
                CupCrypto.ecbEncrypt(
                    Arrays.copyOf(clearPik, 8), CupCrypto.pinBlockFormat0("1234", PAN)),
                PAN));
    // a damaged record
    LmkKey damaged =
        new LmkKey(KeyType.MAK, flipFirstHexDigit(mak.cryptogramHex()), mak.checkValue());
    assertReason(Reason.CHECK_VALUE_MISMATCH, () -> hsm.generateMac(damaged, h(MAC2_MAB)));
    assertNotEquals(mak.checkValue(), hsm.checkValue(damaged));
    assertReason(
        Reason.BAD_KEY,
        () -> hsm.generateMac(new LmkKey(KeyType.MAK, "XYZ", "00000000"), h(MAC2_MAB)));
  }

  @Test
  void importLmkKeyChecksTheCheckValue() {
    LmkKey zpk = hsm.importClearKey(KeyType.ZPK, h("4A2C1A0D9E8F7031B5E6D0C1F2A34B5D"));
    assertEquals(zpk, hsm.importLmkKey(KeyType.ZPK, zpk.cryptogramHex(), zpk.checkValue()));
    assertEquals(
        zpk,
        hsm.importLmkKey(
            KeyType.ZPK, zpk.cryptogramHex().toLowerCase(), zpk.checkValue().toLowerCase()));
    assertEquals(
        zpk, hsm.importLmkKey(KeyType.ZPK, zpk.cryptogramHex(), zpk.checkValue().substring(0, 6)));
    String wrong = flipFirstHexDigit(zpk.checkValue());
    HsmException e =
        assertReason(
            Reason.CHECK_VALUE_MISMATCH,
            () -> hsm.importLmkKey(KeyType.ZPK, zpk.cryptogramHex(), wrong));
    assertFalse(e.getMessage().contains(zpk.cryptogramHex()));
    // the same cryptogram under another type's variant, or under another LMK, does not match
    assertReason(
        Reason.CHECK_VALUE_MISMATCH,
        () -> hsm.importLmkKey(KeyType.PIK, zpk.cryptogramHex(), zpk.checkValue()));
    Hsm other = SoftwareHsm.fromHex(CupCrypto.hex(LmkKeystore.generateLmk()));
    assertReason(
        Reason.CHECK_VALUE_MISMATCH,
        () -> other.importLmkKey(KeyType.ZPK, zpk.cryptogramHex(), zpk.checkValue()));
    assertReason(Reason.BAD_KEY, () -> hsm.importLmkKey(KeyType.ZPK, zpk.cryptogramHex(), "123"));
    assertReason(Reason.BAD_KEY, () -> hsm.importLmkKey(KeyType.ZPK, "0011", zpk.checkValue()));
  }

  @Test
  void lmkKeysWorkOnlyWithTheirLmk() {
    LmkKey mak = hsm.importClearKey(KeyType.MAK, h(MAC2_TAK));
    Hsm other = SoftwareHsm.fromHex(CupCrypto.hex(LmkKeystore.generateLmk()));
    assertReason(Reason.CHECK_VALUE_MISMATCH, () -> other.generateMac(mak, h(MAC2_MAB)));
  }

  @Test
  void encryptDataRoundTripsAndRefusesForeignOrTamperedCryptograms() {
    byte[] pan = PAN.getBytes();
    String c1 = hsm.encryptData(pan);
    String c2 = hsm.encryptData(pan);
    assertNotEquals(c1, c2, "random IV");
    assertFalse(c1.contains(PAN));
    assertArrayEquals(pan, hsm.decryptData(c1));
    assertArrayEquals(pan, hsm.decryptData(c2));
    assertArrayEquals(new byte[0], hsm.decryptData(hsm.encryptData(new byte[0])));

    Hsm other = SoftwareHsm.fromHex(CupCrypto.hex(LmkKeystore.generateLmk()));
    assertReason(Reason.BAD_DATA, () -> other.decryptData(c1));
    byte[] raw = Base64.getDecoder().decode(c1);
    raw[raw.length - 1] ^= 1;
    assertReason(Reason.BAD_DATA, () -> hsm.decryptData(Base64.getEncoder().encodeToString(raw)));
    assertReason(Reason.BAD_DATA, () -> hsm.decryptData("not base64 !"));
    assertReason(Reason.BAD_DATA, () -> hsm.decryptData("AQID"));
    assertReason(Reason.BAD_DATA, () -> hsm.decryptData(null));
  }

  @Test
  void keyedHashIsStablePerLmkAndDiffersPerInput() {
    String a = hsm.keyedHash(PAN.getBytes());
    assertEquals(64, a.length());
    assertTrue(a.matches("[0-9A-F]{64}"));
    assertEquals(a, hsm.keyedHash(PAN.getBytes()));
    assertNotEquals(a, hsm.keyedHash("6222021234567890136".getBytes()));
    Hsm other = SoftwareHsm.fromHex(CupCrypto.hex(LmkKeystore.generateLmk()));
    assertNotEquals(a, other.keyedHash(PAN.getBytes()), "keyed by the LMK");
  }

  static String flipFirstHexDigit(String hex) {
    char c = hex.charAt(0);
    return (c == '0' ? '1' : '0') + hex.substring(1);
  }

  static HsmException assertReason(Reason reason, Executable call) {
    HsmException e = assertThrows(HsmException.class, call);
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }
}
