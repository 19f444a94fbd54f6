package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The routing table of docs/protocol/terminal.md §4, row by row. */
class TransactionTypeTest {

  private static TerminalMessage financial(String mti, String f3, String f25, String f60) {
    return TerminalMessage.builder(mti).set(3, f3).set(25, f25).set(60, f60).build();
  }

  private static TerminalMessage management(String mti, String f60) {
    return TerminalMessage.builder(mti).set(60, f60).build();
  }

  @ParameterizedTest(name = "{0} {1} {2} {3} -> {4}")
  @CsvSource({
    "0200, 310000, 00, 01000001000, BALANCE,           0210, true,  false",
    "0200, 000000, 00, 22000001000, SALE,              0210, true,  true",
    "0200, 200000, 00, 23000001000, SALE_VOID,         0210, true,  true",
    "0220, 200000, 00, 25000001000, REFUND,            0230, true,  false",
    "0100, 030000, 06, 10000001000, PRE_AUTH,          0110, true,  true",
    "0100, 200000, 06, 11000001000, PRE_AUTH_VOID,     0110, true,  true",
    "0200, 000000, 06, 20000001000, COMPLETION,        0210, true,  true",
    "0200, 200000, 06, 21000001000, COMPLETION_VOID,   0210, true,  true",
    "0220, 000000, 06, 24000001000, COMPLETION_NOTICE, 0230, true,  false",
    "0200, 000000, 00, 26000001000, QR_SALE,           0210, true,  true",
    "0220, 200000, 00, 27000001000, QR_REFUND,         0230, true,  false",
    "0200, 311000, 00, 01000001,    BALANCE,           0210, true,  false",
  })
  void financialRows(
      String mti,
      String f3,
      String f25,
      String f60,
      TransactionType expected,
      String replyMti,
      boolean mac,
      boolean reverses) {
    assertEquals(Optional.of(expected), TransactionType.classify(financial(mti, f3, f25, f60)));
    assertEquals(mti, expected.requestMti());
    assertEquals(replyMti, expected.replyMti());
    assertEquals(mac, expected.requiresMac());
    assertEquals(reverses, expected.terminalReversesOnTimeout());
    assertEquals(mti.substring(0, 2), expected.mtiClass());
    assertFalse(expected.isManagement());
  }

  @ParameterizedTest(name = "{0} 60={1} -> {2}")
  @CsvSource({
    "0800, 00000001001, SIGN_ON,      0810",
    "0800, 00000001003, SIGN_ON,      0810",
    "0800, 00000001004, SIGN_ON,      0810",
    "0820, 00000001002, SIGN_OFF,     0830",
    "0820, 00000001301, ECHO,         0830",
    "0500, 00000001201, SETTLEMENT,   0510",
    "0320, 00000001201, BATCH_UPLOAD, 0330",
    "0320, 00000001202, BATCH_UPLOAD, 0330",
    "0320, 00000001203, BATCH_UPLOAD, 0330",
    "0320, 00000001205, BATCH_UPLOAD, 0330",
    "0320, 00000001207, BATCH_UPLOAD, 0330",
  })
  void managementRows(String mti, String f60, TransactionType expected, String replyMti) {
    assertEquals(Optional.of(expected), TransactionType.classify(management(mti, f60)));
    assertEquals(replyMti, expected.replyMti());
    assertFalse(expected.requiresMac());
    assertFalse(expected.terminalReversesOnTimeout());
    assertTrue(expected.isManagement());
  }

  @ParameterizedTest(name = "unsupported: {0} 60={1}")
  @CsvSource({
    "0800, 00000001006", // SM4 sign-on: not yet
    "0800, 00000001360", // parameter download
    "0800, 00000001370", // IC key download
    "0820, 00000001362", // status upload
    "0320, 00000001204",
    "0500, 00000001202",
    "0800, 00000001", // no 60.3
  })
  void unsupportedManagement(String mti, String f60) {
    assertEquals(Optional.empty(), TransactionType.classify(management(mti, f60)));
  }

  @Test
  void unsupportedFinancial() {
    assertEquals(
        Optional.empty(),
        TransactionType.classify(financial("0220", "000000", "00", "30000001000")),
        "offline settlement");
    assertEquals(
        Optional.empty(),
        TransactionType.classify(financial("0200", "000000", "08", "22000001000")),
        "MOTO");
    assertEquals(
        Optional.empty(),
        TransactionType.classify(financial("0200", "200000", "00", "25000001000")),
        "refund key under the wrong MTI");
    assertEquals(
        Optional.empty(),
        TransactionType.classify(financial("0210", "000000", "00", "22000001000")),
        "a reply");
    assertEquals(
        Optional.empty(),
        TransactionType.classify(
            TerminalMessage.builder("0200").set(3, "000000").set(60, "22000001").build()),
        "no field 25");
    assertEquals(
        Optional.empty(), TransactionType.classify(TerminalMessage.builder("0200").build()));
  }

  @Test
  void reversalCarriesTheOriginalKey() {
    Set<TransactionType> reversible = EnumSet.noneOf(TransactionType.class);
    for (TransactionType t : TransactionType.values()) {
      if (t.typeCode() == null) {
        continue;
      }
      String f3 =
          switch (t) {
            case BALANCE -> "310000";
            case PRE_AUTH -> "030000";
            case SALE, COMPLETION, COMPLETION_NOTICE, QR_SALE -> "000000";
            default -> "200000";
          };
      String f25 =
          t.name().startsWith("PRE_AUTH") || t.name().startsWith("COMPLETION") ? "06" : "00";
      TerminalMessage reversal = financial("0400", f3, f25, t.typeCode() + "000001000");
      assertEquals(Optional.of(t), TransactionType.reversedType(reversal));
      if (TransactionType.classify(reversal).isPresent()) {
        assertEquals(Optional.of(TransactionType.REVERSAL), TransactionType.classify(reversal));
        reversible.add(t);
      }
    }
    assertEquals(
        EnumSet.of(
            TransactionType.SALE,
            TransactionType.SALE_VOID,
            TransactionType.PRE_AUTH,
            TransactionType.PRE_AUTH_VOID,
            TransactionType.COMPLETION,
            TransactionType.COMPLETION_VOID,
            TransactionType.QR_SALE),
        reversible);
    assertEquals("0410", TransactionType.REVERSAL.replyMti());
    assertTrue(TransactionType.REVERSAL.requiresMac());
    assertEquals(
        Optional.empty(),
        TransactionType.classify(financial("0400", "000000", "99", "22000001000")));
    assertEquals(
        Optional.empty(),
        TransactionType.reversedType(financial("0200", "000000", "00", "22000001")));
  }

  @Test
  void mtiClassOfAnyMti() {
    assertEquals("02", TransactionType.mtiClassOf("0210"));
    assertEquals("04", TransactionType.mtiClassOf("0400"));
    assertThrows(IllegalArgumentException.class, () -> TransactionType.mtiClassOf("021"));
  }
}
