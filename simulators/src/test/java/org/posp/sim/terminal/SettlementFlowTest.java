package org.posp.sim.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Settlement from the terminal's own journal, batch upload and the batch move, against {@link
 * FakeSwitch}.
 */
@Timeout(60)
class SettlementFlowTest {
  private static final Card CARD = TerminalClientTest.CARD;
  private FakeSwitch fake;
  private TerminalClient client;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeSwitch("004");
    client = new TerminalClient(TerminalClientTest.config(List.of(fake.address()), "004"));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    fake.close();
  }

  /** sale A, sale B, void B, refund, a declined sale and a reversed (timed out) sale. */
  private void tradeABatch() {
    fake.decision = m -> "000000004444".equals(m.get(4)) ? "51" : "00";
    fake.behaviour =
        m ->
            "000000005555".equals(m.get(4)) && m.mti().equals("0200")
                ? FakeSwitch.Behaviour.IGNORE
                : FakeSwitch.Behaviour.REPLY;
    assertTrue(client.sale(CARD, 1000).approved());
    TxnResult b = client.sale(CARD, 2000);
    assertTrue(client.voidSale(CARD, b.record()).approved());
    assertTrue(client.refund(CARD, "000000000777", "0601", 300).approved());
    assertEquals("51", client.sale(CARD, 4444).responseCode());
    assertFalse(client.sale(CARD, 5555).approved());
    assertEquals(1, client.pendingReversals().size());
  }

  @Test
  void balancedSettlementUploadsTheBatchEndsWith207AndMovesToTheNextBatch() {
    assertTrue(client.signOn().approved());
    tradeABatch();
    SettlementResult s = client.settle();
    assertTrue(s.approved(), String.valueOf(s));
    assertTrue(s.balanced());
    assertEquals(new SettlementTotals(3000, 2, 2300, 2), s.terminalTotals());
    assertEquals("000001", s.settledBatch());
    assertEquals("000002", s.newBatch());
    assertEquals("000002", client.batch());
    assertEquals(4, s.uploadedRecords());
    assertEquals("207", s.uploadEndCode());
    assertTrue(client.pendingReversals().isEmpty(), "the reversal goes out before the settlement");

    List<String> order = fake.received().stream().map(r -> r.message().mti()).toList();
    assertEquals(
        List.of("0400", "0500", "0320", "0320"), order.subList(order.size() - 4, order.size()));
    TerminalMessage settle = fake.receivedWithMti("0500").get(0);
    assertEquals(
        "0000000030000020000000023000020" + "0000000000000000000000000000000", settle.get(48));
    assertEquals("00000001201", settle.get(60));
    assertEquals("156", settle.get(49));
    assertEquals("01 ", settle.get(63));
    assertFalse(settle.has(64));
    List<TerminalMessage> uploads = fake.receivedWithMti("0320");
    assertEquals("00000001201", uploads.get(0).get(60));
    String detail = uploads.get(0).get(48);
    assertEquals("04", detail.substring(0, 2));
    assertEquals(2 + 4 * 40, detail.length());
    assertTrue(detail.contains("0000" + CARD.pan() + "000000001000"));
    assertEquals("00000001207", uploads.get(1).get(60));
    assertEquals("0004", uploads.get(1).get(48));

    TxnResult next = client.sale(CARD, 10);
    assertEquals("000002", next.batch());
    assertEquals(
        "22000002000",
        fake.receivedWithMti("0200").get(fake.receivedWithMti("0200").size() - 1).get(60));
  }

  @Test
  void unbalancedSettlementEndsWith202AndReportsTheSwitchTotals() {
    client.signOn();
    tradeABatch();
    fake.forceUnbalanced = true;
    SettlementResult s = client.settle();
    assertEquals("00", s.responseCode());
    assertEquals("2", s.reconciliationCode());
    assertFalse(s.balanced());
    assertEquals(new SettlementTotals(3001, 2, 2300, 2), s.switchReply().domestic());
    assertEquals("202", s.uploadEndCode());
    assertEquals("00000001202", fake.receivedWithMti("0320").get(1).get(60));
  }

  @Test
  void batchWrapsFrom999999To000001() {
    fake.batch = "999999";
    client.signOn();
    assertEquals("999999", client.batch());
    assertTrue(client.sale(CARD, 100).approved());
    SettlementResult s = client.settle();
    assertTrue(s.balanced(), String.valueOf(s));
    assertEquals("000001", client.batch());
  }

  @Test
  void settlementReplyWithoutANewBatchMovesToBatchPlusOne() {
    fake.batch = "000010";
    fake.batchAfterSettlement = "000010";
    client.signOn();
    SettlementResult s = client.settle();
    assertTrue(s.approved(), String.valueOf(s));
    assertEquals("000011", client.batch());
    assertEquals(0, s.uploadedRecords());
    assertEquals(SettlementTotals.ZERO, s.terminalTotals());
    assertEquals("0000", fake.receivedWithMti("0320").get(0).get(48));
    assertEquals(1, fake.receivedWithMti("0320").size(), "no detail message for an empty batch");
  }

  @Test
  void settlementWithoutReplyDoesNotMoveTheBatch() {
    client.signOn();
    fake.behaviour =
        m -> m.mti().equals("0500") ? FakeSwitch.Behaviour.IGNORE : FakeSwitch.Behaviour.REPLY;
    SettlementResult s = client.settle();
    assertFalse(s.approved());
    assertNull(s.newBatch());
    assertEquals("000001", client.batch());
    assertTrue(s.failure().contains("no reply"), s.failure());
  }
}
