package org.posp.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.macs.ISO9797Alg3Mac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Published vectors of docs/protocol/terminal.md §13.7 (copied here: the build must not read
 * ../shared).
 */
class CupCryptoTest {

  /** MAC 1: whole frame LEN(2) TPDU(5) HEADER(6) BODY, last 8 body bytes = field 64. */
  static final String MAC1_FRAME =
      "007F600003000060321032007202003020048000C08015000000000000001234000002030099"
          + "303030303030303139353237313831383232313738373531353600192600000100060000000000435F011232383434313233343536"
          + "37383930313233345F03063136303033365F04063230303832365C0230314233413039324145";

  static final String MAC1_TAK = "0723C80DB5F4CD3D";

  static final String MAC2_TMK = "70F2A84CCBC2AE8625CBB0F2C22AB923";
  static final String MAC2_TAK_UNDER_TMK = "96D605EA176B7E9E";
  static final String MAC2_TAK = "C24A8FB57AA20123";
  static final String MAC2_MAB =
      "0200302004C020C0981100000000000000005100183402100006324392260009942820D131210112"
          + "0084393136363838303134303030303030303030303030303031313536ACF46E73838A82F926000000000000000008220000"
          + "01";

  /**
   * ISO/IEC 9797-1:2011 Annex B.4: K = 0123456789ABCDEF, K' = FEDCBA9876543210 (the X9.19 example
   * key).
   */
  static final String X919_KEY = "0123456789ABCDEFFEDCBA9876543210";

  static byte[] h(String hex) {
    return CupCrypto.unhex(hex);
  }

  static byte[] mac1Mab() {
    byte[] frame = h(MAC1_FRAME);
    assertEquals(
        frame.length - 2,
        ((frame[0] & 0xFF) << 8) | (frame[1] & 0xFF),
        "LEN of the published frame");
    byte[] body = Arrays.copyOfRange(frame, 2 + 5 + 6, frame.length);
    return Arrays.copyOf(body, body.length - 8);
  }

  static String ascii(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  @Test
  void mac1SingleLengthTakGivesPublishedMacAndIntermediates() {
    byte[] frame = h(MAC1_FRAME);
    byte[] mab = mac1Mab();
    assertEquals(108, mab.length);
    CupCrypto.MacSteps steps = CupCrypto.cupMacSteps(h(MAC1_TAK), mab);
    assertEquals("3761343619AC6492", CupCrypto.hex(steps.r()));
    assertEquals("DD662804CB30F348", CupCrypto.hex(steps.e1()));
    assertEquals("EC5F6947FD04CA7A", CupCrypto.hex(steps.t()));
    assertEquals("B3A092AEDACE4C88", CupCrypto.hex(steps.e2()));
    assertEquals("B3A092AE", ascii(steps.mac()));
    // field 64 of the published frame is its last 8 bytes
    assertArrayEquals(
        Arrays.copyOfRange(frame, frame.length - 8, frame.length),
        CupCrypto.cupMac(h(MAC1_TAK), mab));
  }

  @Test
  void mac1DoubleLengthFormWithEqualHalvesGivesTheSameMac() {
    assertEquals("B3A092AE", ascii(CupCrypto.cupMac(h(MAC1_TAK + MAC1_TAK), mac1Mab())));
  }

  @Test
  void macChangesWhenOneBitOfTheMabChanges() {
    byte[] mab = mac1Mab();
    mab[20] ^= 0x01;
    assertFalse(
        Arrays.equals(
            "B3A092AE".getBytes(StandardCharsets.US_ASCII), CupCrypto.cupMac(h(MAC1_TAK), mab)));
  }

  @Test
  void mac2TakUnwrapsUnderTmkAndGivesPublishedCheckValueAndMac() {
    byte[] tak = CupCrypto.ecbDecrypt(h(MAC2_TMK), h(MAC2_TAK_UNDER_TMK));
    assertEquals(MAC2_TAK, CupCrypto.hex(tak));
    assertEquals(MAC2_TAK_UNDER_TMK, CupCrypto.hex(CupCrypto.ecbEncrypt(h(MAC2_TMK), tak)));
    assertEquals("0547DB3E", CupCrypto.checkValueHex(tak));
    CupCrypto.MacSteps steps = CupCrypto.cupMacSteps(tak, h(MAC2_MAB));
    assertEquals("4D08F434464FE7BF", CupCrypto.hex(steps.r()));
    assertEquals("8A9E91B8", ascii(steps.mac()));
  }

  @Test
  void macPadsWithZerosOnlyWhenNeeded() {
    byte[] key = h(MAC2_TAK);
    byte[] seven = h("01020304050607");
    byte[] padded = h("0102030405060700");
    assertArrayEquals(CupCrypto.cupMac(key, padded), CupCrypto.cupMac(key, seven));
    // an aligned MAB gets no extra block: R of one block is the block itself
    assertArrayEquals(padded, CupCrypto.cupMacSteps(key, padded).r());
  }

  @Test
  void pinBlockVector() {
    byte[] block = CupCrypto.pinBlockFormat0("123456", "123456789012345678");
    assertEquals("061253DFFEDCBA98", CupCrypto.hex(block));
    assertEquals("0000678901234567", CupCrypto.hex(CupCrypto.panField("123456789012345678")));
    assertTrue(CupCrypto.isPinBlockFormat0(block, "123456789012345678"));
    assertEquals("123456", CupCrypto.parsePinBlockFormat0(block, "123456789012345678"));
  }

  @Test
  void pinBlockRoundTripsForEveryPinLength() {
    String pan = "6222021234567890128";
    for (int len = 4; len <= 12; len++) {
      String pin = "987654321098".substring(0, len);
      byte[] block = CupCrypto.pinBlockFormat0(pin, pan);
      assertEquals(pin, CupCrypto.parsePinBlockFormat0(block, pan));
    }
  }

  @Test
  void malformedPinBlocksAreRecognised() {
    String pan = "123456789012345678";
    byte[] good = CupCrypto.pinBlockFormat0("123456", pan);
    assertFalse(CupCrypto.isPinBlockFormat0(good, "123456789012345578"), "other PAN");
    assertTrue(
        CupCrypto.isPinBlockFormat0(good, "123456789012345679"),
        "the check digit is not in the PAN field");
    byte[] pinField = CupCrypto.xor(good, CupCrypto.panField(pan));
    assertEquals("06123456FFFFFFFF", CupCrypto.hex(pinField));
    assertBad("16123456FFFFFFFF", pan); // format 1 control nibble
    assertBad("03123FFFFFFFFFFF", pan); // PIN length 3
    assertBad("0D1234567890123F", pan); // PIN length 13
    assertBad("0612A456FFFFFFFF", pan); // non-digit in the PIN
    assertBad("06123456FFFFFFFE", pan); // padding not F
    assertThrows(
        IllegalArgumentException.class,
        () ->
            CupCrypto.parsePinBlockFormat0(
                CupCrypto.xor(h("06123456FFFFFFFE"), CupCrypto.panField(pan)), pan));
  }

  private static void assertBad(String pinFieldHex, String pan) {
    byte[] block = CupCrypto.xor(h(pinFieldHex), CupCrypto.panField(pan));
    assertFalse(CupCrypto.isPinBlockFormat0(block, pan), pinFieldHex);
  }

  @Test
  void pinAndPanInputsAreChecked() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CupCrypto.pinBlockFormat0("123", "123456789012345678"));
    assertThrows(
        IllegalArgumentException.class,
        () -> CupCrypto.pinBlockFormat0("12a456", "123456789012345678"));
    IllegalArgumentException shortPan =
        assertThrows(
            IllegalArgumentException.class,
            () -> CupCrypto.pinBlockFormat0("123456", "123456789012"));
    assertFalse(shortPan.getMessage().contains("123456789012"), "message must not contain the PAN");
    assertThrows(
        IllegalArgumentException.class,
        () -> CupCrypto.pinBlockFormat0("123456", "12345678901234567890"));
    assertThrows(
        IllegalArgumentException.class,
        () -> CupCrypto.pinBlockFormat0("123456", "1234567890123=5678"));
    assertThrows(IllegalArgumentException.class, () -> CupCrypto.pinBlockFormat0("123456", null));
  }

  @Test
  void desAndTripleDesKnownAnswers() {
    // FIPS 81 / NBS example: key 0123456789ABCDEF, "Now is t" -> 3FA40E8A984D4815
    assertEquals(
        "3FA40E8A984D4815",
        CupCrypto.hex(
            CupCrypto.ecbEncrypt(
                h("0123456789ABCDEF"), "Now is t".getBytes(StandardCharsets.US_ASCII))));
    // a double-length key with equal halves is single DES (EDE with K1 = K2)
    assertArrayEquals(
        CupCrypto.ecbEncrypt(h(MAC1_TAK), h("0011223344556677")),
        CupCrypto.ecbEncrypt(h(MAC1_TAK + MAC1_TAK), h("0011223344556677")));
    // 16-byte keys are K1K2K1
    byte[] k2 = h(MAC2_TMK);
    byte[] k3 = h(MAC2_TMK + MAC2_TMK.substring(0, 16));
    assertArrayEquals(
        CupCrypto.ecbEncrypt(k3, h("0011223344556677")),
        CupCrypto.ecbEncrypt(k2, h("0011223344556677")));
    byte[] data = h("00112233445566778899AABBCCDDEEFF");
    assertArrayEquals(data, CupCrypto.ecbDecrypt(k2, CupCrypto.ecbEncrypt(k2, data)));
    assertThrows(IllegalArgumentException.class, () -> CupCrypto.ecbEncrypt(h("0011223344"), data));
    assertThrows(IllegalArgumentException.class, () -> CupCrypto.ecbEncrypt(k2, h("001122")));
  }

  @Test
  void checkValueUsesDesFor8And3DesFor16Bytes() {
    assertEquals(
        CupCrypto.hex(CupCrypto.ecbEncrypt(h(MAC2_TMK), new byte[8])).substring(0, 8),
        CupCrypto.checkValueHex(h(MAC2_TMK)));
    assertEquals(
        CupCrypto.checkValueHex(h(MAC1_TAK)), CupCrypto.checkValueHex(h(MAC1_TAK + MAC1_TAK)));
    assertEquals(4, CupCrypto.checkValue(h(MAC1_TAK)).length);
  }

  @Test
  void parityAndWeakKeys() {
    byte[] key = h("0022446688AACCEE");
    assertFalse(CupCrypto.hasOddParity(key));
    CupCrypto.adjustOddParity(key);
    assertEquals("0123456789ABCDEF", CupCrypto.hex(key));
    assertTrue(CupCrypto.hasOddParity(key));
    assertTrue(CupCrypto.isWeakKey(h("0101010101010101")));
    assertTrue(CupCrypto.isWeakKey(h("0000000000000000")), "weak once parity is set");
    assertTrue(CupCrypto.isWeakKey(h("01FE01FE01FE01FE")), "semi-weak");
    assertTrue(CupCrypto.isWeakKey(h("0123456789ABCDEF0123456789ABCDEF")), "equal halves");
    assertTrue(CupCrypto.isWeakKey(h("0123456789ABCDEFFEFEFEFEFEFEFEFE")), "weak right half");
    assertFalse(CupCrypto.isWeakKey(h("0123456789ABCDEFFEDCBA9876543210")));
  }

  @Test
  void hexHelpers() {
    assertEquals("00FF7F80", CupCrypto.hex(new byte[] {0, -1, 127, -128}));
    assertArrayEquals(new byte[] {0, -1, 127, -128}, CupCrypto.unhex("00ff7F80"));
    assertThrows(IllegalArgumentException.class, () -> CupCrypto.unhex("ABC"));
    assertThrows(IllegalArgumentException.class, () -> CupCrypto.unhex("GG"));
    assertTrue(CupCrypto.isHex("0aF9"));
    assertFalse(CupCrypto.isHex(""));
    assertFalse(CupCrypto.isHex("0x"));
  }

  // ---- ANSI X9.19 retail MAC (ISO/IEC 9797-1 MAC algorithm 3)

  @Test
  void retailMacGivesThePublishedIso9797Vectors() {
    // ISO/IEC 9797-1:2011 Annex B.4, padding method 1 (the X9.19 example): 24 bytes need no
    // padding, 22 bytes are padded with two zero bytes
    assertEquals(
        "A1C72E74EA3FA9B6",
        CupCrypto.hex(
            CupCrypto.retailMac(
                h(X919_KEY), "Now is the time for all ".getBytes(StandardCharsets.US_ASCII))));
    assertEquals(
        "2E2B1428CC78254F",
        CupCrypto.hex(
            CupCrypto.retailMac(
                h(X919_KEY), "Now is the time for it".getBytes(StandardCharsets.US_ASCII))));
    assertEquals(
        "A1C72E74",
        ascii(
            CupCrypto.x919Field64(
                new CupCrypto.RetailMacKey(h(X919_KEY)),
                "Now is the time for all ".getBytes(StandardCharsets.US_ASCII))));
  }

  @Test
  void retailMacAgreesWithBouncyCastlesIso9797Alg3MacForEveryLength() {
    Random random = new Random(9797);
    byte[] key = h(X919_KEY);
    for (int length = 1; length <= 200; length++) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      // without a padding object Bouncy Castle fills the last partial block with zeros: padding
      // method 1 (its ZeroBytePadding would add a whole zero block to a multiple of 8)
      var bc = new ISO9797Alg3Mac(new DESEngine());
      bc.init(new KeyParameter(key));
      bc.update(data, 0, data.length);
      byte[] expected = new byte[8];
      bc.doFinal(expected, 0);
      assertArrayEquals(expected, CupCrypto.retailMac(key, data), "length " + length);
    }
  }

  @Test
  void retailMacRefusesASingleLengthKey() {
    assertThrows(
        IllegalArgumentException.class, () -> CupCrypto.retailMac(h(MAC2_TAK), h(MAC2_MAB)));
  }

  /**
   * The known weakness of the CUP ECB MAC (§11.2): R is the XOR of the MAB's blocks, so XORing the
   * same difference into two blocks keeps R and the MAC. The retail MAC chains the blocks through
   * DES: the same change gives another MAC.
   */
  @Test
  void aCompensatedTwoBlockChangeKeepsTheCupMacButNotTheRetailMac() {
    byte[] mab = h(MAC2_MAB);
    byte[] forged = mab.clone();
    forged[17] ^= 0x01; // amount 000000000051 -> 000000000151 (field 4 ends at byte 17)
    forged[17 + 8 * 5] ^= 0x01; // the same bit five blocks later
    assertArrayEquals(CupCrypto.cupMac(h(MAC2_TAK), mab), CupCrypto.cupMac(h(MAC2_TAK), forged));
    assertFalse(
        Arrays.equals(
            CupCrypto.retailMac(h(X919_KEY), mab), CupCrypto.retailMac(h(X919_KEY), forged)));
  }
}
