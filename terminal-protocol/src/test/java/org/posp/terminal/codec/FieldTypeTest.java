package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One small case per field type of docs/protocol/terminal.md §3 (wire bytes written out by hand),
 * and the unpack / pack errors with their field and offset. Body offsets: MTI 0-1, bitmap 2-9,
 * first field at 10.
 */
class FieldTypeTest {

  private static TerminalMessage.Builder msg() {
    return TerminalMessage.builder("0200");
  }

  /** Packs, compares with the expected body hex, unpacks again and returns the result. */
  private static TerminalMessage assertWire(TerminalMessage m, String expectedBodyHex)
      throws Exception {
    byte[] body = TerminalCodec.pack(m);
    assertEquals(expectedBodyHex.replace(" ", ""), Hex.of(body));
    TerminalMessage back = TerminalCodec.unpack(body);
    assertArrayEquals(body, TerminalCodec.pack(back));
    return back;
  }

  private static TerminalFormatException unpackFails(String bodyHex) {
    return assertThrows(
        TerminalFormatException.class, () -> TerminalCodec.unpack(Hex.bytes(bodyHex)));
  }

  private static TerminalFormatException packFails(TerminalMessage m) {
    return assertThrows(TerminalFormatException.class, () -> TerminalCodec.pack(m));
  }

  // ---------------------------------------------------------------------------- n fixed

  @Test
  void numericFixedIsRightAlignedBcd() throws Exception {
    TerminalMessage back =
        assertWire(msg().set(4, "1234").build(), "0200 1000000000000000 000000001234");
    assertEquals("000000001234", back.get(4), "short amounts are zero-filled on the left");
    back = assertWire(msg().set(23, "1").build(), "0200 0000020000000000 0001");
    assertEquals("001", back.get(23));
    assertWire(msg().set(53, "2600000000000000").build(), "0200 0000000000000800 2600000000000000");
  }

  @Test
  void field22IsLeftAligned() throws Exception {
    TerminalMessage back = assertWire(msg().set(22, "021").build(), "0200 0000040000000000 0210");
    assertEquals("021", back.get(22));
    assertWire(msg().set(22, "071").build(), "0200 0000040000000000 0710");
    // ...while 23 (also n3) is right-aligned
    assertWire(msg().set(23, "021").build(), "0200 0000020000000000 0021");
  }

  @Test
  void padNibbleMustBeZero() {
    TerminalFormatException e = unpackFails("0200 0000040000000000 0211");
    assertEquals(22, e.field());
    assertEquals(11, e.offset());
    assertTrue(
        e.getMessage().startsWith("field 22 at offset 11: pad nibble must be 0"), e.getMessage());

    e = unpackFails("0200 0000020000000000 1021"); // 23 is right-aligned: the pad nibble leads
    assertEquals(23, e.field());
    assertEquals(10, e.offset());
  }

  // --------------------------------------------------------------------------- LL / LLL n

  @Test
  void llvarNumericWithOddLengthIsLeftAlignedWithTrailingPad() throws Exception {
    TerminalMessage back = assertWire(msg().set(2, "123").build(), "0200 4000000000000000 03 1230");
    assertEquals("123", back.get(2));
    assertWire(msg().set(2, "1234").build(), "0200 4000000000000000 04 1234");
    assertWire(
        msg().set(2, "6227004226680056546").build(),
        "0200 4000000000000000 19 62270042266800565460");
    assertWire(msg().set(60, "00000001003").build(), "0200 0000000000000010 0011 000000010030");

    TerminalFormatException e = unpackFails("0200 4000000000000000 03 1231");
    assertEquals(2, e.field());
    assertEquals(12, e.offset());
  }

  @Test
  void llPrefixMustBeBcdAndWithinTheMaximum() {
    TerminalFormatException e = unpackFails("0200 4000000000000000 1A 1234567890");
    assertEquals(2, e.field());
    assertEquals(10, e.offset());
    assertEquals("field 2 at offset 10: length prefix byte 1A is not BCD", e.getMessage());

    e = unpackFails("0200 4000000000000000 20 12345678901234567890");
    assertEquals(2, e.field());
    assertEquals(10, e.offset());
    assertTrue(e.getMessage().contains("length 20 exceeds the maximum 19"), e.getMessage());

    e = unpackFails("0200 0000000000000010 0020 1234567890123456789012"); // 60 is n..19
    assertEquals(60, e.field());
    assertEquals(10, e.offset());
  }

  // ------------------------------------------------------------------------------------ z

  @Test
  void trackKeepsEqualsSignAsNibbleD() throws Exception {
    TerminalMessage back =
        assertWire(msg().set(35, "12=34").build(), "0200 0000000020000000 05 12D340");
    assertEquals("12=34", back.get(35));
    back = assertWire(msg().set(36, "996=1").build(), "0200 0000000010000000 0005 996D10");
    assertEquals("996=1", back.get(36));

    TerminalFormatException e = unpackFails("0200 0000000020000000 05 12E340");
    assertEquals(35, e.field());
    assertEquals(12, e.offset());
    assertTrue(e.getMessage().contains("nibble E"), e.getMessage());
  }

  @Test
  void equalsSignIsNotANumericDigit() {
    TerminalFormatException e = unpackFails("0200 4000000000000000 03 12D0");
    assertEquals(2, e.field());
    assertEquals(12, e.offset());
    assertTrue(e.getMessage().contains("not a BCD digit"), e.getMessage());

    e = packFails(msg().set(2, "12=3").build());
    assertEquals(2, e.field());
    assertEquals(TerminalFormatException.NO_OFFSET, e.offset());
  }

  // ---------------------------------------------------------------------------------- b

  @Test
  void lllBinaryCountsBytes() throws Exception {
    TerminalMessage back =
        assertWire(
            msg().setBytes(55, Hex.bytes("9F2608")).build(), "0200 0000000000000200 0003 9F2608");
    assertArrayEquals(Hex.bytes("9F2608"), back.getBytes(55));
    assertEquals("9F2608", back.get(55), "get() of a b field is hex");
    assertWire(msg().setBytes(62, new byte[0]).build(), "0200 0000000000000004 0000");

    TerminalFormatException e = packFails(msg().setBytes(55, new byte[256]).build());
    assertEquals(55, e.field());
    assertTrue(e.getMessage().contains("256 bytes, maximum 255"), e.getMessage());

    e = unpackFails("0200 0000000000000200 0256" + "00".repeat(256));
    assertEquals(55, e.field());
    assertEquals(10, e.offset());
  }

  @Test
  void fixedBinaryMustHaveItsExactLength() throws Exception {
    assertWire(
        msg().setBytes(52, Hex.bytes("ACF46E73838A82F9")).build(),
        "0200 0000000000001000 ACF46E73838A82F9");
    TerminalFormatException e = packFails(msg().setBytes(64, new byte[7]).build());
    assertEquals(64, e.field());
    assertTrue(e.getMessage().contains("must be exactly 8"), e.getMessage());
  }

  @Test
  void binaryAndTextFieldsAreNotInterchangeable() {
    assertEquals(64, packFails(msg().set(64, "B3A092AE").build()).field());
    assertEquals(41, packFails(msg().setBytes(41, new byte[8]).build()).field());
    TerminalMessage m = msg().set(41, "12345678").build();
    assertThrows(IllegalArgumentException.class, () -> m.getBytes(41));
  }

  // ------------------------------------------------------------------------------ an/ans

  @Test
  void ansFixedIsSpacePaddedOnTheRight() throws Exception {
    TerminalMessage back =
        assertWire(msg().set(41, "ab").build(), "0200 0000000000800000 6162202020202020");
    assertEquals("ab      ", back.get(41));
    assertWire(msg().set(39, "00").build(), "0200 0000000002000000 3030");

    TerminalFormatException e = packFails(msg().set(41, "123456789").build());
    assertEquals(41, e.field());
    assertTrue(e.getMessage().contains("9 characters, maximum 8"), e.getMessage());
  }

  @Test
  void llAndLllTextCountBytes() throws Exception {
    assertWire(msg().set(44, "abc").build(), "0200 0000000000100000 03 616263");
    assertWire(msg().set(63, "01 ").build(), "0200 0000000000000002 0003 303120");
    assertWire(
        msg().set(54, "3002156D900000100000").build(),
        "0200 0000000000000400 0020 3330303231353644393030303030313030303030");
    assertEquals(63, packFails(msg().set(63, "x".repeat(164)).build()).field());
    assertEquals(63, packFails(msg().set(63, "\u4e2d").build()).field(), "one byte per character");
  }

  // ------------------------------------------------------------------------- n content

  @Test
  void numericFieldsMustHoldDigits() {
    TerminalFormatException e = packFails(msg().set(4, "12a4").build());
    assertEquals(4, e.field());
    assertTrue(
        e.getMessage().startsWith("field 4: character at position 3 is not a digit"),
        e.getMessage());

    e = packFails(msg().set(4, "1234567890123").build());
    assertEquals(4, e.field());
    assertTrue(e.getMessage().contains("13 digits, maximum 12"), e.getMessage());

    e = unpackFails("0200 1000000000000000 00000000123A");
    assertEquals(4, e.field());
    assertEquals(15, e.offset());
  }

  @Test
  void errorsNeverRepeatCardData() {
    String pan = "6224242900000113";
    TerminalFormatException e = packFails(msg().set(2, pan + "X").build());
    assertFalse(e.getMessage().contains("622424"), e.getMessage());
    e = packFails(msg().set(35, pan + "=2806X").build());
    assertFalse(e.getMessage().contains("622424"), e.getMessage());
  }

  // ------------------------------------------------------------------- message structure

  @Test
  void messageWithoutFields() throws Exception {
    TerminalMessage back =
        assertWire(TerminalMessage.builder("0820").build(), "0820 0000000000000000");
    assertTrue(back.fields().isEmpty());
  }

  @Test
  void truncatedMessageNamesTheFieldAndWhereItStarts() {
    byte[] body = mac2Body();
    // field 35 (LL z) starts at offset 26 in the MAC 2 vector
    TerminalFormatException e =
        assertThrows(
            TerminalFormatException.class, () -> TerminalCodec.unpack(Arrays.copyOf(body, 30)));
    assertEquals(35, e.field());
    assertEquals(26, e.offset());
    assertTrue(e.getMessage().startsWith("field 35 at offset 26: truncated"), e.getMessage());

    e =
        assertThrows(
            TerminalFormatException.class, () -> TerminalCodec.unpack(Arrays.copyOf(body, 26)));
    assertEquals(35, e.field());
    assertEquals(26, e.offset());

    e =
        assertThrows(
            TerminalFormatException.class, () -> TerminalCodec.unpack(Arrays.copyOf(body, 15)));
    assertEquals(4, e.field());
    assertEquals(13, e.offset());

    e =
        assertThrows(
            TerminalFormatException.class, () -> TerminalCodec.unpack(Arrays.copyOf(body, 5)));
    assertEquals(1, e.field());
    assertEquals(2, e.offset());

    e = assertThrows(TerminalFormatException.class, () -> TerminalCodec.unpack(new byte[1]));
    assertEquals(0, e.field());
    assertEquals(0, e.offset());
  }

  @Test
  void everyTruncationIsAFormatError() {
    byte[] body = mac2Body();
    for (int n = 0; n < body.length; n++) {
      byte[] cut = Arrays.copyOf(body, n);
      assertThrows(TerminalFormatException.class, () -> TerminalCodec.unpack(cut), "cut at " + n);
    }
  }

  @Test
  void badBcdNibbleInTheMti() {
    TerminalFormatException e = unpackFails("0A00 0000000000000000");
    assertEquals(0, e.field());
    assertEquals(0, e.offset());
  }

  @Test
  void secondaryBitmapIsRejected() {
    TerminalFormatException e = unpackFails("0200 F020048000C08015 " + "00".repeat(16));
    assertEquals(1, e.field());
    assertEquals(2, e.offset());
    assertTrue(e.getMessage().contains("bit 1"), e.getMessage());
  }

  @Test
  void fieldOutsideTheProtocolIsRejected() {
    TerminalFormatException e = unpackFails("0200 0800000000000000 000000000001"); // field 5
    assertEquals(5, e.field());
    assertEquals(2, e.offset(), "the bitmap byte that announces it");
    assertEquals(5, packFails(msg().set(5, "000000000001").build()).field());
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] body = mac2Body();
    byte[] longer = Arrays.copyOf(body, body.length + 2);
    TerminalFormatException e =
        assertThrows(TerminalFormatException.class, () -> TerminalCodec.unpack(longer));
    assertEquals(64, e.field());
    assertEquals(body.length, e.offset());
    assertTrue(e.getMessage().contains("2 trailing byte(s)"), e.getMessage());
  }

  /**
   * Whatever a corrupted body holds, unpack either fails with a format error or gives a message
   * that packs back to exactly those bytes (nothing is silently normalised).
   */
  @Test
  void corruptedBodiesFailCleanlyOrRoundTrip() throws Exception {
    byte[] body = mac2Body();
    Random random = new Random(8583);
    int accepted = 0;
    for (int i = 0; i < 3000; i++) {
      byte[] b = body.clone();
      b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      TerminalMessage m;
      try {
        m = TerminalCodec.unpack(b);
      } catch (TerminalFormatException e) {
        assertTrue(e.field() >= 0 && e.offset() >= 0 && e.offset() <= b.length, e.getMessage());
        continue;
      }
      accepted++;
      assertArrayEquals(b, TerminalCodec.pack(m));
    }
    assertTrue(accepted > 0 && accepted < 3000, "both outcomes exercised: " + accepted);
  }

  @Test
  void unpackedFieldsKeepTheirOrder() throws Exception {
    TerminalMessage m = TerminalCodec.unpack(mac2Body());
    assertEquals(
        List.of(3, 4, 11, 22, 25, 26, 35, 41, 42, 49, 52, 53, 60, 64), List.copyOf(m.fields()));
  }

  static byte[] mac2Body() {
    byte[] mab = Hex.bytes(TerminalProtocolVectorsTest.MAC2_MAB);
    byte[] body = Arrays.copyOf(mab, mab.length + 8);
    System.arraycopy("8A9E91B8".getBytes(StandardCharsets.US_ASCII), 0, body, mab.length, 8);
    return body;
  }
}
