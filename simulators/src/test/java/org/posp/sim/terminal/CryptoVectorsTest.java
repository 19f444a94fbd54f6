package org.posp.sim.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Published test vectors of docs/protocol/terminal.md §13.7 (copied here: the build must not read
 * ../shared).
 */
class CryptoVectorsTest {
  /** MAC 1: whole frame (LEN, TPDU, header, body) with its published MAC as the last 8 bytes. */
  static final String MAC1_FRAME =
      "007F600003000060321032007202003020048000C08015000000000000001234000002030099"
          + "303030303030303139353237313831383232313738373531353600192600000100060000000000435F011232383434313233"
          + "34353637383930313233345F03063136303033365F04063230303832365C0230314233413039324145";

  static final String MAC1_TAK = "0723C80DB5F4CD3D";

  /** MAC 2 MAB of §13.7 (a sale, bitmap with bit 64 set, body without field 64). */
  static final String MAC2_MAB =
      "0200302004C020C0981100000000000000005100183402100006324392260009942820D131"
          + "2101120084393136363838303134303030303030303030303030303031313536ACF46E73838A82F926000000000000000008"
          + "22000001";

  @Test
  void mac1OverPublishedFrame() {
    Frame frame = Frame.decode(Hex.parse(MAC1_FRAME));
    byte[] body = frame.body();
    byte[] mac = CupMac.computeForBody(Hex.parse(MAC1_TAK), body);
    assertEquals("B3A092AE", new String(mac, StandardCharsets.US_ASCII));
    assertTrue(CupMac.verifyBody(Hex.parse(MAC1_TAK), body));
    // published as double length with K1 = K2: 3DES gives the same MAC
    assertTrue(CupMac.verifyBody(Hex.parse(MAC1_TAK + MAC1_TAK), body));
    body[20] ^= 1;
    assertFalse(CupMac.verifyBody(Hex.parse(MAC1_TAK), body));
  }

  /** ISO/IEC 9797-1:2011 Annex B.4 (MAC algorithm 3, padding method 1), the ANSI X9.19 example. */
  @Test
  void x919RetailMacPublishedVectors() {
    byte[] key = Hex.parse("0123456789ABCDEFFEDCBA9876543210");
    assertEquals(
        "A1C72E74EA3FA9B6",
        Hex.of(RetailMac.mac(key, "Now is the time for all ".getBytes(StandardCharsets.US_ASCII))));
    assertEquals(
        "2E2B1428CC78254F",
        Hex.of(RetailMac.mac(key, "Now is the time for it".getBytes(StandardCharsets.US_ASCII))));
    assertEquals(
        "A1C72E74",
        new String(
            RetailMac.compute(key, "Now is the time for all ".getBytes(StandardCharsets.US_ASCII)),
            StandardCharsets.US_ASCII));
    assertThrows(
        IllegalArgumentException.class, () -> RetailMac.mac(Hex.parse(MAC1_TAK), new byte[8]));
  }

  @Test
  void mac1Intermediates() {
    byte[] body = Frame.decode(Hex.parse(MAC1_FRAME)).body();
    byte[] mab = Arrays.copyOf(body, body.length - 8);
    byte[] r = new byte[8];
    for (int i = 0; i < mab.length; i++) {
      r[i % 8] ^= mab[i];
    }
    assertEquals("3761343619AC6492", Hex.of(r));
    byte[] h = Hex.of(r).getBytes(StandardCharsets.US_ASCII);
    byte[] e1 = DesCipher.encrypt(Hex.parse(MAC1_TAK), Arrays.copyOf(h, 8));
    assertEquals("DD662804CB30F348", Hex.of(e1));
  }

  @Test
  void mac2TakUnwrapCheckValueAndMac() {
    byte[] tmk = Hex.parse("70F2A84CCBC2AE8625CBB0F2C22AB923");
    byte[] tak = DesCipher.decrypt(tmk, Hex.parse("96D605EA176B7E9E"));
    assertEquals("C24A8FB57AA20123", Hex.of(tak));
    assertEquals("0547DB3E", Hex.of(DesCipher.checkValue(tak)));
    byte[] mac = CupMac.compute(tak, Hex.parse(MAC2_MAB));
    assertEquals("8A9E91B8", new String(mac, StandardCharsets.US_ASCII));
  }

  @Test
  void pinBlockFormat0() {
    assertEquals("061253DFFEDCBA98", Hex.of(PinBlock.clear("123456", "123456789012345678")));
    byte[] pik = Hex.parse(TestKeys.PIK_16);
    byte[] enc = PinBlock.encrypt(pik, "123456", "123456789012345678");
    assertEquals("061253DFFEDCBA98", Hex.of(DesCipher.decrypt(pik, enc)));
    assertThrows(
        IllegalArgumentException.class, () -> PinBlock.clear("12a4", "123456789012345678"));
    assertThrows(IllegalArgumentException.class, () -> PinBlock.clear("123", "123456789012345678"));
  }

  @Test
  void pinBlockPanFromTrack2() {
    assertEquals("4392260009942820", PinBlock.panFor(null, "4392260009942820=131210112008439"));
    assertEquals("6222020000000001", PinBlock.panFor("6222020000000001", "4392260009942820=1312"));
  }

  @Test
  void desKnownAnswerAndDoubleLengthWithEqualHalvesIsSingleDes() {
    // FIPS 81 style known answer: DES(0123456789ABCDEF, 0000000000000000)
    assertEquals(
        "D5D44FF720683D0D", Hex.of(DesCipher.encrypt(Hex.parse("0123456789ABCDEF"), new byte[8])));
    assertEquals(
        "D5D44FF7", Hex.of(DesCipher.checkValue(Hex.parse("0123456789ABCDEF0123456789ABCDEF"))));
    assertThrows(IllegalArgumentException.class, () -> DesCipher.encrypt(new byte[8], new byte[7]));
    assertThrows(
        IllegalArgumentException.class, () -> DesCipher.encrypt(new byte[12], new byte[8]));
  }
}
