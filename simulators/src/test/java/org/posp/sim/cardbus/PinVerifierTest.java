package org.posp.sim.cardbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PinVerifierTest {

  private static final String ZPK = CardBusHostConfig.DEMO_ZPK;

  @Test
  void testSideEncryptionMatchesThePublishedDesVector() throws Exception {
    // FIPS 81 / classic DES known answer: key 0123456789ABCDEF, "Now is t" -> 3FA40E8A984D4815.
    byte[] plain = HexFormat.of().parseHex("4E6F772069732074");
    assertEquals(
        "3fa40e8a984d4815",
        HexFormat.of().formatHex(TestMessages.encrypt(plain, "0123456789ABCDEF")));
    // 3DES with K1 = K2 is single DES: proves the K1 K2 K1 expansion of the helper.
    assertEquals(
        "3fa40e8a984d4815",
        HexFormat.of().formatHex(TestMessages.encrypt(plain, "0123456789ABCDEF0123456789ABCDEF")));
  }

  @Test
  void clearFormat0BlockMatchesTheSpecVector() throws Exception {
    // docs/protocol/terminal.md §13.7: PIN 123456, PAN 123456789012345678 -> 061253DFFEDCBA98
    String pan = "123456789012345678";
    byte[] encrypted = TestMessages.pinBlock("123456", pan, ZPK);
    byte[] expectedClear = HexFormat.of().parseHex("061253DFFEDCBA98");
    assertEquals(
        HexFormat.of().formatHex(TestMessages.encrypt(expectedClear, ZPK)),
        HexFormat.of().formatHex(encrypted));
  }

  @Test
  void rightPinUnderDoubleLengthZpkMatches() throws Exception {
    String pan = "6222021234567890128";
    PinVerifier v = new PinVerifier(HexFormat.of().parseHex(ZPK), "123456");
    assertEquals(
        PinVerifier.Result.MATCH, v.verify(TestMessages.pinBlock("123456", pan, ZPK), pan));
    assertEquals(
        PinVerifier.Result.MISMATCH, v.verify(TestMessages.pinBlock("654321", pan, ZPK), pan));
    assertEquals(
        PinVerifier.Result.MISMATCH, v.verify(TestMessages.pinBlock("1234", pan, ZPK), pan));
    // the right PIN formatted with another PAN decrypts to garbage for this PAN
    assertFalse(
        v.verify(TestMessages.pinBlock("123456", "6222021234567890136", ZPK), pan)
            == PinVerifier.Result.MATCH);
  }

  @Test
  void singleLengthZpkUsesDes() throws Exception {
    String pan = "6222021234567890128";
    String zpk8 = "0123456789ABCDEF";
    PinVerifier v = new PinVerifier(HexFormat.of().parseHex(zpk8), "123456");
    assertEquals(
        PinVerifier.Result.MATCH, v.verify(TestMessages.pinBlock("123456", pan, zpk8), pan));
    // a block made with only the first half of the demo ZPK (single DES) is not valid under 3DES
    PinVerifier v16 = new PinVerifier(HexFormat.of().parseHex(ZPK), "123456");
    assertFalse(
        v16.verify(TestMessages.pinBlock("123456", pan, ZPK.substring(0, 16)), pan)
            == PinVerifier.Result.MATCH);
  }

  @Test
  void garbageBlocksAreMalformed() throws Exception {
    String pan = "6222021234567890128";
    PinVerifier v = new PinVerifier(HexFormat.of().parseHex(ZPK), "123456");
    // clear block with format nibble 1 instead of 0
    byte[] clear = HexFormat.of().parseHex("161253DFFEDCBA98");
    assertEquals(
        PinVerifier.Result.MALFORMED,
        v.verify(TestMessages.encrypt(clear, ZPK), "123456789012345678"));
    assertEquals(PinVerifier.Result.MALFORMED, v.verify(new byte[7], pan));
    assertEquals(PinVerifier.Result.MALFORMED, v.verify(new byte[8], "12345"));
  }

  @Test
  void keyOfWrongLengthIsRefusedWithoutShowingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PinVerifier(new byte[12], "123456"));
    assertEquals("ZPK must be 8 or 16 bytes, got 12", e.getMessage());
  }
}
