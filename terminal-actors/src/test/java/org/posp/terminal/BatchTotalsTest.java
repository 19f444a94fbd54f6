package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.posp.terminal.Txns.sale;
import static org.posp.terminal.Txns.txn;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.TransactionType;

/** Settlement totals of a batch, docs/protocol/terminal.md §6.4. */
class BatchTotalsTest {
  private static final String B = "000001";

  @Test
  void anEmptyBatchIsZero() {
    assertEquals(BatchTotals.ZERO, BatchTotals.of(List.of()));
    assertEquals(new BatchTotals(0, 0, 0, 0), BatchTotals.ZERO);
  }

  @Test
  void approvedSalesAreDebits() {
    BatchTotals t =
        BatchTotals.of(
            List.of(
                sale(B, "000001", 10_00, "R1", TxnStatus.APPROVED),
                sale(B, "000002", 5_50, "R2", TxnStatus.APPROVED)));
    assertEquals(new BatchTotals(15_50, 2, 0, 0), t);
  }

  @Test
  void aVoidedSaleCountsInDebitAndItsVoidInCredit() {
    Txn voided = sale(B, "000001", 7_00, "R1", TxnStatus.VOIDED);
    Txn theVoid =
        txn(TransactionType.SALE_VOID, B, "000002", 7_00, "R2", TxnStatus.APPROVED, voided.key());
    assertEquals(new BatchTotals(7_00, 1, 7_00, 1), BatchTotals.of(List.of(voided, theVoid)));
  }

  @Test
  void approvedRefundsAreCredits() {
    Txn refund =
        txn(TransactionType.REFUND, B, "000003", 2_00, "R3", TxnStatus.APPROVED, "R-ORIGINAL");
    assertEquals(new BatchTotals(0, 0, 2_00, 1), BatchTotals.of(List.of(refund)));
  }

  @Test
  void reversedDeclinedAndPendingCountNowhere() {
    for (TxnStatus s :
        new TxnStatus[] {TxnStatus.REVERSED, TxnStatus.DECLINED, TxnStatus.PENDING}) {
      List<Txn> txns =
          List.of(
              sale(B, "000001", 1_00, "R1", s),
              txn(TransactionType.SALE_VOID, B, "000002", 2_00, "R2", s, "00:" + B + ":000009"),
              txn(TransactionType.REFUND, B, "000003", 3_00, "R3", s, "R-ORIGINAL"));
      assertEquals(BatchTotals.ZERO, BatchTotals.of(txns), "status " + s);
    }
  }

  @Test
  void completionsAreDebitsAndCompletionVoidsCredits() {
    List<Txn> txns =
        List.of(
            txn(TransactionType.COMPLETION, B, "000001", 4_00, "R1", TxnStatus.APPROVED, null),
            txn(
                TransactionType.COMPLETION_NOTICE,
                B,
                "000002",
                6_00,
                "R2",
                TxnStatus.APPROVED,
                null),
            txn(
                TransactionType.COMPLETION_VOID,
                B,
                "000003",
                4_00,
                "R3",
                TxnStatus.APPROVED,
                null));
    assertEquals(new BatchTotals(10_00, 2, 4_00, 1), BatchTotals.of(txns));
  }

  @Test
  void aMixedBatchAddsUpAsTheTerminalCountsIt() {
    List<Txn> txns =
        List.of(
            sale(B, "000001", 100_00, "R1", TxnStatus.APPROVED),
            sale(B, "000002", 50_00, "R2", TxnStatus.VOIDED),
            txn(
                TransactionType.SALE_VOID,
                B,
                "000003",
                50_00,
                "R3",
                TxnStatus.APPROVED,
                "00:" + B + ":000002"),
            txn(TransactionType.REFUND, B, "000004", 20_00, "R4", TxnStatus.APPROVED, "R1"),
            sale(B, "000005", 30_00, "R5", TxnStatus.REVERSED),
            sale(B, "000006", 40_00, "R6", TxnStatus.DECLINED),
            sale(B, "000007", 60_00, "R7", TxnStatus.PENDING));
    assertEquals(new BatchTotals(150_00, 2, 70_00, 2), BatchTotals.of(txns));
  }

  @Test
  void theOpenBatchTotalsLeaveOutTransactionsOfOlderBatches() {
    Txn open = sale(B, "000001", 3_00, "R1", TxnStatus.APPROVED);
    Txn older = sale("000000", "000001", 9_00, "R0", TxnStatus.APPROVED);
    TerminalState s =
        new TerminalState(
            "M",
            "T",
            null,
            null,
            false,
            B,
            Map.of(open.key(), open, older.key(), older),
            Map.of(),
            null);
    assertEquals(new BatchTotals(3_00, 1, 0, 0), s.openBatchTotals());
  }
}
