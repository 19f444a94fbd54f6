package org.posp.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.security.CupCryptoTest.MAC2_TAK;
import static org.posp.security.CupCryptoTest.MAC2_TAK_UNDER_TMK;
import static org.posp.security.CupCryptoTest.MAC2_TMK;
import static org.posp.security.CupCryptoTest.h;

import org.junit.jupiter.api.Test;

/** Field 62 on clear keys (docs/protocol/terminal.md §11.1). */
class SignOnKeyBlockTest {

  private static final byte[] PIK16 = h("5B3D8C1F6E2A4970C4E3A1B6D9F08E2F");
  private static final byte[] TDK16 = h("2A5D7C0B1F3E4968A7C1E3F50D2B4C6E");

  @Test
  void scheme004LayoutWithThePublishedTak() {
    // MAC 2's TAK under MAC 2's TMK is the published 96D605EA176B7E9E
    byte[] block =
        SignOnKeyBlock.build(
            KeyScheme.DOUBLE_LENGTH_WITH_TDK, h(MAC2_TMK), PIK16, h(MAC2_TAK), TDK16);
    assertEquals(60, block.length);
    String hex = CupCrypto.hex(block);
    assertEquals(CupCrypto.hex(CupCrypto.ecbEncrypt(h(MAC2_TMK), PIK16)), hex.substring(0, 32));
    assertEquals(CupCrypto.checkValueHex(PIK16), hex.substring(32, 40));
    assertEquals(MAC2_TAK_UNDER_TMK + "0000000000000000" + "0547DB3E", hex.substring(40, 80));
    assertEquals(CupCrypto.hex(CupCrypto.ecbEncrypt(h(MAC2_TMK), TDK16)), hex.substring(80, 112));
    assertEquals(CupCrypto.checkValueHex(TDK16), hex.substring(112, 120));

    SignOnKeyBlock.ClearWorkingKeys keys =
        SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH_WITH_TDK, h(MAC2_TMK), block);
    assertArrayEquals(PIK16, keys.pik());
    assertArrayEquals(h(MAC2_TAK), keys.mak());
    assertArrayEquals(TDK16, keys.tdk());
    keys.wipe();
    assertArrayEquals(new byte[8], keys.mak());
  }

  @Test
  void scheme001Layout() {
    byte[] tmk = h("1C587F1C13924FEF");
    byte[] pik = h("3E4F5D6C7B8A9901");
    byte[] block = SignOnKeyBlock.build(KeyScheme.SINGLE_DES, tmk, pik, h(MAC2_TAK), null);
    assertEquals(
        CupCrypto.hex(CupCrypto.ecbEncrypt(tmk, pik))
            + CupCrypto.checkValueHex(pik)
            + CupCrypto.hex(CupCrypto.ecbEncrypt(tmk, h(MAC2_TAK)))
            + "0547DB3E",
        CupCrypto.hex(block));
    SignOnKeyBlock.ClearWorkingKeys keys = SignOnKeyBlock.open(KeyScheme.SINGLE_DES, tmk, block);
    assertArrayEquals(pik, keys.pik());
    assertNull(keys.tdk());
  }

  @Test
  void wrongInputsAreNamed() {
    byte[] tmk = h(MAC2_TMK);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SignOnKeyBlock.build(KeyScheme.SINGLE_DES, tmk, h(MAC2_TAK), h(MAC2_TAK), null));
    assertTrue(e.getMessage().contains("TMK"), e.getMessage());
    // a 16-byte MAK (X9.19) has no slot in 001; 24 bytes fit nowhere
    byte[] tmk8 = h(MAC2_TAK);
    assertThrows(
        IllegalArgumentException.class,
        () -> SignOnKeyBlock.build(KeyScheme.SINGLE_DES, tmk8, h(MAC2_TAK), PIK16, null));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SignOnKeyBlock.build(
                KeyScheme.DOUBLE_LENGTH, tmk, PIK16, h(MAC2_TMK + MAC2_TAK), null));
    assertThrows(
        IllegalArgumentException.class,
        () -> SignOnKeyBlock.open(KeyScheme.SINGLE_DES, tmk8, new byte[24], MacAlgorithm.X919));
    assertThrows(
        IllegalArgumentException.class,
        () -> SignOnKeyBlock.build(KeyScheme.DOUBLE_LENGTH, tmk, PIK16, h(MAC2_TAK), TDK16));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SignOnKeyBlock.build(KeyScheme.DOUBLE_LENGTH_WITH_TDK, tmk, PIK16, h(MAC2_TAK), null));

    byte[] block = SignOnKeyBlock.build(KeyScheme.DOUBLE_LENGTH, tmk, PIK16, h(MAC2_TAK), null);
    byte[] otherTmk = h("0123456789ABCDEFFEDCBA9876543210");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH, otherTmk, block));
    assertTrue(e.getMessage().contains("check value"), e.getMessage());
    byte[] filler = block.clone();
    filler[30] = 1;
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH, tmk, filler));
    assertTrue(e.getMessage().contains("zero"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH_WITH_TDK, tmk, block));
  }
}
