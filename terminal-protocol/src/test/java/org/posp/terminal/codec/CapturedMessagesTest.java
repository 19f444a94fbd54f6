package org.posp.terminal.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Messages captured from real CUP POS terminals and published with the format's public write-ups,
 * copied verbatim (whole frames with LEN): each parses to the documented fields and packs back to
 * the very same bytes.
 */
class CapturedMessagesTest {

  /**
   * §8.1 (P3), as published: colon-separated lowercase hex. Same message as the published vector
   * MAC 1.
   */
  static final String P3_FRAME =
      "00:7f:60:00:03:00:00:60:32:10:32:00:72:02:00:30:20:04:80:00:c0:80:15:00:00:00:00:00:00:00:12:34:00:00:02:03:00:99:30:30:30:30:30:30:30:31:39:35:32:37:31:38:31:38:32:32:31:37:38:37:35:31:35:36:00:19:26:00:00:01:00:06:00:00:00:00:00:43:5f:01:12:32:38:34:34:31:32:33:34:35:36:37:38:39:30:31:32:33:34:5f:03:06:31:36:30:30:33:36:5f:04:06:32:30:30:38:32:36:5c:02:30:31:42:33:41:30:39:32:41:45";

  /** §8.3 (P4): IC contactless sale request, with acquirer field 59. */
  static final String P4_IC_SALE =
      "01 AA 60 00 06 00 00 60 31 00 31 10 03 02 00 70 24 06 C0 20 C1 9A 31 16 62 24 24 29 00 "
          + "00 01 13 00 00 00 00 00 00 00 00 01 00 04 03 28 06 07 10 00 00 00 12 34 62 24 24 29 00 "
          + "00 01 13 D2 80 62 01 39 49 03 10 13 31 30 30 30 30 30 31 39 38 35 30 31 30 30 30 38 32 "
          + "34 31 30 30 30 32 00 01 00 31 35 36 D1 EE F4 19 D0 AE 26 09 26 00 00 00 00 00 00 00 01 "
          + "39 9F 26 08 95 BB E3 72 27 1D DA 7C 9F 27 01 80 9F 10 13 07 01 01 03 A0 00 00 01 0A 01 "
          + "00 00 00 00 00 ED 53 8F E4 9F 37 04 7F 9F 34 9E 9F 36 02 01 57 95 05 00 00 00 00 00 9A "
          + "03 19 08 30 9C 01 00 9F 02 06 00 00 00 00 00 01 5F 2A 02 01 56 82 02 7C 00 9F 1A 02 01 "
          + "56 9F 03 06 00 00 00 00 00 00 9F 33 03 E0 E1 C8 9F 35 01 22 9F 1E 08 31 30 30 30 30 30 "
          + "31 39 84 08 A0 00 00 03 33 01 01 02 9F 09 02 00 8C 9F 41 04 00 00 04 03 01 53 31 32 32 "
          + "30 38 39 38 36 30 36 31 37 30 38 30 30 30 32 35 38 33 39 39 33 31 33 31 31 48 46 54 31 "
          + "37 30 38 30 33 30 31 31 34 31 34 32 30 31 39 30 38 33 30 30 39 33 34 33 35 31 35 30 32 "
          + "30 30 31 37 32 32 42 44 33 30 2E 36 32 31 35 35 35 2C 31 31 34 2E 33 36 31 39 35 34 41 "
          + "32 36 30 30 31 30 32 30 32 30 32 31 36 30 30 30 30 32 39 30 32 31 30 30 31 35 37 30 38 "
          + "30 33 30 36 30 30 30 31 31 33 30 34 30 38 30 34 32 34 37 32 39 32 30 35 30 38 48 37 30 "
          + "36 32 38 30 31 00 14 22 00 00 24 00 06 00 38 46 36 35 31 42 32 36 ";

  /** §8.4 KoolCloud balance-inquiry reply 0210. */
  static final String BALANCE_REPLY =
      "00 A1 60 00 00 06 15 60 31 00 31 00 01 02 10 60 3C 00 81 0A D0 8C 11 19 62 27 00 42 26 68 00 56 54 60 31 00 00 00 01 75 16 28 28 08 27 10 01 00 08 99 99 00 00 33 32 33 39 31 36 37 31 39 35 30 35 30 30 31 30 30 30 30 30 37 32 39 39 39 32 39 30 30 35 34 39 39 30 30 30 31 22 30 31 30 35 30 30 30 30 20 20 20 39 39 39 39 30 30 30 30 20 20 20 31 35 36 26 00 00 00 00 00 00 00 00 20 33 30 30 32 31 35 36 44 39 30 30 30 30 30 31 30 30 30 30 30 00 13 01 60 00 01 00 05 00 45 32 45 44 41 39 30 32 ";

  /** §8.5 sign-on request 0800. */
  static final String SIGN_ON =
      "00 5B 60 00 03 00 00 60 31 00 31 13 12 08 00 00 20 00 00 00 c0 00 16 00 00 01 31 30 30 30 30 31 35 39 38 38 30 32 31 30 30 31 30 32 31 30 31 36 30 00 11 00 00 00 01 00 30 00 29 53 65 71 75 65 6e 63 65 20 4e 6f 31 36 33 31 35 30 53 58 58 2d 34 43 33 30 34 31 31 39 00 03 30 31 20 ";

  private static TerminalMessage roundTrip(String hex) throws TerminalFormatException {
    byte[] wire = Hex.bytes(hex);
    TerminalFrame frame = TerminalFrame.decode(wire);
    TerminalMessage m = TerminalCodec.unpack(frame.body());
    assertArrayEquals(
        frame.body(), TerminalCodec.pack(m), "pack(unpack(body)) must give the same bytes");
    assertArrayEquals(wire, frame.encode(), "frame must encode to the same bytes");
    return m;
  }

  @Test
  void p3QrMessage() throws Exception {
    TerminalMessage m = roundTrip(P3_FRAME);
    assertArrayEquals(Hex.bytes(TerminalProtocolVectorsTest.MAC1_FRAME), Hex.bytes(P3_FRAME));
    TerminalFrame frame = TerminalFrame.decode(Hex.bytes(P3_FRAME));
    assertEquals("603210320072", Hex.of(frame.header()));
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
    assertEquals(43, m.getBytes(62).length);
    assertEquals("B3A092AE", new String(m.getBytes(64), US_ASCII));
    assertEquals(108, Macs.mab(frame.body()).length);
  }

  @Test
  void p4IcSale() throws Exception {
    TerminalMessage m = roundTrip(P4_IC_SALE);
    TerminalFrame frame = TerminalFrame.decode(Hex.bytes(P4_IC_SALE));
    assertEquals(0x01AA, Hex.bytes(P4_IC_SALE).length - 2);
    assertEquals("6000060000", Hex.of(frame.tpdu()));
    assertEquals("603100311003", Hex.of(frame.header()));
    assertEquals("0200", m.mti());
    assertEquals(
        List.of(2, 3, 4, 11, 14, 22, 23, 25, 26, 35, 41, 42, 48, 49, 52, 53, 55, 59, 60, 64),
        List.copyOf(m.fields()));
    assertEquals("6224242900000113", m.get(2));
    assertEquals("000000", m.get(3));
    assertEquals("000000000001", m.get(4));
    assertEquals("000403", m.get(11));
    assertEquals("2806", m.get(14));
    assertEquals("071", m.get(22));
    assertEquals("000", m.get(23));
    assertEquals("00", m.get(25));
    assertEquals("12", m.get(26));
    assertEquals("6224242900000113=28062013949031013", m.get(35));
    assertEquals("10000019", m.get(41));
    assertEquals("850100082410002", m.get(42));
    assertEquals("0", m.get(48)); // LLL 001: one digit, sent as the byte 00
    assertEquals("156", m.get(49));
    assertEquals("D1EEF419D0AE2609", m.get(52));
    assertEquals("2600000000000000", m.get(53));
    byte[] icc = m.getBytes(55);
    assertEquals(139, icc.length);
    assertEquals("9F260895BBE372271DDA7C", Hex.of(Arrays.copyOf(icc, 11)));
    assertEquals(153, m.get(59).length());
    assertEquals("22000024000600", m.get(60));
    assertEquals("8F651B26", new String(m.getBytes(64), US_ASCII));

    Field60 f60 = Field60.from(m);
    assertEquals(new Field60("22", "000024", "000", "6", "0", "0", null), f60);
    assertEquals(Optional.of(TransactionType.SALE), TransactionType.classify(m));
  }

  @Test
  void koolCloudBalanceReply() throws Exception {
    TerminalMessage m = roundTrip(BALANCE_REPLY);
    TerminalFrame frame = TerminalFrame.decode(Hex.bytes(BALANCE_REPLY));
    assertEquals("6000000615", Hex.of(frame.tpdu()));
    assertEquals("603100310001", Hex.of(frame.header()));
    assertEquals("0210", m.mti());
    assertEquals(
        List.of(2, 3, 11, 12, 13, 14, 25, 32, 37, 39, 41, 42, 44, 49, 53, 54, 60, 64),
        List.copyOf(m.fields()));
    assertEquals("6227004226680056546", m.get(2));
    assertEquals("310000", m.get(3));
    assertEquals("000175", m.get(11));
    assertEquals("162828", m.get(12));
    assertEquals("0827", m.get(13));
    assertEquals("1001", m.get(14));
    assertEquals("00", m.get(25));
    assertEquals("99990000", m.get(32));
    assertEquals("323916719505", m.get(37));
    assertEquals("00", m.get(39));
    assertEquals("10000072", m.get(41));
    assertEquals("999290054990001", m.get(42));
    assertEquals("01050000   99990000   ", m.get(44));
    assertEquals("156", m.get(49));
    assertEquals("2600000000000000", m.get(53));
    assertEquals("3002156D900000100000", m.get(54));
    assertEquals("0160000100050", m.get(60));
    assertEquals("E2EDA902", new String(m.getBytes(64), US_ASCII));

    assertEquals(new Field60("01", "600001", "000", "5", "0", null, null), Field60.from(m));
    assertEquals(Optional.empty(), TransactionType.classify(m), "a reply is not a request");
  }

  @Test
  void signOnRequest() throws Exception {
    TerminalMessage m = roundTrip(SIGN_ON);
    TerminalFrame frame = TerminalFrame.decode(Hex.bytes(SIGN_ON));
    assertEquals("6000030000", Hex.of(frame.tpdu()));
    assertEquals("603100311312", Hex.of(frame.header()));
    assertEquals("0800", m.mti());
    assertEquals(List.of(11, 41, 42, 60, 62, 63), List.copyOf(m.fields()));
    assertEquals("000001", m.get(11));
    assertEquals("10000159", m.get(41));
    assertEquals("880210010210160", m.get(42));
    assertEquals("00000001003", m.get(60));
    assertEquals("Sequence No163150SXX-4C304119", new String(m.getBytes(62), US_ASCII));
    assertEquals("01 ", m.get(63));

    assertEquals(Field60.of("00", "000001", "003"), Field60.from(m));
    assertEquals(Optional.of(TransactionType.SIGN_ON), TransactionType.classify(m));
  }
}
