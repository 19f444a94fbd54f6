package org.posp.sim.terminal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Field 62 of the 0810 for schemes 001 / 003 / 004 with keys wrapped here under known TMKs. */
class SignOnKeyBlockTest {

  @ParameterizedTest
  @ValueSource(strings = {"001", "003", "004"})
  void unwrapsWhatWasWrapped(String scheme) throws Exception {
    byte[] block = TestKeys.block(scheme);
    assertEquals(SignOnKeyBlock.lengthOf(scheme), block.length);
    WorkingKeys k = SignOnKeyBlock.unwrap(scheme, Hex.parse(TestKeys.tmk(scheme)), block);
    assertEquals(TestKeys.keys(scheme), k);
    assertEquals(!"001".equals(scheme), k.doubleLengthPik());
    assertEquals(8, k.mak().length);
    assertEquals("004".equals(scheme), k.tdk() != null);
    assertFalse(k.toString().contains(TestKeys.MAK_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"003", "004"})
  void anX919TerminalTakesTheWholeMakSlotAsADoubleLengthMak(String scheme) throws Exception {
    byte[] tmk = Hex.parse(TestKeys.TMK_003);
    byte[] mak16 = Hex.parse(TestKeys.PIK_16);
    byte[] block =
        TestKeys.wrap(
            scheme,
            tmk,
            Hex.parse(TestKeys.PIK_16),
            mak16,
            "004".equals(scheme) ? Hex.parse(TestKeys.TDK_16) : null);
    assertEquals(SignOnKeyBlock.lengthOf(scheme), block.length);
    WorkingKeys k = SignOnKeyBlock.unwrap(scheme, tmk, block, TerminalConfig.X919);
    assertArrayEquals(mak16, k.mak());
    assertEquals(TerminalConfig.X919, k.macAlgorithm());
    // a CUP ECB terminal refuses it: the 8 bytes after a single DES MAK must be zero
    assertThrows(
        SignOnKeyBlock.KeyBlockException.class, () -> SignOnKeyBlock.unwrap(scheme, tmk, block));
  }

  @Test
  void x919NeedsScheme003Or004() {
    TerminalConfig c =
        TerminalConfig.of(
            List.of(new InetSocketAddress("127.0.0.1", 1)),
            "898100012340001",
            "10000001",
            TestKeys.TMK_001,
            "001");
    assertThrows(IllegalArgumentException.class, () -> c.withMacAlgorithm(TerminalConfig.X919));
    assertThrows(IllegalArgumentException.class, () -> c.withMacAlgorithm("X9.9"));
  }

  @Test
  void scheme003LayoutByHand() throws Exception {
    byte[] tmk = Hex.parse(TestKeys.TMK_003);
    byte[] block = TestKeys.block("003");
    // E(PIK 16) is two 3DES-ECB blocks under the double-length TMK (K1K2K1)
    assertArrayEquals(
        DesCipher.encrypt(tmk, Arrays.copyOfRange(Hex.parse(TestKeys.PIK_16), 0, 8)),
        Arrays.copyOfRange(block, 0, 8));
    assertArrayEquals(
        DesCipher.checkValue(Hex.parse(TestKeys.PIK_16)), Arrays.copyOfRange(block, 16, 20));
    assertArrayEquals(new byte[8], Arrays.copyOfRange(block, 28, 36));
    assertEquals(
        "0547DB3E", Hex.of(Arrays.copyOfRange(block, 36, 40))); // CV of the MAC 2 TAK used as MAK
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 36, 56})
  void wrongCheckValueIsRefused(int cvOffset) {
    String scheme = "004";
    byte[] block = TestKeys.block(scheme);
    block[cvOffset] ^= 0x01;
    SignOnKeyBlock.KeyBlockException e =
        assertThrows(
            SignOnKeyBlock.KeyBlockException.class,
            () -> SignOnKeyBlock.unwrap(scheme, Hex.parse(TestKeys.tmk(scheme)), block));
    String expectedKey = cvOffset == 16 ? "PIK" : cvOffset == 36 ? "MAK" : "TDK";
    assertTrue(e.getMessage().startsWith(expectedKey), e.getMessage());
  }

  @Test
  void wrongTmkIsRefusedByCheckValue() {
    byte[] block = TestKeys.block("003");
    byte[] otherTmk = Hex.parse("00112233445566778899AABBCCDDEEFF");
    assertThrows(
        SignOnKeyBlock.KeyBlockException.class,
        () -> SignOnKeyBlock.unwrap("003", otherTmk, block));
  }

  @Test
  void malformedBlocksAreRefused() {
    byte[] tmk = Hex.parse(TestKeys.TMK_003);
    byte[] block = TestKeys.block("003");
    assertThrows(
        SignOnKeyBlock.KeyBlockException.class,
        () -> SignOnKeyBlock.unwrap("003", tmk, Arrays.copyOf(block, 39)));
    assertThrows(
        SignOnKeyBlock.KeyBlockException.class, () -> SignOnKeyBlock.unwrap("003", tmk, null));
    assertThrows(
        SignOnKeyBlock.KeyBlockException.class,
        () -> SignOnKeyBlock.unwrap("001", tmk, TestKeys.block("001")));
    byte[] nonZeroSlot = block.clone();
    nonZeroSlot[30] = 1;
    SignOnKeyBlock.KeyBlockException e =
        assertThrows(
            SignOnKeyBlock.KeyBlockException.class,
            () -> SignOnKeyBlock.unwrap("003", tmk, nonZeroSlot));
    assertTrue(e.getMessage().contains("MAK slot"));
    assertThrows(IllegalArgumentException.class, () -> SignOnKeyBlock.lengthOf("006"));
  }

  @Test
  void singleSchemeHasNoTdk() throws Exception {
    WorkingKeys k =
        SignOnKeyBlock.unwrap("001", Hex.parse(TestKeys.TMK_001), TestKeys.block("001"));
    assertNull(k.tdk());
    assertEquals(8, k.pik().length);
  }
}
