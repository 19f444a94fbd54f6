package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.terminal.DeciderHarness.effects;
import static org.posp.terminal.DeciderHarness.reply;
import static org.posp.terminal.DeciderHarness.sent;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.posp.terminal.codec.SettlementTotals;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;

/**
 * Sign-on, settlement and batch upload on the decider alone (no TCP, no actor system, no card bus).
 */
class TerminalDeciderBatchTest {
  static final String PAN = "6214880000012345671";

  @Test
  void aSignOnIssuesWorkingKeysUnderTheTmkAndNamesTheOpenBatch() {
    DeciderHarness t = new DeciderHarness().provisioned();
    Decision d = t.request(DeciderHarness.pack(t.signOn("003").build()));
    TerminalMessage r = reply(d);
    assertEquals("00", r.get(39));
    assertEquals("0810", r.mti());
    assertEquals("000001", r.get(60).substring(2, 8), "60.2 is the open batch");
    assertNotNull(r.getBytes(62), "the key block");
    TerminalEvent.SignedOn on = assertInstanceOf(TerminalEvent.SignedOn.class, d.events().get(0));
    assertEquals(on.mak(), t.state.keys().mak());
    assertTrue(t.state.signedOn());
  }

  @Test
  void theSameSignOnAskedAgainGetsTheSameKeysAndRecordsNothing() {
    DeciderHarness t = new DeciderHarness().provisioned();
    byte[] body = DeciderHarness.pack(t.signOn("003").build());
    byte[] first = reply(t.request(body)).getBytes(62);
    Decision again = t.request(body);
    assertTrue(again.events().isEmpty());
    assertArrayEquals(first, reply(again).getBytes(62), "the same key block");
  }

  @Test
  void aSignOnOlderThanTheCurrentKeysIsAnswered94() {
    DeciderHarness t = new DeciderHarness().provisioned();
    TerminalMessage.Builder older = t.signOn("003");
    TerminalMessage.Builder newer = t.signOn("003");
    assertEquals("00", reply(t.request(DeciderHarness.pack(newer.build()))).get(39));
    Decision late = t.request(DeciderHarness.pack(older.build()));
    assertEquals("94", reply(late).get(39));
    assertTrue(late.events().isEmpty(), "the newer keys stay");
  }

  @Test
  void aSingleDesSignOnIsAnswered40WhenNotAllowed() {
    DeciderHarness t = new DeciderHarness().provisioned();
    Decision d = t.request(DeciderHarness.pack(t.signOn("001").build()));
    assertEquals("40", reply(d).get(39));
    assertTrue(d.events().isEmpty());
  }

  @Test
  void aBalancedSettlementClosesTheBatchAndOpensTheNext() throws TerminalFormatException {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 500);
    t.answer(t.request(t.withMac(sale)), "0000");
    Decision d = t.request(DeciderHarness.pack(t.settlement(500, 1, 0, 0).build()));
    TerminalMessage r = reply(d);
    assertEquals("00", r.get(39));
    assertEquals(
        SettlementTotals.BALANCED, SettlementTotals.parse(r.get(48)).domestic().code(), "48");
    assertEquals("000002", r.get(60).substring(2, 8), "the next batch");
    assertInstanceOf(TerminalEvent.BatchSettled.class, d.events().get(0));
    assertEquals("000002", t.state.batchNo());
    assertEquals(0, t.state.openBatchTotals().debitCount(), "the new batch is empty");

    assertEquals(
        "77", reply(t.request(t.withMac(t.sale(PAN, 100)))).get(39), "the closed batch is done");
    t.batch = "000002";
    assertEquals(
        1,
        effects(t.request(t.withMac(t.sale(PAN, 100))), Decision.SendUpstream.class).size(),
        "the next batch takes sales");
  }

  @Test
  void anUnbalancedSettlementAnswersTheSwitchTotals() throws TerminalFormatException {
    DeciderHarness t = new DeciderHarness().signedOn();
    t.answer(t.request(t.withMac(t.sale(PAN, 500))), "0000");
    t.answer(t.request(t.withMac(t.sale(PAN, 300))), "1016"); // declined: counts nowhere
    TerminalMessage r = reply(t.request(DeciderHarness.pack(t.settlement(800, 2, 0, 0).build())));
    SettlementTotals.Block mine = SettlementTotals.parse(r.get(48)).domestic();
    assertEquals(SettlementTotals.NOT_BALANCED, mine.code());
    assertEquals(500, mine.debitAmount());
    assertEquals(1, mine.debitCount());
    assertEquals("000002", t.state.batchNo(), "closed all the same");
  }

  @Test
  void aSettlementAskedAgainGetsTheSameAnswerAndItsKeyWithOtherTotals94() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder settle = t.settlement(0, 0, 0, 0);
    TerminalMessage first = reply(t.request(DeciderHarness.pack(settle.build())));
    Decision again = t.request(DeciderHarness.pack(settle.build()));
    assertTrue(again.events().isEmpty());
    assertEquals(first.get(48), reply(again).get(48));
    assertEquals(first.get(37), reply(again).get(37));
    TerminalMessage.Builder other = t.settlement(100, 1, 0, 0).set(11, settle.build().get(11));
    assertEquals("94", reply(t.request(DeciderHarness.pack(other.build()))).get(39));
  }

  @Test
  void aSettlementWaitsForATransactionInFlight() {
    DeciderHarness t = new DeciderHarness().signedOn();
    Decision started = t.request(t.withMac(t.sale(PAN, 500)));
    Decision settle = t.request(DeciderHarness.pack(t.settlement(500, 1, 0, 0).build()));
    assertEquals(sent(started).key(), effects(settle, Decision.Park.class).get(0).key());
    assertTrue(settle.events().isEmpty());
    assertEquals(null, settle.reply());
  }

  @Test
  void aSettlementOfAnotherBatchOrWithMalformedTotalsIsRefused() {
    DeciderHarness t = new DeciderHarness().signedOn();
    t.batch = "000007";
    assertEquals(
        "77", reply(t.request(DeciderHarness.pack(t.settlement(0, 0, 0, 0).build()))).get(39));
    t.batch = "000001";
    assertEquals(
        "30",
        reply(t.request(DeciderHarness.pack(t.settlement(0, 0, 0, 0).set(48, "12").build())))
            .get(39));
    assertEquals("000001", t.state.batchNo());
  }

  @Test
  void aBatchUploadIsTakenForTheLastSettledBatchAndItsDifferencesAreReported() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 500);
    t.answer(t.request(t.withMac(sale)), "0000");
    assertEquals(
        "77",
        reply(t.request(DeciderHarness.pack(t.uploadEnd("000001", 0).build()))).get(39),
        "nothing settled yet");
    t.request(DeciderHarness.pack(t.settlement(500, 1, 0, 0).build()));
    Decision up = t.request(DeciderHarness.pack(t.uploadEnd("000001", 0).build()));
    assertEquals("00", reply(up).get(39));
    assertInstanceOf(TerminalEvent.BatchUploaded.class, up.events().get(0));
    String stan = sale.build().get(11);
    assertEquals(List.of("switch-only " + stan + " -/500"), t.state.lastSettlement().differences());
    assertTrue(
        up.notes().stream().anyMatch(n -> n.text().contains("switch-only " + stan)),
        "operators see the difference");
  }

  @Test
  void aReversalOfASaleOfASettledBatchIsAnswered77AndReversesNothing() {
    DeciderHarness t = new DeciderHarness().signedOn();
    TerminalMessage.Builder sale = t.sale(PAN, 500);
    t.answer(t.request(t.withMac(sale)), "0000");
    t.request(DeciderHarness.pack(t.settlement(500, 1, 0, 0).build()));
    Decision d = t.request(t.withMac(t.reversalOf(PAN, 500, sale.build().get(11))));
    assertEquals("77", reply(d).get(39));
    assertTrue(d.events().isEmpty());
    assertTrue(d.effects().isEmpty());
  }
}
