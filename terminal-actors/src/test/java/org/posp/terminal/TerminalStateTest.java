package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.terminal.Txns.sale;
import static org.posp.terminal.Txns.saleRef;
import static org.posp.terminal.Txns.txn;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.posp.terminal.TerminalEvent.TxnApproved;
import org.posp.terminal.TerminalEvent.TxnDeclined;
import org.posp.terminal.TerminalEvent.TxnUnanswered;
import org.posp.terminal.TerminalState.SaleRef;
import org.posp.terminal.TerminalState.Settlement;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.TransactionType;

/**
 * The terminal's state and the pure parts of the event handler: outcomes, reversals (冲正) and
 * settlement (批结算). Serialization of the state is in {@link TerminalStateSerializationTest}.
 */
class TerminalStateTest {
  private static final String B = "000001";
  private static final String NEXT = "000002";

  static TerminalState state(Map<String, SaleRef> sales, Txn... txns) {
    Map<String, Txn> m = new LinkedHashMap<>();
    for (Txn t : txns) m.put(t.key(), t);
    return new TerminalState("898100012340001", "10000001", null, null, false, B, m, sales, null);
  }

  static TerminalState state(Txn... txns) {
    return state(Map.of(), txns);
  }

  private static Txn get(TerminalState s, Txn t) {
    return s.txn(t.key()).orElseThrow(() -> new AssertionError("no txn " + t.key()));
  }

  // ------------------------------------------------------------------------------ outcomes

  @Test
  void anApprovalTakesTheUpstreamOutcome() {
    Txn pending = sale(B, "000001", 12_34, "R1", TxnStatus.PENDING);
    Txn other = sale(B, "000002", 1_00, "R2", TxnStatus.APPROVED);
    TerminalState s =
        TerminalEvents.apply(
            state(pending, other), new TxnApproved(pending.key(), "654321", "20250315", "cups"));
    Txn t = get(s, pending);
    assertEquals(TxnStatus.APPROVED, t.status());
    assertEquals("00", t.responseCode());
    assertEquals("654321", t.authCode());
    assertEquals("20250315", t.settlementDate());
    assertEquals("cups", t.endpoint());
    assertNull(t.reversal());
    assertEquals(pending.rrn(), t.rrn(), "identity of the transaction unchanged");
    assertEquals(other, get(s, other), "other transactions untouched");
  }

  @Test
  void anUnknownOutcomeIsStoredReversedWithItsPendingReversal() {
    Txn pending = sale(B, "000001", 12_34, "R1", TxnStatus.PENDING);
    TerminalState s =
        TerminalEvents.applyAll(
            state(pending),
            List.of(
                new TxnUnanswered(pending.key(), "slow"),
                Txns.reversalRequested(pending.key(), "98")));
    Txn t = get(s, pending);
    assertEquals(TxnStatus.REVERSED, t.status());
    assertEquals("98", t.responseCode());
    assertTrue(t.reversalPending());
    assertEquals(BatchTotals.ZERO, s.openBatchTotals());
  }

  @Test
  void anApprovedVoidMarksItsOriginalVoided() {
    Txn original = sale(B, "000001", 5_00, "R1", TxnStatus.APPROVED);
    Txn theVoid =
        txn(TransactionType.SALE_VOID, B, "000002", 5_00, "R2", TxnStatus.PENDING, original.key());
    TerminalState s =
        TerminalEvents.apply(
            state(original, theVoid), new TxnApproved(theVoid.key(), "111111", null, "cups"));
    assertEquals(TxnStatus.VOIDED, get(s, original).status());
    assertEquals(TxnStatus.APPROVED, get(s, theVoid).status());
    assertEquals(new BatchTotals(5_00, 1, 5_00, 1), s.openBatchTotals());
  }

  @Test
  void aDeclinedVoidLeavesItsOriginalApproved() {
    Txn original = sale(B, "000001", 5_00, "R1", TxnStatus.APPROVED);
    Txn theVoid =
        txn(TransactionType.SALE_VOID, B, "000002", 5_00, "R2", TxnStatus.PENDING, original.key());
    TerminalState s =
        TerminalEvents.apply(
            state(original, theVoid), new TxnDeclined(theVoid.key(), "05", "cups"));
    assertEquals(TxnStatus.APPROVED, get(s, original).status());
    assertEquals(TxnStatus.DECLINED, get(s, theVoid).status());
  }

  @Test
  void anApprovedRefundAddsToTheRefundedAmountOfAnOpenBatchSale() {
    Txn original = sale(B, "000001", 10_00, "R1", TxnStatus.APPROVED);
    Txn refund = txn(TransactionType.REFUND, B, "000002", 3_00, "R2", TxnStatus.PENDING, "R1");
    TerminalState s =
        TerminalEvents.apply(
            state(original, refund), new TxnApproved(refund.key(), "222222", null, "cups"));
    assertEquals(3_00, get(s, original).refundedFen());
    assertEquals(TxnStatus.APPROVED, get(s, original).status(), "a refund does not void");
  }

  @Test
  void anApprovedRefundAddsToTheRefundedAmountOfASettledSale() {
    SaleRef settled = saleRef("R-OLD", 10_00, 1_00, Txns.STARTED);
    Txn refund = txn(TransactionType.REFUND, B, "000002", 4_00, "R2", TxnStatus.PENDING, "R-OLD");
    TerminalState s =
        TerminalEvents.apply(
            state(Map.of("R-OLD", settled), refund),
            new TxnApproved(refund.key(), "222222", null, "cups"));
    assertEquals(5_00, s.sales().get("R-OLD").refundedFen());
  }

  @Test
  void aDeclinedRefundRefundsNothing() {
    Txn original = sale(B, "000001", 10_00, "R1", TxnStatus.APPROVED);
    Txn refund = txn(TransactionType.REFUND, B, "000002", 3_00, "R2", TxnStatus.PENDING, "R1");
    TerminalState s =
        TerminalEvents.apply(state(original, refund), new TxnDeclined(refund.key(), "51", "cups"));
    assertEquals(0, get(s, original).refundedFen());
  }

  @Test
  void anOutcomeForAnUnknownKeyChangesNothing() {
    TerminalState before = state(sale(B, "000001", 1_00, "R1", TxnStatus.APPROVED));
    assertSame(
        before,
        TerminalEvents.apply(before, new TxnApproved("02:000001:999999", "1", null, "cups")));
    assertSame(
        before, TerminalEvents.apply(before, Txns.reversalRequested("02:000001:999999", "06")));
  }

  // ------------------------------------------------------------------------------ reversals

  @Test
  void aReversedSaleCountsNowhereAndKeepsItsPendingReversal() {
    Txn original = sale(B, "000001", 8_00, "R1", TxnStatus.APPROVED);
    TerminalState s =
        TerminalEvents.apply(state(original), Txns.reversalRequested(original.key(), "98"));
    Txn t = get(s, original);
    assertEquals(TxnStatus.REVERSED, t.status());
    assertEquals("98", t.reversal().reason());
    assertTrue(t.reversalPending());
    assertEquals(BatchTotals.ZERO, s.openBatchTotals());
  }

  @Test
  void reversingAnApprovedVoidRestoresTheSale() {
    Txn original = sale(B, "000001", 5_00, "R1", TxnStatus.VOIDED);
    Txn theVoid =
        txn(TransactionType.SALE_VOID, B, "000002", 5_00, "R2", TxnStatus.APPROVED, original.key());
    TerminalState s =
        TerminalEvents.apply(state(original, theVoid), Txns.reversalRequested(theVoid.key(), "98"));
    assertEquals(TxnStatus.REVERSED, get(s, theVoid).status());
    assertEquals(TxnStatus.APPROVED, get(s, original).status());
    assertEquals(new BatchTotals(5_00, 1, 0, 0), s.openBatchTotals());
  }

  @Test
  void reversingADeclinedVoidLeavesTheSaleAsItWas() {
    Txn original = sale(B, "000001", 5_00, "R1", TxnStatus.APPROVED);
    Txn theVoid =
        txn(TransactionType.SALE_VOID, B, "000002", 5_00, "R2", TxnStatus.DECLINED, original.key());
    TerminalState s =
        TerminalEvents.apply(state(original, theVoid), Txns.reversalRequested(theVoid.key(), "98"));
    assertEquals(TxnStatus.APPROVED, get(s, original).status());
  }

  @Test
  void reversingARefundGivesTheRefundableAmountBack() {
    Txn original = sale(B, "000001", 10_00, "R1", TxnStatus.APPROVED).withRefunded(7_00);
    Txn refund = txn(TransactionType.REFUND, B, "000002", 3_00, "R2", TxnStatus.APPROVED, "R1");
    TerminalState s =
        TerminalEvents.apply(state(original, refund), Txns.reversalRequested(refund.key(), "98"));
    assertEquals(4_00, get(s, original).refundedFen());

    SaleRef settled = saleRef("R-OLD", 10_00, 6_00, Txns.STARTED);
    Txn refund2 = txn(TransactionType.REFUND, B, "000003", 2_00, "R3", TxnStatus.APPROVED, "R-OLD");
    TerminalState s2 =
        TerminalEvents.apply(
            state(Map.of("R-OLD", settled), refund2), Txns.reversalRequested(refund2.key(), "98"));
    assertEquals(4_00, s2.sales().get("R-OLD").refundedFen());
  }

  @Test
  void reversingADeclinedRefundGivesNothingBack() {
    Txn original = sale(B, "000001", 10_00, "R1", TxnStatus.APPROVED).withRefunded(7_00);
    Txn refund = txn(TransactionType.REFUND, B, "000002", 3_00, "R2", TxnStatus.DECLINED, "R1");
    TerminalState s =
        TerminalEvents.apply(state(original, refund), Txns.reversalRequested(refund.key(), "98"));
    assertEquals(7_00, get(s, original).refundedFen());
  }

  // ------------------------------------------------------------------------------ settlement

  private static Settlement settlement(String batch, String next) {
    return new Settlement(
        batch,
        "000099",
        "HASH",
        "1",
        "0".repeat(62),
        next,
        "RRN-SETTLE",
        "0314",
        "180000",
        BatchTotals.ZERO,
        Txns.STARTED.plusSeconds(3600),
        Map.of(),
        Map.of(),
        0,
        false);
  }

  @Test
  void settlementClosesTheBatchKeepingOnlyPendingWork() {
    Txn approved = sale(B, "000001", 10_00, "R1", TxnStatus.APPROVED);
    Txn voided = sale(B, "000002", 5_00, "R2", TxnStatus.VOIDED);
    Txn theVoid =
        txn(TransactionType.SALE_VOID, B, "000003", 5_00, "R3", TxnStatus.APPROVED, voided.key());
    Txn declined = sale(B, "000004", 1_00, "R4", TxnStatus.DECLINED);
    Txn reversing =
        sale(B, "000005", 2_00, "R5", TxnStatus.REVERSED).withReversal(Txns.pendingReversal("98"));
    Txn reversedDone =
        sale(B, "000006", 3_00, "R6", TxnStatus.REVERSED)
            .withReversal(new TerminalState.Reversal("98", "1", "2", Txns.STARTED, true));
    Txn inFlight = sale(B, "000007", 4_00, "R7", TxnStatus.PENDING);
    Txn refund = txn(TransactionType.REFUND, B, "000008", 1_00, "R8", TxnStatus.APPROVED, "R1");
    Txn olderBatch =
        sale("000000", "000001", 6_00, "R0", TxnStatus.REVERSED)
            .withReversal(Txns.pendingReversal("06"));
    TerminalState before =
        state(
            approved,
            voided,
            theVoid,
            declined,
            reversing,
            reversedDone,
            inFlight,
            refund,
            olderBatch);
    Settlement st = settlement(B, NEXT);

    TerminalState s =
        TerminalEvents.apply(before, Txns.settled(st, Txns.STARTED.minusSeconds(86_400)));

    assertEquals(NEXT, s.batchNo());
    assertEquals(st, s.lastSettlement());
    assertEquals(
        Set.of(reversing.key(), inFlight.key(), olderBatch.key()),
        s.txns().keySet(),
        "only pending reversals and pending transactions stay");
    assertEquals(BatchTotals.ZERO, s.openBatchTotals(), "the new batch is empty");
  }

  @Test
  void settlementMovesApprovedSalesToTheRefundableSalesByRrn() {
    Txn approved = sale(B, "000001", 10_00, "R1", TxnStatus.APPROVED).withRefunded(2_50);
    Txn voided = sale(B, "000002", 5_00, "R2", TxnStatus.VOIDED);
    Txn reversed = sale(B, "000003", 5_00, "R3", TxnStatus.REVERSED);
    Txn refund = txn(TransactionType.REFUND, B, "000004", 2_50, "R4", TxnStatus.APPROVED, "R1");
    TerminalState s =
        TerminalEvents.apply(
            state(approved, voided, reversed, refund),
            Txns.settled(settlement(B, NEXT), Txns.STARTED.minusSeconds(86_400)));

    assertEquals(
        Set.of("R1"), s.sales().keySet(), "voided, reversed sales and refunds are not refundable");
    SaleRef ref = s.sales().get("R1");
    assertEquals(
        new SaleRef(
            "R1",
            approved.date(),
            B,
            10_00,
            2_50,
            approved.upstreamStan(),
            approved.localDateTime(),
            approved.panHash(),
            approved.cardEnc(),
            approved.startedAt()),
        ref);
  }

  @Test
  void settlementDropsSalesOlderThanTheRetention() {
    Instant retainAfter = Txns.STARTED.minusSeconds(30L * 86_400);
    SaleRef old = saleRef("R-OLD", 1_00, 0, retainAfter.minusSeconds(1));
    SaleRef edge = saleRef("R-EDGE", 1_00, 0, retainAfter);
    SaleRef recent = saleRef("R-RECENT", 1_00, 0, retainAfter.plusSeconds(1));
    SaleRef undated = saleRef("R-UNDATED", 1_00, 0, null);
    Map<String, SaleRef> sales = new LinkedHashMap<>();
    for (SaleRef r : List.of(old, edge, recent, undated)) sales.put(r.rrn(), r);
    TerminalState s =
        TerminalEvents.apply(state(sales), Txns.settled(settlement(B, NEXT), retainAfter));
    assertEquals(Set.of("R-RECENT", "R-UNDATED"), s.sales().keySet());
  }

  @Test
  void nextBatchWrapsAfter999999() {
    assertEquals("000002", SettlementFlow.nextBatch("000001"));
    assertEquals("001000", SettlementFlow.nextBatch("000999"));
    assertEquals("000001", SettlementFlow.nextBatch("999999"));
  }

  // ------------------------------------------------------------------------------ batch upload
  // differences

  @Test
  void differencesListTerminalOnlyAndMismatchesAndSwitchOnlyOnceTheUploadEnded() {
    Settlement st =
        new Settlement(
            B,
            "000099",
            "HASH",
            "2",
            "0".repeat(62),
            NEXT,
            "RRN",
            "0314",
            "180000",
            BatchTotals.ZERO,
            Txns.STARTED,
            Map.of("000001", 100L, "000002", 200L, "000003", 300L),
            Map.of(),
            0,
            false);
    assertEquals(
        List.of(), st.differences(), "nothing uploaded, upload not ended: nothing to say yet");

    Settlement partial =
        st.withUpload(Map.of("000001", 100L, "000002", 250L, "000009", 50L), 0, false);
    assertEquals(
        Set.of("amount-mismatch 000002 250/200", "terminal-only 000009 50/-"),
        Set.copyOf(partial.differences()));
    assertEquals(2, partial.differences().size());

    Settlement ended =
        partial.withUpload(Map.of(), 2, true).withUpload(Map.of("000002", 200L), 1, false);
    assertTrue(ended.uploadEnded(), "the end of the upload is not forgotten");
    assertEquals(3, ended.icRecords());
    assertEquals(
        Set.of("terminal-only 000009 50/-", "switch-only 000003 -/300"),
        Set.copyOf(ended.differences()));
    assertEquals(2, ended.differences().size());
  }

  @Test
  void anUploadThatMatchesHasNoDifferences() {
    Map<String, Long> items = Map.of("000001", 100L, "000002", 200L);
    Settlement st =
        new Settlement(
                B,
                "000099",
                "HASH",
                "1",
                "0".repeat(62),
                NEXT,
                "RRN",
                "0314",
                "180000",
                BatchTotals.ZERO,
                Txns.STARTED,
                items,
                Map.of(),
                0,
                false)
            .withUpload(items, 0, true);
    assertEquals(List.of(), st.differences());
    assertFalse(st.uploadedItems().isEmpty());
  }
}
