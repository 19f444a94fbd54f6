package org.posp.sim.cardbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** Voids (F25 4000) and reversals (2420/2421) of docs/protocol/card-bus.md §10. */
class VoidAndReversalTest extends HostTestSupport {

  @Test
  void voidOfAnApprovedSaleRestoresTheBalanceAndASecondVoidIsDeclined1000() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 8_800);
    String approval = call(sale).getString(38);
    assertEquals(START - 8_800, balance(pan));

    ISOMsg voidMsg = TestMessages.voidOf(sale);
    voidMsg.set(38, approval);
    ISOMsg reply = call(voidMsg);
    assertEquals("2210", reply.getMTI());
    assertEquals("0000", reply.getString(39));
    assertEquals(START, balance(pan));
    HostMessage original = host.ledger().byRrn(sale.getString(37)).orElseThrow();
    assertTrue(original.voided());
    HostMessage v = host.ledger().byRrn(voidMsg.getString(37)).orElseThrow();
    assertEquals(Operation.VOID, v.operation());
    assertEquals(Operation.SALE, v.voidedOperation());
    assertEquals(sale.getString(37), v.originalRrn());
    TerminalTotals t = host.ledger().terminal(TestMessages.MID, TestMessages.TID);
    assertEquals(0, t.netFen());
    assertEquals(1, t.voidedCount());

    ISOMsg secondVoid = TestMessages.voidOf(sale);
    assertEquals("1000", call(secondVoid).getString(39));
    assertEquals(START, balance(pan), "no double credit");
  }

  @Test
  void voidOfAnUnknownOriginalIsDeclined9114() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg neverSent = TestMessages.sale(pan, 100);
    assertEquals("9114", call(TestMessages.voidOf(neverSent)).getString(39));
    assertEquals(START, balance(pan));
  }

  @Test
  void voidOfADeclinedOriginalIsDeclined1000() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg tooMuch = TestMessages.sale(pan, START + 1);
    assertEquals("1016", call(tooMuch).getString(39));
    assertEquals("1000", call(TestMessages.voidOf(tooMuch)).getString(39));
    assertEquals(START, balance(pan));
  }

  @Test
  void voidFoundBy37WhenItCarriesTheOriginalsRrn() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 400);
    call(sale);
    ISOMsg voidMsg = TestMessages.voidOf(sale);
    voidMsg.set(37, sale.getString(37));
    voidMsg.unset(56);
    assertEquals("0000", call(voidMsg).getString(39));
    assertEquals(START, balance(pan));
  }

  @Test
  void voidOfPreAuthReleasesTheHoldAndReversingTheVoidRestoresIt() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg preAuth = TestMessages.preAuth(pan, 6_000);
    call(preAuth);
    assertEquals(START - 6_000, available(pan));
    ISOMsg voidMsg = TestMessages.voidOf(preAuth);
    ISOMsg reply = call(voidMsg);
    assertEquals("2110", reply.getMTI());
    assertEquals("0000", reply.getString(39));
    assertEquals(START, available(pan));

    assertEquals("4000", call(TestMessages.reversalOf(voidMsg, "2420")).getString(39));
    assertEquals(START - 6_000, available(pan), "the void is undone: the pre-auth holds again");
    assertFalse(host.ledger().byRrn(preAuth.getString(37)).orElseThrow().voided());
  }

  @Test
  void reversalOfASaleRestoresTheBalanceOnceAndRepeatsChangeNothing() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 3_300);
    call(sale);
    ISOMsg reversal = TestMessages.reversalOf(sale, "2420");
    ISOMsg reply = call(reversal);
    assertEquals("2430", reply.getMTI());
    assertEquals("4000", reply.getString(39));
    assertEquals(sale.getString(37), reply.getString(37));
    assertEquals(START, balance(pan));

    ISOMsg repeat = (ISOMsg) reversal.clone();
    repeat.setMTI("2421"); // a repeat keeps the 2420's 11
    ISOMsg repeatReply = call(repeat);
    assertEquals("2430", repeatReply.getMTI());
    assertEquals("4000", repeatReply.getString(39));
    assertEquals(START, balance(pan), "no second credit");
    assertEquals(2, host.ledger().reversalsReceived());
    HostMessage original = host.ledger().byRrn(sale.getString(37)).orElseThrow();
    assertTrue(original.reversed());
    TerminalTotals t = host.ledger().terminal(TestMessages.MID, TestMessages.TID);
    assertEquals(0, t.debitFen());
    assertEquals(1, t.reversedCount());
  }

  @Test
  void reversalBeforeItsOriginalIsRememberedAndTheOriginalIsDeclined9113() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 9_000);
    ISOMsg reversal = TestMessages.reversalOf(sale, "2420");
    assertEquals("4000", call(reversal).getString(39));

    ISOMsg late = call(sale);
    assertEquals("9113", late.getString(39));
    assertFalse(late.hasField(38));
    assertEquals(START, balance(pan), "never approved");
    assertTrue(host.ledger().byRrn(sale.getString(37)).orElseThrow().reversed());

    ISOMsg repeat = (ISOMsg) reversal.clone();
    repeat.setMTI("2421");
    assertEquals("4000", call(repeat).getString(39));
    assertEquals("9113", call(sale).getString(39), "a resend of the original gets the same answer");
    assertEquals(START, balance(pan));
  }

  @Test
  void reversalOfRefundTakesTheCreditBack() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 1_000);
    call(sale);
    ISOMsg refund = TestMessages.refund(pan, 1_000, sale);
    call(refund);
    assertEquals(START, balance(pan));
    assertEquals("4000", call(TestMessages.reversalOf(refund, "2420")).getString(39));
    assertEquals(START - 1_000, balance(pan));
  }

  @Test
  void reversalOfACompletionGivesTheHoldBackToItsPreAuth() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg preAuth = TestMessages.preAuth(pan, 5_000);
    call(preAuth);
    ISOMsg completion = TestMessages.completion(pan, 5_000, preAuth);
    call(completion);
    assertEquals(START - 5_000, balance(pan));
    assertEquals(0, host.ledger().card(pan).holdsFen());
    assertEquals("4000", call(TestMessages.reversalOf(completion, "2420")).getString(39));
    assertEquals(START, balance(pan));
    assertEquals(5_000, host.ledger().card(pan).holdsFen());
  }

  @Test
  void voidAfterReversalIsDeclined1000() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 250);
    call(sale);
    call(TestMessages.reversalOf(sale, "2420"));
    assertEquals("1000", call(TestMessages.voidOf(sale)).getString(39));
    assertEquals(START, balance(pan));
  }
}
