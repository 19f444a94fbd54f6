package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.terminal.DeciderHarness.effects;
import static org.posp.terminal.DeciderHarness.reply;
import static org.posp.terminal.DeciderHarness.sent;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardOperation;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * The rules of the terminal protocol on the decider alone (no TCP, no actor system, no card bus):
 * each test feeds inputs and checks the events, the reply and the effects of the decisions.
 */
class TerminalDeciderTest {
  static final String PAN = "6214880000012345671";

  @Test
  void aTerminalNotProvisionedIsAnswered97AndNothingIsRecorded() {
    DeciderHarness t = new DeciderHarness();
    Decision d = t.request(DeciderHarness.pack(t.sale(PAN, 100).build()));
    assertEquals("97", reply(d).get(39));
    assertTrue(d.events().isEmpty());
    assertTrue(d.effects().isEmpty());
  }

  @Test
  void aSaleAsksItsMerchantThenRecordsItsIntentBeforeItGoesUpstream() {
    DeciderHarness t = new DeciderHarness().signedOn();
    byte[] body = t.withMac(t.sale(PAN, 12_34));
    Decision asked = t.decide(new TerminalDecider.Received(body, null, "d1"));
    assertEquals(
        1, effects(asked, Decision.AskMerchant.class).size(), "the merchant is asked first");
    assertTrue(asked.events().isEmpty());
    Decision started =
        t.decide(
            new TerminalDecider.MerchantAnswered(
                effects(asked, Decision.AskMerchant.class).get(0).request(),
                TerminalDecider.ALLOWED));
    assertInstanceOf(TerminalEvent.TxnRequested.class, started.events().get(0));
    Decision.SendUpstream up = sent(started);
    assertEquals(CardOperation.SALE, up.request().operation());
    assertEquals(12_34, up.request().amountFen());
    assertEquals(PAN, up.request().pan());
    assertEquals(null, started.reply(), "the terminal waits for the outcome");
    assertEquals(1, effects(started, Decision.Park.class).size());
    assertEquals(TxnStatus.PENDING, t.state.txn(up.key()).orElseThrow().status());
    assertFalse(
        t.state.txn(up.key()).orElseThrow().panMasked().contains("0000123456"),
        "PAN masked in state");
  }

  @Test
  void aMerchantRefusalIsTheReply() {
    DeciderHarness t = new DeciderHarness().signedOn();
    Decision asked =
        t.decide(new TerminalDecider.Received(t.withMac(t.sale(PAN, 100)), null, "d1"));
    Decision d =
        t.decide(
            new TerminalDecider.MerchantAnswered(
                effects(asked, Decision.AskMerchant.class).get(0).request(),
                new MerchantEntity.CheckResult("03", "frozen")));
    assertEquals("03", reply(d).get(39));
    assertTrue(d.events().isEmpty());
  }

  @Test
  void aWrongMacIsAnsweredA0WithoutAMac() {
    DeciderHarness t = new DeciderHarness().signedOn();
    byte[] body = t.withMac(t.sale(PAN, 100));
    body[body.length - 1] ^= 1;
    Decision d = t.request(body);
    assertEquals("A0", reply(d).get(39));
    assertFalse(((Decision.ToTerminal) d.reply()).mac());
    assertTrue(d.events().isEmpty());
  }

  @Test
  void aTerminalNotSignedOnIsAnswered77() {
    DeciderHarness t = new DeciderHarness().provisioned();
    Decision d = t.request(DeciderHarness.pack(t.sale(PAN, 100).build()));
    assertEquals("77", reply(d).get(39));
  }

  @Test
  void aRetransmissionOfAnApprovedSaleReplaysItsOutcomeAndNeverGoesUpstreamAgain() {
    DeciderHarness t = new DeciderHarness().signedOn();
    byte[] body = t.withMac(t.sale(PAN, 500));
    Decision started = t.request(body);
    Decision approved = t.answer(started, "0000");
    assertEquals(TxnStatus.APPROVED, t.state.txn(sent(started).key()).orElseThrow().status());
    assertEquals(
        1, effects(approved, Decision.RecordApproved.class).size(), "the merchant's day total");
    Decision again = t.request(body);
    assertEquals("00", reply(again).get(39));
    assertEquals("123456", reply(again).get(38).trim());
    assertTrue(again.events().isEmpty());
    assertTrue(effects(again, Decision.SendUpstream.class).isEmpty());
  }

  @Test
  void aRetransmissionWhileInFlightWaitsForTheOutcome() {
    DeciderHarness t = new DeciderHarness().signedOn();
    byte[] body = t.withMac(t.sale(PAN, 500));
    Decision started = t.request(body);
    Decision again = t.request(body);
    assertEquals(
        List.of(
            new Decision.Park(
                sent(started).key(), effects(again, Decision.Park.class).get(0).request())),
        again.effects());
    assertEquals(null, again.reply());
  }

  @Test
  void theSameKeyWithOtherContentIsAnswered94() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 500);
    t.answer(t.request(t.withMac(sale)), "0000");
    Decision d = t.request(t.withMac(sale.set(4, "000000000600")));
    assertEquals("94", reply(d).get(39));
  }

  @Test
  void aTimeoutReversesBySelfStoreAndForwardUntilAcknowledged() {
    DeciderHarness t = new DeciderHarness().signedOn();
    Decision started = t.request(t.withMac(t.sale(PAN, 700)));
    String key = sent(started).key();
    Decision timedOut = t.timeOut(started);
    assertEquals(TxnStatus.REVERSED, t.state.txn(key).orElseThrow().status());
    assertEquals("98", t.state.txn(key).orElseThrow().reversal().reason());
    assertEquals(
        List.of(new Decision.TriggerReversal(key), new Decision.Release(key)), timedOut.effects());

    Decision first = t.decide(new TerminalDecider.ReversalDue(key, 0));
    Decision.SendReversal rev = effects(first, Decision.SendReversal.class).get(0);
    assertEquals(CardOperation.REVERSAL, rev.request().operation());
    assertEquals(PAN, rev.request().pan(), "the card decrypts for the reversal");
    assertFalse(rev.request().repeat());
    Decision retry =
        t.decide(new TerminalDecider.ReversalAnswered(key, new CardBusResult.TimedOut("cups"), 1));
    assertInstanceOf(Decision.RetryReversal.class, retry.effects().get(0));
    assertTrue(
        effects(t.decide(new TerminalDecider.ReversalDue(key, 1)), Decision.SendReversal.class)
            .get(0)
            .request()
            .repeat(),
        "a repeat is a 2421");
    Decision acked =
        t.decide(
            new TerminalDecider.ReversalAnswered(
                key, new CardBusResult.Answered("cups", "4000", null, null, null), 2));
    assertInstanceOf(TerminalEvent.ReversalCompleted.class, acked.events().get(0));
    assertFalse(t.state.txn(key).orElseThrow().reversalPending());
    assertTrue(
        t.decide(new TerminalDecider.ReversalDue(key, 3)).effects().isEmpty(),
        "nothing left to send");
  }

  @Test
  void aTerminalReversalOfAnApprovedSaleIsAnswered00AndReversedUpstream() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 900);
    Decision started = t.request(t.withMac(sale));
    t.answer(started, "0000");
    Decision d = t.request(t.withMac(t.reversalOf(PAN, 900, sale.build().get(11))));
    assertEquals("00", reply(d).get(39));
    assertInstanceOf(TerminalEvent.ReversalRequested.class, d.events().get(0));
    assertEquals(List.of(new Decision.TriggerReversal(sent(started).key())), d.effects());
    assertEquals(0, t.state.openBatchTotals().debitCount(), "a reversed sale counts nowhere");
  }

  @Test
  void aReversalWithoutItsMandatoryFieldsIsAnswered30() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 900);
    t.answer(t.request(t.withMac(sale)), "0000");
    Decision d = t.request(t.withMac(t.reversalOf(PAN, 900, sale.build().get(11)).remove(22)));
    assertEquals("30", reply(d).get(39));
    assertTrue(d.events().isEmpty());
  }

  @Test
  void aBalanceInquiryRecordsNothingAndItsReplyCarriesItsRrn() {
    DeciderHarness t = new DeciderHarness().signedOn();
    Decision d = t.request(t.withMac(t.balance(PAN)));
    assertTrue(d.events().isEmpty());
    Decision.SendBalance b = effects(d, Decision.SendBalance.class).get(0);
    assertEquals(b.rrn(), b.upstream().rrn());
    Decision answered =
        t.decide(
            new TerminalDecider.BalanceAnswered(
                b.request(),
                b.rrn(),
                new CardBusResult.Answered("cups", "0000", null, null, "1002156C000100000000")));
    assertEquals(b.rrn(), reply(answered).get(37));
    assertNotNull(reply(answered).get(54));
  }

  @Test
  void aRefundAboveTheRestOfItsSaleIsAnswered13() {
    DeciderHarness t = new DeciderHarness().signedOn();
    Decision sale = t.request(t.withMac(t.sale(PAN, 1000)));
    t.answer(sale, "0000");
    TerminalState.Txn original = t.state.txn(sent(sale).key()).orElseThrow();
    TerminalMessage.Builder refund =
        TerminalMessage.builder("0220")
            .set(2, PAN)
            .set(3, "200000")
            .set(4, "000000001001")
            .set(11, t.nextStan())
            .set(22, "021")
            .set(25, "00")
            .set(37, original.rrn())
            .set(41, DeciderHarness.TID)
            .set(42, DeciderHarness.MID)
            .set(49, "156")
            .set(60, "25" + t.batch + "000")
            .set(61, "000000000000" + original.date())
            .setBytes(64, Macs.placeholder());
    assertEquals("13", reply(t.request(t.withMac(refund))).get(39));
    Decision ok = t.request(t.withMac(refund.set(4, "000000000400").set(11, t.nextStan())));
    assertEquals(CardOperation.REFUND, sent(ok).request().operation());
  }

  @Test
  void everyTransactionKindHasItsStepsAndEveryOtherTypeIsAnswered40() {
    for (var type : TransactionType.values()) {
      TransactionKinds.Kind k = TransactionKinds.of(type);
      if (k != null) assertEquals(type, k.type());
    }
    assertEquals(null, TransactionKinds.of(TransactionType.PRE_AUTH));
  }
}
