package org.posp.terminal.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One valid body of every message of docs/protocol/terminal.md §4 (requests with the fields of §5,
 * and the replies), plus the captured frames of {@link CapturedMessagesTest}: the seeds the codec
 * fuzz test mutates. Field values are in their declared formats (§3); MACs are placeholders, the
 * codec does not check them.
 */
final class ProtocolMessages {
  static final String TID = "10000001";
  static final String MID = "898100012340001";
  static final String BATCH = "000001";
  static final String PAN = "6214880000000018";
  static final String TRACK2 = PAN + "=30121010000000";
  static final String TRACK3 =
      "99" + PAN + "=1561560000000000000000000000000000000000000000=000000000000=0000000000000000";

  /** A short BER-TLV: 9F26 (ARQC) and 9F36 (ATC). */
  static final byte[] ICC = Hex.bytes("9F2608A1B2C3D4E5F60718 9F360200 2A");

  static final byte[] PIN_BLOCK = Hex.bytes("ACF46E73838A82F9");
  static final byte[] MAC = "0A1B2C3D".getBytes(US_ASCII);

  private ProtocolMessages() {}

  /** Name → body, in §4 order; every body unpacks. */
  static Map<String, byte[]> bodies() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    messages().forEach((name, m) -> out.put(name, pack(m)));
    for (String[] captured :
        new String[][] {
          {"captured QR 0200 (§8.1)", CapturedMessagesTest.P3_FRAME},
          {"captured IC sale 0200 (§8.3)", CapturedMessagesTest.P4_IC_SALE},
          {"captured balance reply 0210 (§8.4)", CapturedMessagesTest.BALANCE_REPLY},
          {"captured sign-on 0800 (§8.5)", CapturedMessagesTest.SIGN_ON}
        }) {
      try {
        out.put(captured[0], TerminalFrame.decode(Hex.bytes(captured[1])).body());
      } catch (TerminalFormatException e) {
        throw new AssertionError(captured[0] + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  static Map<String, TerminalMessage> messages() {
    Map<String, TerminalMessage> m = new LinkedHashMap<>();
    m.put(
        "sign-on 0800",
        admin("0800", "003").setBytes(62, "SN-0042-XY".getBytes(US_ASCII)).set(63, "01 ").build());
    m.put("sign-on 0800 single DES", admin("0800", "001").set(63, "001").build());
    m.put("sign-off 0820", admin("0820", "002").build());
    m.put("echo 0820", admin("0820", "301").build());
    m.put(
        "balance 0200",
        card("0200", "310000", "00", "01")
            .set(26, "06")
            .setBytes(52, PIN_BLOCK)
            .set(53, "2600000000000000")
            .setBytes(64, MAC)
            .build());
    m.put(
        "sale 0200 swiped",
        card("0200", "000000", "00", "22")
            .set(4, "000000012345")
            .set(36, TRACK3)
            .setBytes(64, MAC)
            .build());
    m.put(
        "sale 0200 keyed",
        keyed("0200", "000000", "00", "22").set(4, "000000000100").setBytes(64, MAC).build());
    m.put(
        "sale 0200 IC",
        card("0200", "000000", "00", "22")
            .set(4, "000000000051")
            .set(22, "051")
            .set(23, "001")
            .set(26, "06")
            .setBytes(52, PIN_BLOCK)
            .set(53, "2600000000000000")
            .setBytes(55, ICC)
            .setBytes(64, MAC)
            .build());
    m.put(
        "sale void 0200/23",
        card("0200", "200000", "00", "23")
            .set(4, "000000012345")
            .set(37, "000000123456")
            .set(38, "A1B2C3")
            .set(61, BATCH + "000007")
            .setBytes(64, MAC)
            .build());
    m.put(
        "refund 0220/25",
        card("0220", "200000", "00", "25")
            .set(4, "000000000500")
            .set(37, "000000123456")
            .set(61, BATCH + "000007" + "1207")
            .setBytes(64, MAC)
            .build());
    m.put(
        "pre-auth 0100/10",
        card("0100", "030000", "06", "10").set(4, "000000100000").setBytes(64, MAC).build());
    m.put(
        "pre-auth void 0100/11",
        card("0100", "200000", "06", "11")
            .set(4, "000000100000")
            .set(38, "P00001")
            .set(61, BATCH + "000009" + "1207")
            .setBytes(64, MAC)
            .build());
    m.put(
        "completion 0200/20",
        card("0200", "000000", "06", "20")
            .set(4, "000000110000")
            .set(38, "P00001")
            .set(61, BATCH + "000009" + "1207")
            .setBytes(64, MAC)
            .build());
    m.put(
        "completion void 0200/21",
        card("0200", "200000", "06", "21")
            .set(4, "000000110000")
            .set(37, "000000654321")
            .set(38, "P00001")
            .set(61, BATCH + "000010" + "1207")
            .setBytes(64, MAC)
            .build());
    m.put(
        "completion notice 0220/24",
        keyed("0220", "000000", "06", "24")
            .set(4, "000000090000")
            .set(38, "P00001")
            .set(61, BATCH + "000009" + "1207")
            .setBytes(64, MAC)
            .build());
    m.put(
        "reversal 0400",
        TerminalMessage.builder("0400")
            .set(2, PAN)
            .set(3, "000000")
            .set(4, "000000012345")
            .set(11, "000007")
            .set(14, "3012")
            .set(22, "021")
            .set(25, "00")
            .set(39, "98")
            .set(41, TID)
            .set(42, MID)
            .set(49, "156")
            .set(60, "22" + BATCH + "000")
            .setBytes(64, MAC)
            .build());
    m.put(
        "settlement 0500",
        admin("0500", "201")
            .set(
                48, "000000012345001000000000500001" + "0" + "000000000000000000000000000000" + "0")
            .set(49, "156")
            .set(63, "001")
            .build());
    m.put(
        "batch upload 0320/201",
        admin("0320", "201")
            .set(
                48,
                "02"
                    + "00"
                    + "000007"
                    + "00006214880000000018"
                    + "000000012345"
                    + "00"
                    + "000008"
                    + "00006214880000000026"
                    + "000000000100")
            .build());
    m.put("batch upload 0320/207", admin("0320", "207").set(48, "0002").build());
    m.put(
        "batch upload 0320/203",
        admin("0320", "203")
            .set(48, "01" + "01" + "000009" + "00006214880000000034" + "000000000051")
            .build());
    m.put(
        "QR sale 0200/26",
        base("0200")
            .set(3, "000000")
            .set(4, "000000001234")
            .set(22, "030")
            .set(25, "00")
            .set(49, "156")
            .set(60, "26" + BATCH + "000")
            .setBytes(62, "134567890123456789".getBytes(US_ASCII))
            .set(63, "001")
            .setBytes(64, MAC)
            .build());
    m.put(
        "QR refund 0220/27",
        base("0220")
            .set(3, "200000")
            .set(4, "000000001234")
            .set(22, "030")
            .set(25, "00")
            .set(37, "000000777777")
            .set(49, "156")
            .set(60, "27" + BATCH + "000")
            .set(61, BATCH + "000011" + "1207")
            .set(63, "001")
            .setBytes(64, MAC)
            .build());
    m.put("unsupported 0800/360", admin("0800", "360").build());
    // replies (the codec serves both directions)
    m.put(
        "sign-on reply 0810",
        reply(admin("0810", "003")).set(32, "01020000").setBytes(62, new byte[40]).build());
    m.put(
        "sale reply 0210",
        reply(card("0200", "000000", "00", "22").mti("0210").set(4, "000000012345"))
            .set(15, "1208")
            .set(32, "01020000")
            .set(38, "A1B2C3")
            .set(44, "01020000   03040000   ")
            .set(63, "CUP")
            .setBytes(64, MAC)
            .build());
    m.put(
        "balance reply 0210",
        reply(keyed("0210", "310000", "00", "01")).set(54, "1002156C000100000000").build());
    m.put(
        "settlement reply 0510",
        reply(admin("0510", "201"))
            .set(15, "1208")
            .set(
                48, "000000012345001000000000500001" + "1" + "000000000000000000000000000000" + "1")
            .set(49, "156")
            .build());
    m.put("batch upload reply 0330", reply(admin("0330", "201")).build());
    m.put(
        "reversal reply 0410",
        reply(
                base("0410")
                    .set(3, "000000")
                    .set(4, "000000012345")
                    .set(25, "00")
                    .set(49, "156")
                    .set(60, "22" + BATCH + "000"))
            .set(15, "1208")
            .set(32, "01020000")
            .build());
    return m;
  }

  private static TerminalMessage.Builder base(String mti) {
    return TerminalMessage.builder(mti).set(11, "000042").set(41, TID).set(42, MID);
  }

  private static TerminalMessage.Builder admin(String mti, String networkCode) {
    return base(mti).set(60, "00" + BATCH + networkCode);
  }

  /** A swiped financial request: 3 11 22 25 35 41 42 49 60 63. */
  private static TerminalMessage.Builder card(
      String mti, String processingCode, String condition, String type) {
    return base(mti)
        .set(3, processingCode)
        .set(22, "021")
        .set(25, condition)
        .set(35, TRACK2)
        .set(49, "156")
        .set(60, type + BATCH + "000")
        .set(63, "001");
  }

  /** A keyed financial request: 2 14 instead of 35. */
  private static TerminalMessage.Builder keyed(
      String mti, String processingCode, String condition, String type) {
    return card(mti, processingCode, condition, type)
        .remove(35)
        .set(2, PAN)
        .set(14, "3012")
        .set(22, "012");
  }

  private static TerminalMessage.Builder reply(TerminalMessage.Builder request) {
    return request.set(12, "101530").set(13, "1207").set(37, "000000123456").set(39, "00");
  }

  static byte[] pack(TerminalMessage m) {
    try {
      return TerminalCodec.pack(m);
    } catch (TerminalFormatException e) {
      throw new AssertionError("seed message does not pack: " + e.getMessage(), e);
    }
  }
}
