package org.posp.sim.terminal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The packager against captured messages (research §8, copied here) and the §3 alignment rules. */
class TerminalCodecTest {
  private final TerminalCodec codec = TerminalCodec.get();

  /**
   * The MAC 2 sale, built field by field: its packed bytes minus field 64 must be the published
   * MAB.
   */
  @Test
  void packedSaleIsTheMac2Mab() {
    TerminalMessage sale =
        TerminalMessage.of("0200")
            .with(3, "000000")
            .with(4, "000000000051")
            .with(11, "001834")
            .with(22, "021")
            .with(25, "00")
            .with(26, "06")
            .with(35, "4392260009942820=131210112008439")
            .with(41, "16688014")
            .with(42, "000000000000001")
            .with(49, "156")
            .withBytes(52, Hex.parse("ACF46E73838A82F9"))
            .with(53, "2600000000000000")
            .with(60, "22000001")
            .withBytes(64, new byte[8]);
    byte[] body = codec.pack(sale);
    assertEquals(CryptoVectorsTest.MAC2_MAB, Hex.of(Arrays.copyOf(body, body.length - 8)));
    byte[] tak = Hex.parse("C24A8FB57AA20123");
    assertEquals(
        "8A9E91B8", new String(CupMac.computeForBody(tak, body), StandardCharsets.US_ASCII));
    TerminalMessage back = codec.unpack(body);
    assertEquals(sale, back);
    assertEquals("021", back.get(22));
    assertEquals("4392260009942820=131210112008439", back.get(35));
  }

  @Test
  void mac1FrameParsesAndRepacks() {
    Frame frame = Frame.decode(Hex.parse(CryptoVectorsTest.MAC1_FRAME));
    assertEquals("6000030000", Hex.of(frame.tpdu()));
    assertEquals("603210320072", Hex.of(frame.header()));
    TerminalMessage m = codec.unpack(frame.body());
    assertEquals("0200", m.mti());
    assertEquals("000000001234", m.get(4));
    assertEquals("000002", m.get(11));
    assertEquals("030", m.get(22));
    assertEquals("99", m.get(25));
    assertEquals("00000001", m.get(41));
    assertEquals("952718182217875", m.get(42));
    assertEquals("2600000100060000000", m.get(60));
    assertEquals(43, m.bytes(62).length);
    assertEquals("B3A092AE", new String(m.bytes(64), StandardCharsets.US_ASCII));
    assertArrayEquals(frame.body(), codec.pack(m));
    assertArrayEquals(Hex.parse(CryptoVectorsTest.MAC1_FRAME), frame.encode());
  }

  /** research §8.4: a 0210 balance reply with 2 (19 digits), 32, 44, 54 and a 13-digit 60. */
  @Test
  void balanceReplyCaptureParses() {
    String hex =
        "00A160000006156031003100010210603C00810AD08C1119622700422668005654603100000001751628280827100100"
            + "089999000033323339313637313935303530303130303030303732393939323930303534393930303031223031303530"
            + "303030202020393939393030303020202031353626000000000000000020333030323135364439303030303031303030"
            + "30300013016000010005004532454441393032";
    Frame frame = Frame.decode(Hex.parse(hex));
    assertEquals("6000000615", Hex.of(frame.tpdu()));
    TerminalMessage m = codec.unpack(frame.body());
    assertEquals("0210", m.mti());
    assertEquals("6227004226680056546", m.get(2));
    assertEquals("310000", m.get(3));
    assertEquals("000175", m.get(11));
    assertEquals("162828", m.get(12));
    assertEquals("0827", m.get(13));
    assertEquals("1001", m.get(14));
    assertEquals("99990000", m.get(32));
    assertEquals("323916719505", m.get(37));
    assertEquals("00", m.get(39));
    assertEquals("01050000   99990000   ", m.get(44));
    assertEquals("2600000000000000", m.get(53));
    assertEquals("3002156D900000100000", m.get(54));
    assertEquals("0160000100050", m.get(60));
    assertEquals("E2EDA902", new String(m.bytes(64), StandardCharsets.US_ASCII));
    assertArrayEquals(frame.body(), codec.pack(m));
    assertEquals("622700****6546", Masking.pan(m.get(2)));
    assertFalse(m.toString().contains("6227004226680056546"));
  }

  /** research §8.5: a sign-on request with an 11-digit 60 (pad nibble) and ASCII 62. */
  @Test
  void signOnRequestCaptureParses() {
    String hex =
        "005B600003000060310031131208000020000000C0001600000131303030303135393838303231303031303231303136"
            + "300011000000010030002953657175656E6365204E6F3136333135305358582D34433330343131390003303120";
    Frame frame = Frame.decode(Hex.parse(hex));
    TerminalMessage m = codec.unpack(frame.body());
    assertEquals("0800", m.mti());
    assertEquals("000001", m.get(11));
    assertEquals("10000159", m.get(41));
    assertEquals("880210010210160", m.get(42));
    assertEquals("00000001003", m.get(60));
    assertEquals("000001", m.field60Batch());
    assertEquals("003", m.field60Network());
    assertEquals(
        "Sequence No163150SXX-4C304119", new String(m.bytes(62), StandardCharsets.US_ASCII));
    assertEquals("01 ", m.get(63));
    assertArrayEquals(frame.body(), codec.pack(m));
  }

  @Test
  void alignmentRules() {
    TerminalMessage m =
        TerminalMessage.of("0200")
            .with(3, "000000")
            .with(22, "021")
            .with(23, "001")
            .with(48, "123")
            .with(60, "00000001003")
            .with(61, "0000010000020612");
    byte[] body = codec.pack(m);
    String hex = Hex.of(body);
    // 3 (000000) then 22 left-aligned (02 10), 23 right-aligned (00 01)
    assertTrue(hex.startsWith("0200" + "2000060000010018" + "000000" + "0210" + "0001"), hex);
    assertTrue(
        hex.contains("0003" + "1230"), "48 LLL digits, left-aligned with pad nibble: " + hex);
    assertTrue(hex.contains("0011" + "000000010030"), "60 odd length padded right: " + hex);
    assertTrue(hex.endsWith("0016" + "0000010000020612"), hex);
    assertEquals(m, codec.unpack(body));
  }

  @Test
  void badValuesNameTheField() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> codec.pack(TerminalMessage.of("0200").with(4, "12.34")));
    assertTrue(e.getMessage().contains("field 4"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> codec.pack(TerminalMessage.of("0200").with(41, "123456789")));
    assertTrue(e.getMessage().contains("field 41"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> codec.pack(TerminalMessage.of("0200").with(35, "4392D1312")));
    assertTrue(e.getMessage().contains("field 35"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TerminalMessage.of("0200").with(52, "00"));
    assertThrows(IllegalArgumentException.class, () -> TerminalMessage.of("0200").with(59, "00"));
  }

  @Test
  void unpackRejectsSecondaryBitmapTrailingBytesAndUndefinedFields() {
    byte[] body = codec.pack(TerminalMessage.of("0820").with(11, "000001").with(41, "10000001"));
    byte[] withBit1 = body.clone();
    withBit1[2] |= (byte) 0x80;
    assertThrows(TerminalCodec.FormatException.class, () -> codec.unpack(withBit1));
    byte[] trailing = Arrays.copyOf(body, body.length + 1);
    assertThrows(TerminalCodec.FormatException.class, () -> codec.unpack(trailing));
    byte[] field59 = body.clone();
    field59[2 + 7] |= 0x20; // bit 59
    assertThrows(TerminalCodec.FormatException.class, () -> codec.unpack(field59));
    assertThrows(TerminalCodec.FormatException.class, () -> codec.unpack(new byte[5]));
  }

  @Test
  void framingLimits() throws Exception {
    assertThrows(
        Frame.FramingException.class,
        () -> Frame.read(new ByteArrayInputStream(new byte[] {0x08, 0x01})));
    assertThrows(
        Frame.FramingException.class,
        () -> Frame.read(new ByteArrayInputStream(new byte[] {0x00, 20})));
    assertThrows(
        EOFException.class,
        () -> Frame.read(new ByteArrayInputStream(new byte[] {0x00, 30, 1, 2})));
    assertEquals(null, Frame.read(new ByteArrayInputStream(new byte[0])));
    assertThrows(IllegalArgumentException.class, () -> Frame.decode(new byte[] {0x00, 0x30, 1}));
    assertArrayEquals(Hex.parse("6000000003"), Frame.swappedTpdu(Hex.parse("6000030000")));
  }
}
