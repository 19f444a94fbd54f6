package org.posp.sim.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Field 48 totals (docs/protocol/terminal.md §6.4) from the terminal's own records, and
 * batch-upload detail fields.
 */
class SettlementTotalsTest {
  private static final String PAN = "6222020000000001";

  private static TxnRecord rec(
      TxnType type,
      String stan,
      long amount,
      String rc,
      TxnRecord.ReversalState reversal,
      String failure) {
    return new TxnRecord(
        "10000001",
        type,
        "000001",
        stan,
        amount,
        PAN,
        "3012",
        "021",
        null,
        null,
        null,
        rc,
        "000000000001",
        "A00001",
        "0612",
        "101112",
        "0612",
        failure,
        reversal,
        null,
        0L);
  }

  private static TxnRecord ok(TxnType type, String stan, long amount) {
    return rec(type, stan, amount, "00", TxnRecord.ReversalState.NONE, null);
  }

  @Test
  void debitAndCreditPerSection44() {
    List<TxnRecord> batch =
        List.of(
            ok(TxnType.SALE, "000001", 1234),
            ok(TxnType.SALE, "000002", 5000),
            ok(TxnType.SALE_VOID, "000003", 5000), // the voided sale still counts as a debit
            ok(TxnType.REFUND, "000004", 700),
            ok(TxnType.COMPLETION, "000005", 900),
            ok(TxnType.COMPLETION_NOTICE, "000006", 100),
            ok(TxnType.COMPLETION_VOID, "000007", 900),
            ok(TxnType.PRE_AUTH, "000008", 99999),
            ok(TxnType.BALANCE, "000009", 0),
            rec(TxnType.SALE, "000010", 300, "51", TxnRecord.ReversalState.NONE, null),
            rec(TxnType.SALE, "000011", 400, "00", TxnRecord.ReversalState.REVERSED, null),
            rec(
                TxnType.SALE,
                "000012",
                500,
                "00",
                TxnRecord.ReversalState.PENDING,
                "reply MAC does not verify"),
            rec(
                TxnType.SALE,
                "000013",
                600,
                null,
                TxnRecord.ReversalState.PENDING,
                "no reply within 60000 ms"),
            rec(TxnType.REFUND, "000014", 800, null, TxnRecord.ReversalState.NONE, "no reply"));
    SettlementTotals t = SettlementTotals.of(batch);
    assertEquals(new SettlementTotals(1234 + 5000 + 900 + 100, 4, 5000 + 700 + 900, 3), t);
    assertEquals(
        "000000007234004000000006600003000000000000000000000000000000000000000000000000000000000000"
            .substring(0, 62),
        t.requestField48().substring(0, 62));
    assertEquals(
        "0000000072340040000000066000030" + "0000000000000000000000000000000", t.requestField48());
    assertEquals(62, t.requestField48().length());
  }

  @Test
  void replyParsing() {
    SettlementTotals.Reply r =
        SettlementTotals.Reply.parse(
            "0000000072340040000000066000031" + "0000000000000000000000000000001");
    assertTrue(r.balanced());
    assertEquals(new SettlementTotals(7234, 4, 6600, 3), r.domestic());
    SettlementTotals.Reply u =
        SettlementTotals.Reply.parse(
            "0000000072350040000000066000032" + "0000000000000000000000000000002");
    assertFalse(u.balanced());
    assertEquals('2', u.domesticCode());
    assertThrows(IllegalArgumentException.class, () -> SettlementTotals.Reply.parse("123"));
    assertThrows(IllegalArgumentException.class, () -> SettlementTotals.Reply.parse(null));
    assertThrows(IllegalArgumentException.class, () -> new SettlementTotals(0, 1000, 0, 0));
  }

  @Test
  void batchUploadDetailRecords() {
    List<TxnRecord> batch = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      batch.add(ok(TxnType.SALE, String.format("%06d", i), i * 100L));
    }
    batch.add(ok(TxnType.BALANCE, "000010", 0));
    batch.add(rec(TxnType.SALE, "000011", 1, "05", TxnRecord.ReversalState.NONE, null));
    List<TxnRecord> up = BatchUpload.uploadable(batch);
    assertEquals(9, up.size());
    List<String> fields = BatchUpload.detailFields(up);
    assertEquals(2, fields.size());
    assertEquals(2 + 8 * 40, fields.get(0).length());
    assertTrue(fields.get(0).startsWith("08" + "00" + "000001" + "0000" + PAN + "000000000100"));
    assertEquals("01" + "00" + "000009" + "0000" + PAN + "000000000900", fields.get(1));
    assertEquals("0009", BatchUpload.endField(9));
  }

  @Test
  void batchNumbersWrap() {
    assertEquals("000001", TerminalClient.nextBatch("999999"));
    assertEquals("000124", TerminalClient.nextBatch("000123"));
  }
}
