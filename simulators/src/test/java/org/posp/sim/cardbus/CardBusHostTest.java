package org.posp.sim.cardbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import org.jpos.iso.ISOAmount;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/**
 * Network management and the authorisation rules of the test cards (docs/protocol/card-bus.md §2,
 * §10).
 */
class CardBusHostTest extends HostTestSupport {

  @Test
  void echoAndLogonAreAnsweredEvenBeforeAnyLogon() throws Exception {
    ISOMsg echo = TestMessages.network("831");
    ISOMsg echoReply = call(echo);
    assertEquals("2810", echoReply.getMTI());
    assertEquals("8000", echoReply.getString(39));
    assertEquals(echo.getString(7), echoReply.getString(7));
    assertEquals(echo.getString(11), echoReply.getString(11));
    assertEquals("831", echoReply.getString(24));
    assertEquals("NODE-1", echoReply.getString(41).trim());

    ISOMsg logon = TestMessages.network("801");
    ISOMsg logonReply = call(logon);
    assertEquals("2810", logonReply.getMTI());
    assertEquals("8000", logonReply.getString(39));
    assertEquals("801", logonReply.getString(24));

    ISOMsg unknown = TestMessages.network("999");
    assertEquals("9102", call(unknown).getString(39));
    assertEquals(3, host.ledger().networkMessagesReceived());
    assertTrue(host.ledger().messages().isEmpty(), "network messages are counted, not listed");
  }

  @Test
  void saleIsApprovedAndDebitsTheCardAndTheTerminal() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 12_345);
    ISOMsg reply = call(sale);

    assertEquals("2210", reply.getMTI());
    assertEquals("0000", reply.getString(39));
    assertTrue(reply.getString(38).matches("\\d{6}"), "approval code n6: " + reply.getString(38));
    assertEquals("20250615", reply.getString(15));
    assertEquals(sale.getString(37), reply.getString(37));
    assertEquals(TestMessages.TID, reply.getString(41).trim());
    assertEquals(TestMessages.MID, reply.getString(42));
    ISOAmount amount = (ISOAmount) reply.getComponent(4);
    assertEquals(156, amount.getCurrencyCode());
    assertEquals(new BigDecimal("123.45"), amount.getAmount());
    assertFalse(reply.hasField(52), "no PIN data in replies");

    assertEquals(START - 12_345, balance(pan));
    TerminalTotals t = host.ledger().terminal(TestMessages.MID, TestMessages.TID);
    assertEquals(12_345, t.debitFen());
    assertEquals(12_345, t.netFen());
    assertEquals(1, t.approvedCount());
    HostMessage m = host.ledger().byRrn(sale.getString(37)).orElseThrow();
    assertEquals(Operation.SALE, m.operation());
    assertEquals(reply.getString(38), m.approvalCode());
    assertEquals(CardData.mask(pan), m.maskedPan());
  }

  @Test
  void debitBeyondTheAvailableBalanceIsDeclined1016() throws Exception {
    String pan = TestMessages.pan();
    assertEquals("0000", call(TestMessages.sale(pan, START - 100)).getString(39));
    ISOMsg reply = call(TestMessages.sale(pan, 101));
    assertEquals("1016", reply.getString(39));
    assertFalse(reply.hasField(38));
    assertEquals(100, balance(pan));
    assertEquals(
        "0000", call(TestMessages.sale(pan, 100)).getString(39), "exactly the balance is fine");
    assertEquals(0, balance(pan));
  }

  @Test
  void pinIsCheckedUnderTheZpk() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg wrong = TestMessages.sale(pan, 500);
    wrong.set(52, TestMessages.pinBlock("654321", pan, CardBusHostConfig.DEMO_ZPK));
    assertEquals("1017", call(wrong).getString(39));

    ISOMsg garbage = TestMessages.sale(pan, 500);
    garbage.set(52, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertEquals("1017", call(garbage).getString(39));

    ISOMsg right = TestMessages.sale(pan, 500);
    right.set(52, TestMessages.pinBlock("123456", pan, CardBusHostConfig.DEMO_ZPK));
    assertEquals("0000", call(right).getString(39));
    assertEquals(START - 500, balance(pan), "only the right PIN debits");
  }

  @Test
  void pinBlockUsesThePanFromTrack2WhenField2IsAbsent() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 700);
    sale.unset(2);
    sale.set(35, pan + "=2912101" + "12345");
    sale.set(52, TestMessages.pinBlock("123456", pan, CardBusHostConfig.DEMO_ZPK));
    assertEquals("0000", call(sale).getString(39));
    assertEquals(START - 700, balance(pan));
  }

  @Test
  void expiredCardIsDeclined1001FromField14OrTrack2() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg expired14 = TestMessages.sale(pan, 100);
    expired14.set(14, "2505");
    assertEquals("1001", call(expired14).getString(39));

    ISOMsg expiredTrack = TestMessages.sale(pan, 100);
    expiredTrack.unset(2);
    expiredTrack.set(35, pan + "=2412101");
    assertEquals("1001", call(expiredTrack).getString(39));

    ISOMsg badMonth = TestMessages.sale(pan, 100);
    badMonth.set(14, "2713");
    assertEquals("1001", call(badMonth).getString(39));

    ISOMsg thisMonth = TestMessages.sale(pan, 100);
    thisMonth.set(14, "2506");
    assertEquals("0000", call(thisMonth).getString(39));
    assertEquals(START - 100, balance(pan));
  }

  @Test
  void nonLuhnPanIsDeclined1011() throws Exception {
    ISOMsg reply = call(TestMessages.sale(TestMessages.nonLuhn(TestMessages.pan()), 100));
    assertEquals("1011", reply.getString(39));
  }

  @Test
  void cardEnding9997IsDeclined1000() throws Exception {
    String pan = TestMessages.pan("9997");
    assertEquals("1000", call(TestMessages.sale(pan, 100)).getString(39));
    assertEquals(START, balance(pan));
  }

  @Test
  void cardEnding9998IsAnsweredAfterTheLateDelay() throws Exception {
    String pan = TestMessages.pan("9998");
    long sent = System.nanoTime();
    ISOMsg reply = call(TestMessages.sale(pan, 100));
    long elapsedMs = (System.nanoTime() - sent) / 1_000_000;
    assertEquals("0000", reply.getString(39));
    assertTrue(elapsedMs >= LATE_DELAY.toMillis(), "reply after " + elapsedMs + " ms");
    assertEquals(
        START - 100,
        balance(pan),
        "a late approval is still an approval: the switch must reverse it");
  }

  @Test
  void cardEnding9999IsNeverAnsweredButRecorded() throws Exception {
    String pan = TestMessages.pan("9999");
    ISOMsg sale = TestMessages.sale(pan, 100);
    Optional<ISOMsg> reply = client.requestOrNothing(sale, Duration.ofMillis(800));
    assertTrue(reply.isEmpty(), "no reply for a card ending 9999");
    HostMessage m = host.ledger().byRrn(sale.getString(37)).orElseThrow();
    assertEquals("NEVER", m.reply());
    assertTrue(m.approved());
    assertEquals(START - 100, balance(pan));
    // the reversal the switch sends after its timeout is answered and undoes the debit
    ISOMsg reversal = call(TestMessages.reversalOf(sale, "2420"));
    assertEquals("4000", reversal.getString(39));
    assertEquals(START, balance(pan));
  }

  @Test
  void repeated37WithSameContentGetsTheSameAnswerOnce() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 2_000);
    ISOMsg first = call(sale);
    ISOMsg again = (ISOMsg) sale.clone();
    again.set(11, "000000009999"); // a retry on another link gets another 11
    ISOMsg second = call(again);
    assertEquals(first.getString(38), second.getString(38));
    assertEquals(first.getString(39), second.getString(39));
    assertEquals(START - 2_000, balance(pan), "debited once");
    assertEquals(1, host.ledger().duplicatesReceived());
    assertEquals(1, host.ledger().byRrn(sale.getString(37)).orElseThrow().duplicates());
  }

  @Test
  void repeated37WithDifferentContentIsDeclined9113() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 2_000);
    assertEquals("0000", call(sale).getString(39));
    ISOMsg other = TestMessages.sale(pan, 2_001);
    other.set(37, sale.getString(37));
    assertEquals("9113", call(other).getString(39));
    assertEquals(START - 2_000, balance(pan));
  }

  @Test
  void refundCreditsTheCardAndTheTerminal() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 5_000);
    call(sale);
    ISOMsg reply = call(TestMessages.refund(pan, 1_500, sale));
    assertEquals("2210", reply.getMTI());
    assertEquals("0000", reply.getString(39));
    assertEquals(START - 5_000 + 1_500, balance(pan));
    TerminalTotals t = host.ledger().terminal(TestMessages.MID, TestMessages.TID);
    assertEquals(5_000, t.debitFen());
    assertEquals(1_500, t.creditFen());
    assertEquals(3_500, t.netFen());
  }

  @Test
  void preAuthHoldsAndCompletionDebitsAndReleasesTheHold() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg preAuth = TestMessages.preAuth(pan, 30_000);
    ISOMsg reply = call(preAuth);
    assertEquals("2110", reply.getMTI());
    assertEquals("0000", reply.getString(39));
    assertEquals(START, balance(pan));
    assertEquals(START - 30_000, available(pan));
    assertEquals(30_000, host.ledger().card(pan).holdsFen());

    ISOMsg completion = call(TestMessages.completion(pan, 28_000, preAuth));
    assertEquals("0000", completion.getString(39));
    assertEquals(START - 28_000, balance(pan));
    assertEquals(START - 28_000, available(pan), "the hold is released");

    ISOMsg advicePreAuth = TestMessages.preAuth(pan, 1_000);
    call(advicePreAuth);
    ISOMsg advice = TestMessages.completion(pan, 1_000, advicePreAuth);
    advice.setMTI("2220");
    ISOMsg adviceReply = call(advice);
    assertEquals("2230", adviceReply.getMTI());
    assertEquals("0000", adviceReply.getString(39));
    assertEquals(START - 29_000, available(pan));
    assertEquals(29_000, host.ledger().terminal(TestMessages.MID, TestMessages.TID).debitFen());
  }

  @Test
  void balanceInquiryAnswersField54() throws Exception {
    String pan = TestMessages.pan();
    call(TestMessages.sale(pan, 100_000_00L - 1));
    call(TestMessages.preAuth(pan, 1));
    ISOMsg reply = call(TestMessages.balanceInquiry(pan));
    assertEquals("2110", reply.getMTI());
    assertEquals("0000", reply.getString(39));
    long expected = START - (100_000_00L - 1) - 1;
    assertEquals("1002156C" + String.format("%012d", expected), reply.getString(54));
    assertEquals(START - (100_000_00L - 1), balance(pan), "an inquiry moves no money");
  }

  @Test
  void unsupportedAndMalformedRequestsGetA9xxxReply() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg cashback = TestMessages.request("2200", "090000", "200", pan, 100);
    ISOMsg r1 = call(cashback);
    assertEquals("2210", r1.getMTI());
    assertEquals("9102", r1.getString(39));

    ISOMsg fileUpdate = TestMessages.request("2300", "000000", "200", pan, 100);
    ISOMsg r2 = call(fileUpdate);
    assertEquals("2310", r2.getMTI());
    assertEquals("9102", r2.getString(39));

    ISOMsg noRrn = TestMessages.sale(pan, 100);
    noRrn.unset(37);
    assertEquals("9100", call(noRrn).getString(39));

    ISOMsg noAmount = TestMessages.sale(pan, -1);
    assertEquals("9100", call(noAmount).getString(39));

    ISOMsg dollars = TestMessages.sale(pan, 100);
    dollars.set(4, "8402000000000100");
    assertEquals("1030", call(dollars).getString(39));

    ISOMsg zero = TestMessages.sale(pan, 0);
    assertEquals("1010", call(zero).getString(39));
    assertEquals(START, balance(pan));
    assertNotNull(
        host.ledger().messages().stream()
            .filter(m -> "9102".equals(m.actionCode()))
            .findFirst()
            .orElseThrow()
            .note(),
        "the reason is recorded");
  }
}
