package org.posp.terminal.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The published test vectors (docs/protocol/terminal.md §13.7), copied verbatim. */
class TerminalProtocolVectorsTest {

  /** MAC 1: whole frame (LEN, TPDU, header, body). */
  static final String MAC1_FRAME =
      "007F600003000060321032007202003020048000C08015000000000000001234000002030099303030303030303139353237313831383232313738373531353600192600000100060000000000435F01123238343431323334353637383930313233345F03063136303033365F04063230303832365C0230314233413039324145";

  /** MAC 2 (§13.7): the MAB (body without field 64); the MAC is 8A9E91B8. */
  static final String MAC2_MAB =
      "0200302004C020C0981100000000000000005100183402100006324392260009942820D1312101120084393136363838303134303030303030303030303030303031313536ACF46E73838A82F92600000000000000000822000001";

  @Test
  void mac1FrameParsesAndUnpacks() throws Exception {
    byte[] wire = Hex.bytes(MAC1_FRAME);
    TerminalFrame frame = TerminalFrame.decode(wire);
    assertEquals(0x7F, wire.length - 2);
    assertEquals("6000030000", Hex.of(frame.tpdu()));
    assertEquals("603210320072", Hex.of(frame.header()));
    assertEquals(0, frame.processingRequirement());
    assertEquals(1, frame.terminalStatus());

    byte[] body = frame.body();
    TerminalMessage m = TerminalCodec.unpack(body);
    assertEquals("0200", m.mti());
    assertEquals(List.of(3, 4, 11, 22, 25, 41, 42, 49, 60, 62, 64), List.copyOf(m.fields()));
    assertEquals("000000", m.get(3));
    assertEquals("000000001234", m.get(4));
    assertEquals("000002", m.get(11));
    assertEquals("030", m.get(22));
    assertEquals("99", m.get(25));
    assertEquals("00000001", m.get(41));
    assertEquals("952718182217875", m.get(42));
    assertEquals("156", m.get(49));
    assertEquals("2600000100060000000", m.get(60));
    byte[] f62 = m.getBytes(62);
    assertEquals(43, f62.length);
    assertEquals("5F0112323834343132333435363738393031323334", Hex.of(Arrays.copyOf(f62, 21)));
    assertEquals("B3A092AE", new String(m.getBytes(64), US_ASCII));

    byte[] mab = Macs.mab(body);
    assertEquals(108, mab.length);
    assertArrayEquals(Arrays.copyOf(body, body.length - 8), mab);
    assertArrayEquals("B3A092AE".getBytes(US_ASCII), Macs.macOf(body));

    assertArrayEquals(body, TerminalCodec.pack(m));
    assertArrayEquals(wire, frame.encode());
    // an acquirer's own QR format (25 = 99): not one of the switch's transactions
    assertEquals(Optional.empty(), TransactionType.classify(m));
  }

  @Test
  void mac2MabWithItsMacUnpacksToTheDocumentedFields() throws Exception {
    byte[] mab = Hex.bytes(MAC2_MAB);
    byte[] body = new byte[mab.length + 8];
    System.arraycopy(mab, 0, body, 0, mab.length);
    System.arraycopy("8A9E91B8".getBytes(US_ASCII), 0, body, mab.length, 8);

    TerminalMessage m = TerminalCodec.unpack(body);
    assertEquals("0200", m.mti());
    assertEquals(
        List.of(3, 4, 11, 22, 25, 26, 35, 41, 42, 49, 52, 53, 60, 64), List.copyOf(m.fields()));
    assertEquals("000000", m.get(3));
    assertEquals("000000000051", m.get(4));
    assertEquals("001834", m.get(11));
    assertEquals("021", m.get(22));
    assertEquals("00", m.get(25));
    assertEquals("06", m.get(26));
    assertEquals("4392260009942820=131210112008439", m.get(35));
    assertEquals("16688014", m.get(41));
    assertEquals("000000000000001", m.get(42));
    assertEquals("156", m.get(49));
    assertEquals("ACF46E73838A82F9", m.get(52));
    assertArrayEquals(Hex.bytes("ACF46E73838A82F9"), m.getBytes(52));
    assertEquals("2600000000000000", m.get(53));
    assertEquals("22000001", m.get(60));
    assertEquals("8A9E91B8", new String(m.getBytes(64), US_ASCII));

    assertArrayEquals(mab, Macs.mab(body));
    assertArrayEquals(body, TerminalCodec.pack(m));
    assertEquals(Optional.of(TransactionType.SALE), TransactionType.classify(m));

    Field60 f60 = Field60.from(m);
    assertEquals("22", f60.type());
    assertEquals("000001", f60.batch());
    assertEquals(null, f60.networkCode());
    assertEquals("22000001", f60.format());
  }

  @Test
  void replyWithMacIsPackedWithAPlaceholderThenPatched() throws Exception {
    byte[] mab = Hex.bytes(MAC2_MAB);
    TerminalMessage withPlaceholder;
    byte[] original = new byte[mab.length + 8];
    System.arraycopy(mab, 0, original, 0, mab.length);
    withPlaceholder =
        TerminalCodec.unpack(original).toBuilder().setBytes(64, Macs.placeholder()).build();

    byte[] packed = TerminalCodec.pack(withPlaceholder);
    assertArrayEquals(mab, Macs.mab(packed)); // the MAB does not depend on the MAC value
    byte[] patched = Macs.withMac(packed, "8A9E91B8".getBytes(US_ASCII));
    assertEquals("8A9E91B8", new String(TerminalCodec.unpack(patched).getBytes(64), US_ASCII));
    assertArrayEquals(mab, Macs.mab(patched));
    assertFalse(Arrays.equals(packed, patched));
  }
}
