package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TerminalFrameTest {
  private static final byte[] BODY =
      Hex.bytes("0820 0020000000800010 000001 3130303030313539 0011 000000013010");

  private static byte[] unframed(String tpdu, String header, byte[] body) {
    byte[] t = Hex.bytes(tpdu);
    byte[] h = Hex.bytes(header);
    byte[] out = new byte[t.length + h.length + body.length];
    System.arraycopy(t, 0, out, 0, t.length);
    System.arraycopy(h, 0, out, t.length, h.length);
    System.arraycopy(body, 0, out, t.length + h.length, body.length);
    return out;
  }

  @Test
  void replySwapsTpduAddressesAndSetsProcessingRequirement() throws Exception {
    TerminalFrame request = TerminalFrame.parse(unframed("6000030000", "603100311003", BODY));
    assertEquals(0, request.processingRequirement());

    byte[] replyBody = Hex.bytes("0830 0000000000000000");
    TerminalFrame reply = request.reply(replyBody, 3);
    assertEquals("6000000003", Hex.of(reply.tpdu()));
    assertEquals(
        "603103311003", Hex.of(reply.header()), "header echoed except R (low nibble of byte 2)");
    assertEquals(3, reply.processingRequirement());
    assertEquals(0, reply.terminalStatus());
    assertArrayEquals(replyBody, reply.body());

    TerminalFrame plain = request.reply(replyBody, 0);
    assertEquals("603100311003", Hex.of(plain.header()));
    // swapping twice gives the request's TPDU back
    assertEquals("6000030000", Hex.of(reply.reply(BODY, 0).tpdu()));
  }

  @Test
  void replyKeepsTerminalStatusAndReplacesAnyRequestR() throws Exception {
    TerminalFrame request = TerminalFrame.parse(unframed("6006150000", "603215320072", BODY));
    assertEquals(5, request.processingRequirement());
    assertEquals(1, request.terminalStatus());
    TerminalFrame reply = request.reply(BODY, 0);
    assertEquals("6000000615", Hex.of(reply.tpdu()));
    assertEquals("603210320072", Hex.of(reply.header()));
    assertThrows(IllegalArgumentException.class, () -> request.reply(BODY, 10));
    assertThrows(IllegalArgumentException.class, () -> request.reply(BODY, -1));
  }

  @Test
  void encodeWritesBigEndianLength() throws Exception {
    TerminalFrame frame = TerminalFrame.parse(unframed("6000030000", "603100311312", BODY));
    byte[] wire = frame.encode();
    assertEquals(11 + BODY.length, TerminalFrame.readLength(wire[0], wire[1]));
    assertArrayEquals(
        unframed("6000030000", "603100311312", BODY), Arrays.copyOfRange(wire, 2, wire.length));
    assertArrayEquals(Arrays.copyOfRange(wire, 2, wire.length), frame.withoutLength());
    assertEquals(frame, TerminalFrame.decode(wire));

    byte[] big = new byte[2000];
    big[0] = 0x08;
    byte[] bigWire = TerminalFrame.parse(unframed("6000030000", "603100311312", big)).encode();
    assertEquals(0x07, bigWire[0] & 0xFF);
    assertEquals(0xDB, bigWire[1] & 0xFF); // 2011 = 0x07DB
  }

  @Test
  void lengthLimits() throws Exception {
    assertEquals(21, TerminalFrame.MIN_FRAME_LENGTH);
    assertEquals(2048, TerminalFrame.MAX_FRAME_LENGTH);
    TerminalFrame.parse(unframed("6000030000", "603100311312", new byte[10])); // 21 bytes: accepted
    TerminalFrame.parse(unframed("6000030000", "603100311312", new byte[2048 - 11]));

    TerminalFormatException e =
        assertThrows(
            TerminalFormatException.class,
            () -> TerminalFrame.parse(unframed("6000030000", "603100311312", new byte[9])));
    assertEquals(TerminalFormatException.NO_FIELD, e.field());
    assertTrue(e.getMessage().contains("frame length 20"), e.getMessage());
    assertThrows(
        TerminalFormatException.class,
        () -> TerminalFrame.parse(unframed("6000030000", "603100311312", new byte[2048 - 10])));
  }

  @Test
  void tpduIdMustBe60() {
    TerminalFormatException e =
        assertThrows(
            TerminalFormatException.class,
            () -> TerminalFrame.parse(unframed("6100030000", "603100311312", BODY)));
    assertEquals("offset 0: TPDU id must be 60, was 61", e.getMessage());
  }

  @Test
  void decodeChecksLen() {
    byte[] wire = Hex.bytes(TerminalProtocolVectorsTest.MAC1_FRAME);
    assertThrows(
        TerminalFormatException.class,
        () -> TerminalFrame.decode(Arrays.copyOf(wire, wire.length - 1)));
    assertThrows(
        TerminalFormatException.class,
        () -> TerminalFrame.decode(Arrays.copyOf(wire, wire.length + 1)));
    assertThrows(TerminalFormatException.class, () -> TerminalFrame.decode(new byte[1]));
  }

  @Test
  void immutableAndLogSafe() throws Exception {
    byte[] bytes = unframed("6000030000", "603100311312", BODY);
    TerminalFrame frame = TerminalFrame.parse(bytes);
    frame.body()[0] = 0x7F;
    frame.tpdu()[0] = 0x00;
    assertEquals(0x08, frame.body()[0]);
    assertEquals(0x60, frame.tpdu()[0]);
    assertEquals(
        "TerminalFrame[tpdu=6000030000, header=603100311312, body=" + BODY.length + " bytes]",
        frame.toString());
    assertFalse(frame.toString().contains("3130303030313539"));
    assertThrows(
        IllegalArgumentException.class, () -> new TerminalFrame(new byte[4], new byte[6], BODY));
    assertThrows(
        IllegalArgumentException.class, () -> new TerminalFrame(new byte[5], new byte[7], BODY));
  }
}
