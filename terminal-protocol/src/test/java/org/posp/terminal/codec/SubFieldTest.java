package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fields 60, 61 and 48: parse / format round trips and malformed values. */
class SubFieldTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "22000001",
        "00000001003",
        "000000010035",
        "0160000100050",
        "22000024000600",
        "22000024000600123"
      })
  void field60RoundTrips(String digits) throws Exception {
    assertEquals(digits, Field60.parse(digits).format());
  }

  @Test
  void field60SubFields() throws Exception {
    Field60 f = Field60.parse("22000024000600");
    assertEquals("22", f.type());
    assertEquals("000024", f.batch());
    assertEquals("000", f.networkCode());
    assertEquals("6", f.readCapability());
    assertEquals("0", f.icCondition());
    assertEquals("0", f.partialApproval());
    assertNull(f.accountType());
    assertEquals(24, f.batchNumber());
    assertEquals("22000024000", f.firstThree().format());
    assertEquals("22000025000600", f.withBatch("000025").format());
    assertEquals("00000001003", Field60.of("00", "000001", "003").format());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "2",
        "2200000",
        "220000010",
        "2200000100",
        "220000240006001",
        "2200002400060012",
        "220000240006001234",
        "2600000100060000000",
        "22A00001"
      })
  void malformedField60(String digits) {
    TerminalFormatException e =
        assertThrows(TerminalFormatException.class, () -> Field60.parse(digits));
    assertEquals(60, e.field());
    assertTrue(e.getMessage().startsWith("field 60: "), e.getMessage());
  }

  @Test
  void field60NeedsNoGapsAndDigits() throws Exception {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Field60("22", "000001", null, "5", null, null, null));
    assertThrows(IllegalArgumentException.class, () -> Field60.of("22", "1", "000"));
    assertThrows(IllegalArgumentException.class, () -> Field60.of("2x", "000001", "000"));
    assertThrows(IllegalArgumentException.class, () -> Field60.of(null, "000001", "000"));
    TerminalFormatException e =
        assertThrows(
            TerminalFormatException.class,
            () -> Field60.from(TerminalMessage.builder("0200").build()));
    assertEquals("field 60: missing", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "000001",
        "000001000123",
        "0000010001230825",
        "000001000123082500",
        "00000100012308250012345678901"
      })
  void field61RoundTrips(String digits) throws Exception {
    assertEquals(digits, Field61.parse(digits).format());
  }

  @Test
  void field61SubFields() throws Exception {
    Field61 f = Field61.parse("0000010001230825");
    assertEquals("000001", f.originalBatch());
    assertEquals("000123", f.originalStan());
    assertEquals("0825", f.originalDate());
    assertNull(f.authMethod());
    assertEquals(f, Field61.of("000001", "000123", "0825"));
    assertEquals(
        61,
        assertThrows(TerminalFormatException.class, () -> Field61.parse("00000100012")).field());
    assertEquals(61, assertThrows(TerminalFormatException.class, () -> Field61.parse("")).field());
    assertEquals(
        61,
        assertThrows(
                TerminalFormatException.class,
                () -> Field61.parse("000001000123082500123456789012"))
            .field());
  }

  // ---------------------------------------------------------------------- settlement

  @Test
  void settlementTotalsRoundTrip() throws Exception {
    String digits =
        "000000012345"
            + "003"
            + "000000000100"
            + "001"
            + "0"
            + "000000000000"
            + "000"
            + "000000000000"
            + "000"
            + "0";
    assertEquals(62, digits.length());
    SettlementTotals t = SettlementTotals.parse(digits);
    assertEquals(12345, t.domestic().debitAmount());
    assertEquals(3, t.domestic().debitCount());
    assertEquals(100, t.domestic().creditAmount());
    assertEquals(1, t.domestic().creditCount());
    assertEquals(SettlementTotals.REQUEST, t.domestic().code());
    assertEquals(SettlementTotals.Block.EMPTY, t.foreign());
    assertEquals(digits, t.format());

    SettlementTotals balanced = t.withCode(SettlementTotals.BALANCED);
    assertEquals('1', balanced.domestic().code());
    assertEquals('1', balanced.foreign().code());
    assertEquals('1', balanced.format().charAt(30));
    assertEquals('1', balanced.format().charAt(61));
    assertTrue(balanced.sameTotals(t));
    assertFalse(balanced.equals(t));
    assertEquals(balanced, SettlementTotals.parse(balanced.format()));
  }

  @Test
  void malformedSettlementTotals() {
    assertEquals(
        48,
        assertThrows(TerminalFormatException.class, () -> SettlementTotals.parse("0".repeat(61)))
            .field());
    assertEquals(
        48,
        assertThrows(TerminalFormatException.class, () -> SettlementTotals.parse("0".repeat(63)))
            .field());
    assertEquals(
        48,
        assertThrows(
                TerminalFormatException.class,
                () -> SettlementTotals.parse("0".repeat(30) + "=" + "0".repeat(31)))
            .field());
    assertThrows(
        IllegalArgumentException.class, () -> new SettlementTotals.Block(-1, 0, 0, 0, '0'));
    assertThrows(
        IllegalArgumentException.class, () -> new SettlementTotals.Block(0, 1000, 0, 0, '0'));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SettlementTotals.Block(1_000_000_000_000L, 0, 0, 0, '0'));
    assertThrows(IllegalArgumentException.class, () -> new SettlementTotals.Block(0, 0, 0, 0, 'x'));
  }

  // ---------------------------------------------------------------------- batch upload

  @Test
  void batchUploadRecordsRoundTrip() throws Exception {
    BatchUploadRecords records =
        new BatchUploadRecords(
            List.of(
                new BatchUploadRecords.Entry("00", "000403", "6224242900000113", 1),
                new BatchUploadRecords.Entry("01", "000404", "4392260009942820", 123_456)));
    String digits = records.format();
    assertEquals(
        "02"
            + "00"
            + "000403"
            + "00006224242900000113"
            + "000000000001"
            + "01"
            + "000404"
            + "00004392260009942820"
            + "000000123456",
        digits);
    BatchUploadRecords back = BatchUploadRecords.parse(digits);
    assertEquals(records, back);
    assertEquals("6224242900000113", back.entries().get(0).pan());
    assertEquals(digits, back.format());

    String full =
        new BatchUploadRecords(
                Collections.nCopies(
                    8, new BatchUploadRecords.Entry("00", "000001", "6224242900000113", 5)))
            .format();
    assertEquals(322, full.length(), "eight records fill field 48 exactly");
    assertEquals(8, BatchUploadRecords.parse(full).entries().size());
  }

  @Test
  void batchUploadToStringMasksThePan() {
    BatchUploadRecords records =
        new BatchUploadRecords(
            List.of(new BatchUploadRecords.Entry("00", "000403", "6224242900000113", 1)));
    String s = records.toString();
    assertTrue(s.contains("622424****0113"), s);
    assertFalse(s.contains("6224242900000113"), s);
    assertFalse(s.contains("00006224242900000113"), s);
  }

  @Test
  void malformedBatchUploadRecords() {
    String one = "01" + "00" + "000403" + "00006224242900000113" + "000000000001";
    assertEquals(
        48,
        assertThrows(
                TerminalFormatException.class,
                () -> BatchUploadRecords.parse(one.substring(0, one.length() - 1)))
            .field());
    assertEquals(
        48,
        assertThrows(
                TerminalFormatException.class,
                () -> BatchUploadRecords.parse("02" + one.substring(2)))
            .field());
    assertEquals(
        48,
        assertThrows(TerminalFormatException.class, () -> BatchUploadRecords.parse("09")).field());
    assertEquals(
        48,
        assertThrows(TerminalFormatException.class, () -> BatchUploadRecords.parse("1")).field());
    TerminalFormatException e =
        assertThrows(
            TerminalFormatException.class, () -> BatchUploadRecords.parse(one.replace('3', '=')));
    assertFalse(e.getMessage().contains("6224"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new BatchUploadRecords(
                Collections.nCopies(9, new BatchUploadRecords.Entry("00", "000001", "1", 5))));
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BatchUploadRecords.Entry("00", "000001", "6224242900000113X", 5));
    assertFalse(bad.getMessage().contains("6224"), bad.getMessage());
  }

  @Test
  void batchUploadEndCount() throws Exception {
    assertEquals("0012", BatchUploadRecords.formatTotalCount(12));
    assertEquals(12, BatchUploadRecords.parseTotalCount("0012"));
    assertEquals(
        48,
        assertThrows(TerminalFormatException.class, () -> BatchUploadRecords.parseTotalCount("012"))
            .field());
    assertThrows(IllegalArgumentException.class, () -> BatchUploadRecords.formatTotalCount(10_000));
  }
}
