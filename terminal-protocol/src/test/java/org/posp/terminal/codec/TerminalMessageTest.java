package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalMessageTest {
  private static final String PAN = "6224242900000113";
  private static final String TRACK2 = "6224242900000113=28062013949031013";

  @Test
  void toStringMasksCardData() throws Exception {
    TerminalMessage m =
        TerminalMessage.builder("0200")
            .set(2, PAN)
            .set(3, "000000")
            .set(35, TRACK2)
            .set(36, "996224242900000113=1")
            .setBytes(52, Hex.bytes("D1EEF419D0AE2609"))
            .setBytes(55, Hex.bytes("9F2608AABBCCDD"))
            .setBytes(62, "6212345678901234".getBytes(StandardCharsets.US_ASCII))
            .set(41, "10000019")
            .build();
    String s = m.toString();
    assertTrue(s.contains("2=622424****0113"), s);
    assertFalse(s.contains("2424290000"), s);
    assertTrue(s.contains("35=[34 chars]"), s);
    assertTrue(s.contains("36=[20 chars]"), s);
    assertTrue(s.contains("52=[8 bytes]"), s);
    assertTrue(s.contains("55=[7 bytes]"), s);
    assertTrue(s.contains("62=[16 bytes]"), s);
    assertFalse(s.contains("D1EEF419"), s);
    assertFalse(s.contains("9F2608"), s);
    assertFalse(s.contains("3632313233"), s); // 62 as hex
    assertFalse(s.contains("6212345678901234"), s);
    assertTrue(s.contains("41=\"10000019\""), s);

    // the sale of research §8.3, as unpacked from the wire
    String unpacked =
        TerminalCodec.unpack(
                TerminalFrame.decode(Hex.bytes(CapturedMessagesTest.P4_IC_SALE)).body())
            .toString();
    assertFalse(unpacked.contains("6224242900000113"), unpacked);
    assertFalse(unpacked.contains("D1EEF419D0AE2609"), unpacked);
  }

  @Test
  void batchUploadField48IsHiddenButSettlementTotalsAreShown() {
    String upload = "01" + "00" + "000403" + "0000" + PAN + "000000000001";
    assertFalse(TerminalMessage.builder("0320").set(48, upload).build().toString().contains(PAN));
    String totals = "0".repeat(62);
    assertTrue(TerminalMessage.builder("0500").set(48, totals).build().toString().contains(totals));
  }

  @Test
  void builderAndAccessors() {
    byte[] mac = {1, 2, 3, 4, 5, 6, 7, 8};
    TerminalMessage m =
        TerminalMessage.builder("0200")
            .set(11, "000001")
            .setBytes(64, mac)
            .set(3, "000000")
            .build();
    mac[0] = 9; // the message took a copy
    assertEquals("0200", m.mti());
    assertEquals(List.of(3, 11, 64), List.copyOf(m.fields()));
    assertTrue(m.has(11));
    assertFalse(m.has(4));
    assertNull(m.get(4));
    assertNull(m.getBytes(52));
    assertEquals("0102030405060708", m.get(64));
    assertTrue(m.isBinary(64));
    byte[] out = m.getBytes(64);
    out[0] = 9;
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, m.getBytes(64));
    assertThrows(UnsupportedOperationException.class, () -> m.fields().add(5));

    TerminalMessage reply = m.toBuilder().mti("0210").remove(64).set(39, "00").build();
    assertEquals("0210", reply.mti());
    assertEquals(List.of(3, 11, 39), List.copyOf(reply.fields()));
    assertEquals(List.of(3, 11, 64), List.copyOf(m.fields()), "the original is unchanged");
  }

  @Test
  void equalityComparesContent() {
    TerminalMessage a =
        TerminalMessage.builder("0200").set(3, "000000").setBytes(52, new byte[8]).build();
    TerminalMessage b =
        TerminalMessage.builder("0200").setBytes(52, new byte[8]).set(3, "000000").build();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, a.toBuilder().setBytes(52, new byte[] {0, 0, 0, 0, 0, 0, 0, 1}).build());
    assertNotEquals(a, a.toBuilder().mti("0210").build());
    assertNotEquals(a, a.toBuilder().remove(3).build());
  }

  @Test
  void invalidBuilderInput() {
    assertThrows(IllegalArgumentException.class, () -> TerminalMessage.builder("200"));
    assertThrows(IllegalArgumentException.class, () -> TerminalMessage.builder("02A0"));
    assertThrows(NullPointerException.class, () -> TerminalMessage.builder(null));
    TerminalMessage.Builder b = TerminalMessage.builder("0200");
    assertThrows(IllegalArgumentException.class, () -> b.set(1, "x"));
    assertThrows(IllegalArgumentException.class, () -> b.set(0, "0200"));
    assertThrows(IllegalArgumentException.class, () -> b.set(65, "x"));
    assertThrows(NullPointerException.class, () -> b.set(3, null));
    assertThrows(NullPointerException.class, () -> b.setBytes(52, null));
  }
}
