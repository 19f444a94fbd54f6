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
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardOperation;
import org.posp.security.KeyType;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * The rules of the terminal protocol on the decider alone (no TCP, no actor system, no card bus):
 * each test feeds inputs and checks the events, the reply and the effects of the decisions.
 */
class TerminalDeciderTest {
  static final String PAN = "6214880000012345671";

  /** Asserts that {@code body} is answered {@code code} and records and schedules nothing. */
  static Decision refused(DeciderHarness t, byte[] body, String code) {
    Decision d = t.request(body);
    assertEquals(code, reply(d).get(39));
    assertTrue(d.events().isEmpty(), "nothing recorded");
    assertTrue(effects(d, Decision.SendUpstream.class).isEmpty(), "nothing sent upstream");
    return d;
  }

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

    CardBusRequest rev = t.reversalSent(key, 0);
    assertEquals(CardOperation.REVERSAL, rev.operation());
    assertEquals(PAN, rev.pan(), "the card decrypts for the reversal");
    assertFalse(rev.repeat());
    Decision retry =
        t.decide(new TerminalDecider.ReversalAnswered(key, new CardBusResult.TimedOut("cups"), 1));
    assertInstanceOf(Decision.RetryReversal.class, retry.effects().get(0));
    assertTrue(t.reversalSent(key, 1).repeat(), "a repeat is a 2421");
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
    refused(t, t.withMac(t.reversalOf(PAN, 900, sale.build().get(11)).remove(22)), "30");
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
    TerminalState.Txn original = t.approvedSale(PAN, 1000);
    TerminalMessage.Builder refund = t.refundOf(original.rrn(), original.date(), PAN, 1001);
    assertEquals("13", reply(t.request(t.withMac(refund))).get(39));
    Decision ok = t.request(t.withMac(refund.set(4, "000000000400").set(11, t.nextStan())));
    assertEquals(CardOperation.REFUND, sent(ok).request().operation());
  }

  @Test
  void anEchoIsAnswered00AndRecordsNothing() {
    DeciderHarness t = new DeciderHarness().provisioned();
    Decision d = t.request(DeciderHarness.pack(t.management("0820", "301").build()));
    assertEquals("00", reply(d).get(39));
    assertEquals("0830", reply(d).mti());
    assertTrue(d.events().isEmpty());
  }

  @Test
  void aSignOffEndsTheKeysAndTheNextSaleIsAnswered77() {
    DeciderHarness t = new DeciderHarness().signedOn();
    Decision off = t.request(DeciderHarness.pack(t.management("0820", "002").build()));
    assertEquals("00", reply(off).get(39));
    assertInstanceOf(TerminalEvent.SignedOff.class, off.events().get(0));
    assertEquals("77", reply(t.request(DeciderHarness.pack(t.sale(PAN, 100).build()))).get(39));
  }

  @Test
  void anOperatorsSignOnRequirementStaysUntilTheTerminalSignsOnAgain() {
    DeciderHarness t = new DeciderHarness().signedOn();
    Decision d = t.decide(new TerminalDecider.RequireSignOn(null));
    assertInstanceOf(TerminalEvent.SignOnRequired.class, d.events().get(0));
    assertTrue(t.state.signOnRequired(), "replies carry processing requirement 3");
    assertEquals(
        1,
        effects(t.request(t.withMac(t.sale(PAN, 100))), Decision.SendUpstream.class).size(),
        "the current keys still work meanwhile");
    t.signedOn();
    assertFalse(t.state.signOnRequired());
  }

  @Test
  void provisioningForAnotherTerminalIsRefusedAndRecordsNothing() {
    DeciderHarness t = new DeciderHarness();
    Decision d =
        t.decide(
            new TerminalDecider.Provision(
                new TerminalEntity.Provision(
                    DeciderHarness.MID,
                    "10000002",
                    DeciderHarness.HSM.importClearKey(KeyType.TMK, DeciderHarness.TMK),
                    null)));
    assertTrue(d.events().isEmpty());
    assertEquals(
        "provisioning for another terminal id",
        assertInstanceOf(Decision.Status.class, d.reply()).error());
  }

  @Test
  void aSaleOfABatchThatIsNotOpenIsAnswered77() {
    DeciderHarness t = new DeciderHarness().signedOn();
    t.batch = "000002";
    refused(t, t.withMac(t.sale(PAN, 100)), "77");
  }

  @Test
  void aSaleWithoutAMandatoryFieldOrInAnotherCurrencyIsAnswered30() {
    DeciderHarness t = new DeciderHarness().signedOn();
    assertEquals("30", reply(t.request(t.withMac(t.sale(PAN, 100).remove(22)))).get(39));
    assertEquals("30", reply(t.request(t.withMac(t.sale(PAN, 100).set(49, "840")))).get(39));
    assertEquals("30", reply(t.request(t.withMac(t.sale(PAN, 100).remove(2)))).get(39), "no PAN");
    assertTrue(t.state.txns().isEmpty());
  }

  @Test
  void aSaleOfNoAmountIsAnswered13() {
    DeciderHarness t = new DeciderHarness().signedOn();
    refused(t, t.withMac(t.sale(PAN, 0)), "13");
  }

  @Test
  void anUnsupportedTypeIsAnswered40() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder preAuth =
        t.sale(PAN, 100).mti("0100").set(3, "030000").set(25, "06").set(60, "10" + t.batch + "000");
    refused(t, t.withMac(preAuth), "40");
  }

  @Test
  void aSaleTheTerminalReversedBeforeItArrivedIsAnswered12AndNeverGoesUpstream() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 800);
    Decision rev = t.request(t.withMac(t.reversalOf(PAN, 800, sale.build().get(11))));
    assertEquals("00", reply(rev).get(39));
    assertInstanceOf(TerminalEvent.ReversedBeforeSeen.class, rev.events().get(0));
    assertTrue(
        t.request(t.withMac(t.reversalOf(PAN, 800, sale.build().get(11)))).events().isEmpty(),
        "remembered once");
    refused(t, t.withMac(sale), "12");
  }

  @Test
  void aDeclineKeepsItsMeaningAtTheTerminalAndIsReplayedToARetransmission() {
    DeciderHarness t = new DeciderHarness().signedOn();
    byte[] body = t.withMac(t.sale(PAN, 500));
    Decision started = t.request(body);
    Decision declined = t.answer(started, "1016");
    assertInstanceOf(TerminalEvent.TxnDeclined.class, declined.events().get(0));
    assertTrue(effects(declined, Decision.RecordApproved.class).isEmpty());
    assertTrue(effects(declined, Decision.TriggerReversal.class).isEmpty());
    assertEquals(TxnStatus.DECLINED, t.state.txn(sent(started).key()).orElseThrow().status());
    Decision again = t.request(body);
    assertEquals("51", reply(again).get(39));
    assertTrue(effects(again, Decision.SendUpstream.class).isEmpty());
    assertEquals(0, t.state.openBatchTotals().debitCount());
  }

  @Test
  void aRequestTheCardBusDidNotSendIsAnswered91AndNotReversed() {
    DeciderHarness t = new DeciderHarness().signedOn();
    byte[] body = t.withMac(t.sale(PAN, 500));
    Decision started = t.request(body);
    Decision d =
        t.decide(
            new TerminalDecider.UpstreamAnswered(
                sent(started).key(),
                new CardBusResult.NotSent(
                    "cups", CardBusResult.NotSentReason.BREAKER_OPEN, "breaker open"),
                false));
    assertInstanceOf(TerminalEvent.TxnDeclined.class, d.events().get(0));
    assertTrue(effects(d, Decision.TriggerReversal.class).isEmpty(), "the host never saw it");
    assertEquals("91", reply(t.request(body)).get(39));
  }

  @Test
  void anApprovalAfterTheTerminalGaveUpIsReversedAtOnce() {
    DeciderHarness t = new DeciderHarness().signedOn();
    Decision started = t.request(t.withMac(t.sale(PAN, 500)));
    String key = sent(started).key();
    Decision d =
        t.decide(
            new TerminalDecider.UpstreamAnswered(
                key, new CardBusResult.Answered("cups", "0000", "123456", null, null), true));
    assertEquals(1, effects(d, Decision.TriggerReversal.class).size());
    assertTrue(effects(d, Decision.RecordApproved.class).isEmpty(), "never counted");
    assertTrue(t.state.txn(key).orElseThrow().reversalPending());
    assertEquals(0, t.state.openBatchTotals().debitCount());
  }

  @Test
  void aVoidOfAnApprovedSaleGoesUpstreamAsAVoidOfThatSale() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalState.Txn original = t.approvedSale(PAN, 1000);

    assertEquals("64", reply(t.request(t.withMac(t.voidOf(original, PAN, 999)))).get(39), "amount");
    assertEquals(
        "25",
        reply(t.request(t.withMac(t.voidOf(original, "6214880000099999997", 1000)))).get(39),
        "another card");
    Decision v = t.request(t.withMac(t.voidOf(original, PAN, 1000)));
    Decision.SendUpstream up = sent(v);
    assertEquals(CardOperation.VOID, up.request().operation());
    assertEquals(CardOperation.SALE, up.request().originalOperation());
    t.answer(v, "0000");
    assertEquals(TxnStatus.VOIDED, t.state.txn(original.key()).orElseThrow().status());
    assertEquals(
        "12", reply(t.request(t.withMac(t.voidOf(original, PAN, 1000)))).get(39), "voided already");
  }

  @Test
  void aTimedOutVoidIsReversedAsTheSaleItVoidsAndARefundAsARefund() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalState.Txn original = t.approvedSale(PAN, 1000);
    Decision v = t.request(t.withMac(t.voidOf(original, PAN, 1000)));
    t.timeOut(v);
    CardBusRequest voidReversal = t.reversalSent(sent(v).key(), 0);
    assertEquals(CardOperation.SALE, voidReversal.originalOperation());
    assertEquals(CardOperation.SALE.mti(), voidReversal.original().mti());

    Decision refund = t.request(t.withMac(t.refundOf(original.rrn(), original.date(), PAN, 100)));
    t.timeOut(refund);
    CardBusRequest refundReversal = t.reversalSent(sent(refund).key(), 0);
    assertEquals(CardOperation.REFUND, refundReversal.originalOperation());
    assertEquals(CardOperation.REFUND.mti(), refundReversal.original().mti());
  }

  @Test
  void aReversalOfADeclinedSaleIsAnswered00AndReversesNothing() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 500);
    t.answer(t.request(t.withMac(sale)), "1016");
    Decision d = t.request(t.withMac(t.reversalOf(PAN, 500, sale.build().get(11))));
    assertEquals("00", reply(d).get(39));
    assertTrue(d.events().isEmpty());
    assertTrue(d.effects().isEmpty());
  }

  @Test
  void aReversalWhileTheSaleIsInFlightWaitsForItsOutcome() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 500);
    Decision started = t.request(t.withMac(sale));
    Decision d = t.request(t.withMac(t.reversalOf(PAN, 500, sale.build().get(11))));
    assertEquals(sent(started).key(), effects(d, Decision.Park.class).get(0).key());
    assertEquals(null, d.reply());
  }

  @Test
  void aRefundOfAnUnknownSaleIsAnswered25() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder refund = t.refundOf("999999999999", "1207", PAN, 100);
    refused(t, t.withMac(refund), "25");
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
