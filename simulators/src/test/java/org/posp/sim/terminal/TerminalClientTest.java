package org.posp.sim.terminal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's sign-on, transaction, verification and reversal state machine against {@link
 * FakeSwitch}.
 */
@Timeout(60)
class TerminalClientTest {
  static final String MID = "898100012340001";
  static final String TID = "10000001";
  static final Card CARD = Card.swiped("6222020000000001", "3012", "123456");

  private FakeSwitch fake;
  private TerminalClient client;

  static TerminalConfig config(List<InetSocketAddress> nodes, String scheme) {
    return TerminalConfig.of(nodes, MID, TID, TestKeys.tmk(scheme), scheme)
        .withReplyTimeout(Duration.ofMillis(1500));
  }

  @BeforeEach
  void start() throws Exception {
    fake = new FakeSwitch("003");
    client = new TerminalClient(config(List.of(fake.address()), "003"));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    fake.close();
  }

  @Test
  void signOnInstallsKeysAndAdoptsTheBatch() {
    fake.batch = "000005";
    SignOnResult r = client.signOn();
    assertTrue(r.approved(), String.valueOf(r));
    assertEquals("000005", r.batch());
    assertEquals("000005", client.batch());
    assertTrue(client.signedOn());
    assertTrue(r.keyCheckValues().contains("MAK 0547DB3E"), r.keyCheckValues());
    TerminalMessage req = fake.receivedWithMti("0800").get(0);
    assertEquals("00000001003", req.get(60));
    assertEquals("01 ", req.get(63));
    assertEquals(TID, req.get(41));
    assertEquals(MID, req.get(42));
    assertFalse(req.has(64));
  }

  @Test
  void keyBlockWithWrongCheckValueIsRefused() {
    fake.behaviour =
        m ->
            m.mti().equals("0800")
                ? FakeSwitch.Behaviour.CORRUPT_KEY_CV
                : FakeSwitch.Behaviour.REPLY;
    SignOnResult r = client.signOn();
    assertFalse(r.approved());
    assertEquals("00", r.responseCode());
    assertTrue(r.failure().contains("check value"), r.failure());
    assertFalse(client.signedOn());
    assertFalse(r.keysInstalled());
  }

  @Test
  void saleIsMacedPinEncryptedAndJournaled() {
    client.signOn();
    TxnResult r = client.sale(CARD, 1234);
    assertTrue(r.approved(), String.valueOf(r));
    assertEquals("000002", r.stan());
    assertEquals("000001", r.batch());
    assertNotNull(r.rrn());
    assertEquals("A00002", r.authCode());
    FakeSwitch.Received got = fake.received().get(1);
    assertEquals(Boolean.TRUE, got.macOk());
    TerminalMessage m = got.message();
    assertEquals("000000001234", m.get(4));
    assertEquals("6222020000000001=30121010000000000", m.get(35));
    assertFalse(m.has(2));
    assertEquals("021", m.get(22));
    assertEquals("06", m.get(26));
    assertEquals("2600000000000000", m.get(53));
    assertEquals("22000001000", m.get(60));
    assertEquals("156", m.get(49));
    byte[] clearBlock = DesCipher.decrypt(fake.keys().pik(), m.bytes(52));
    assertArrayEquals(PinBlock.clear("123456", "6222020000000001"), clearBlock);
    TxnRecord rec = client.journal().ofTerminal(TID).get(0);
    assertTrue(rec.approved());
    assertEquals(r.rrn(), rec.rrn());
    assertEquals("0612", rec.localDate());
    assertFalse(rec.toString().contains("6222020000000001"));
  }

  @Test
  void keyedCardSendsPanAndExpiryOnly() {
    client.signOn();
    TxnResult r = client.balance(Card.keyed("6222020000000001", "3012", null));
    assertTrue(r.approved(), String.valueOf(r));
    assertEquals(12345L, r.balanceFen());
    TerminalMessage m = fake.receivedWithMti("0200").get(0);
    assertEquals("6222020000000001", m.get(2));
    assertEquals("3012", m.get(14));
    assertEquals("012", m.get(22));
    assertFalse(m.has(35) || m.has(52) || m.has(53) || m.has(26) || m.has(4));
    assertEquals("310000", m.get(3));
    assertEquals("01000001000", m.get(60));
  }

  @Test
  void timeoutLeavesPendingReversalSentBeforeTheNextTransaction() {
    client.signOn();
    fake.behaviour =
        m ->
            m.mti().equals("0200") && m.get(4).equals("000000000111")
                ? FakeSwitch.Behaviour.IGNORE
                : FakeSwitch.Behaviour.REPLY;
    TxnResult lost = client.sale(CARD, 111);
    assertFalse(lost.approved());
    assertEquals(Exchange.Status.TIMEOUT, lost.exchange().status());
    assertTrue(lost.failure().contains("no reply"), lost.failure());
    List<TxnRecord> pending = client.pendingReversals();
    assertEquals(1, pending.size());
    assertEquals("98", pending.get(0).reversalReason());

    TxnResult next = client.sale(CARD, 222);
    assertTrue(next.approved(), String.valueOf(next));
    List<String> order = fake.received().stream().map(x -> x.message().mti()).toList();
    assertEquals(List.of("0800", "0200", "0400", "0200"), order);
    TerminalMessage rev = fake.receivedWithMti("0400").get(0);
    assertEquals(lost.stan(), rev.get(11));
    assertEquals("98", rev.get(39));
    assertEquals("22000001000", rev.get(60));
    assertEquals("000000000111", rev.get(4));
    assertEquals("6222020000000001", rev.get(2));
    assertFalse(rev.has(35) || rev.has(52));
    assertEquals(Boolean.TRUE, fake.received().get(2).macOk());
    assertTrue(client.pendingReversals().isEmpty());
    TxnRecord first = client.journal().findByStan(TID, lost.stan()).orElseThrow();
    assertTrue(first.reversed());
    assertFalse(first.approved());
  }

  @Test
  void macFailureOnApprovedReplyIsReversedWithA0() {
    client.signOn();
    fake.behaviour =
        m -> m.mti().equals("0200") ? FakeSwitch.Behaviour.CORRUPT_MAC : FakeSwitch.Behaviour.REPLY;
    TxnResult r = client.sale(CARD, 500);
    assertEquals("00", r.responseCode());
    assertFalse(r.approved());
    assertTrue(r.failure().contains("MAC"), r.failure());
    assertEquals("A0", client.pendingReversals().get(0).reversalReason());
    List<ReversalResult> flushed = client.flushReversals();
    assertEquals(1, flushed.size());
    assertTrue(flushed.get(0).acknowledged());
    assertEquals("A0", fake.receivedWithMti("0400").get(0).get(39));
    assertEquals(SettlementTotals.ZERO, SettlementTotals.of(client.journal().all()));
  }

  @Test
  void voidTimeoutReversalCarriesOriginalData() {
    client.signOn();
    TxnResult sale = client.sale(CARD, 700);
    fake.behaviour =
        m ->
            "23".equals(m.field60Type()) ? FakeSwitch.Behaviour.IGNORE : FakeSwitch.Behaviour.REPLY;
    TxnResult v = client.voidSale(CARD, sale.record());
    assertFalse(v.approved());
    TerminalMessage voidReq = fake.receivedWithMti("0200").get(1);
    assertEquals("200000", voidReq.get(3));
    assertEquals(sale.rrn(), voidReq.get(37));
    assertEquals(sale.authCode(), voidReq.get(38));
    assertEquals("000001" + sale.stan(), voidReq.get(61));
    assertEquals("000000000700", voidReq.get(4));
    client.flushReversals();
    TerminalMessage rev = fake.receivedWithMti("0400").get(0);
    assertEquals(v.stan(), rev.get(11));
    assertEquals("23000001000", rev.get(60));
    assertEquals("000001" + sale.stan(), rev.get(61));
    assertEquals("200000", rev.get(3));
  }

  @Test
  void reversalIsResentUntilAcknowledgedAndBlocksTransactionsMeanwhile() {
    client = new TerminalClient(config(List.of(fake.address()), "003").withMaxReversalAttempts(2));
    client.signOn();
    fake.behaviour =
        m ->
            m.mti().equals("0200") || m.mti().equals("0400")
                ? FakeSwitch.Behaviour.IGNORE
                : FakeSwitch.Behaviour.REPLY;
    client.sale(CARD, 100);
    TxnResult refused = client.sale(CARD, 200);
    assertNull(refused.exchange());
    assertTrue(refused.failure().contains("reversal"), refused.failure());
    assertEquals(2, fake.receivedWithMti("0400").size());
    assertEquals(1, fake.receivedWithMti("0200").size(), "the second sale must not be sent");

    fake.behaviour = m -> FakeSwitch.Behaviour.REPLY;
    List<ReversalResult> flushed = client.flushReversals();
    assertTrue(flushed.get(0).acknowledged());
    assertEquals(1, flushed.get(0).attempts());
    List<TerminalMessage> reversals = fake.receivedWithMti("0400");
    assertEquals(3, reversals.size());
    assertEquals(reversals.get(0), reversals.get(2), "a re-sent reversal is the same message");
  }

  @Test
  void refundAndBalanceAreNotReversed() {
    client.signOn();
    fake.behaviour =
        m ->
            m.mti().equals("0220") || "01".equals(m.field60Type())
                ? FakeSwitch.Behaviour.IGNORE
                : FakeSwitch.Behaviour.REPLY;
    assertFalse(client.refund(CARD, "000000000123", "0611", 100).approved());
    assertFalse(client.balance(CARD).approved());
    assertTrue(client.pendingReversals().isEmpty());
    TerminalMessage refund = fake.receivedWithMti("0220").get(0);
    assertEquals("0000000000000611", refund.get(61));
    assertEquals("000000000123", refund.get(37));
    assertEquals("25000001000", refund.get(60));
  }

  @Test
  void droppedConnectionReconnectsToTheNextNodeAndReversesThere() throws Exception {
    try (FakeSwitch second = new FakeSwitch("003")) {
      client = new TerminalClient(config(List.of(fake.address(), second.address()), "003"));
      assertTrue(client.signOn().approved());
      assertEquals(fake.address(), client.currentNode());
      fake.behaviour =
          m ->
              m.mti().equals("0200")
                  ? FakeSwitch.Behaviour.DROP_CONNECTION
                  : FakeSwitch.Behaviour.REPLY;
      TxnResult lost = client.sale(CARD, 300);
      assertEquals(Exchange.Status.CONNECTION_LOST, lost.exchange().status());
      assertEquals("98", client.pendingReversals().get(0).reversalReason());

      TxnResult next = client.sale(CARD, 400);
      assertTrue(next.approved(), String.valueOf(next));
      assertEquals(second.address(), client.currentNode());
      assertEquals(1, client.reconnections().size());
      Reconnection rc = client.reconnections().get(0);
      assertEquals(fake.address(), rc.from());
      assertEquals(second.address(), rc.to());
      assertEquals(
          List.of("0400", "0200"), second.received().stream().map(x -> x.message().mti()).toList());
      assertEquals(lost.stan(), second.receivedWithMti("0400").get(0).get(11));

      // the second node goes away too: round robin back to the first
      second.dropAllConnections();
      fake.behaviour = m -> FakeSwitch.Behaviour.REPLY;
      for (int i = 0; i < 200 && client.connected(); i++) {
        Thread.sleep(10);
      }
      assertTrue(client.echo().approved());
      assertEquals(fake.address(), client.currentNode());
      assertEquals(2, client.reconnections().size());
    }
  }

  @Test
  void pipelinedRepliesInAnyOrderAreMatched() throws Exception {
    client =
        new TerminalClient(
            config(List.of(fake.address()), "003").withReplyTimeout(Duration.ofSeconds(10)));
    client.signOn();
    fake.delayMillis = m -> m.has(4) ? 300L - Long.parseLong(m.get(4)) : 0L;
    PreparedRequest a = client.prepareFinancial(TxnType.SALE, CARD, 1, null, null, null);
    PreparedRequest b = client.prepareFinancial(TxnType.SALE, CARD, 150, null, null, null);
    PreparedRequest c = client.prepareFinancial(TxnType.SALE, CARD, 299, null, null, null);
    var fa = client.sendAsync(a);
    var fb = client.sendAsync(b);
    var fc = client.sendAsync(c);
    Exchange ea = fa.get();
    Exchange eb = fb.get();
    Exchange ec = fc.get();
    for (Exchange e : List.of(ea, eb, ec)) {
      assertTrue(e.verified(), e.failure());
      assertEquals(e.request().message().get(11), e.replyMessage().get(11));
    }
    assertTrue(ec.reply().receivedAtNanos() < eb.reply().receivedAtNanos());
    assertTrue(eb.reply().receivedAtNanos() < ea.reply().receivedAtNanos());
  }

  @Test
  void preparedRequestCanBeReplayedByteForByte() {
    client.signOn();
    PreparedRequest p = client.prepareFinancial(TxnType.SALE, CARD, 999, null, null, null);
    TxnResult first = client.submit(p);
    Exchange again = client.send(p);
    assertTrue(first.approved());
    assertTrue(again.verified(), again.failure());
    List<FakeSwitch.Received> sales =
        fake.received().stream().filter(x -> x.message().mti().equals("0200")).toList();
    assertEquals(2, sales.size());
    assertArrayEquals(sales.get(0).body(), sales.get(1).body());
    assertEquals(1, client.journal().ofTerminal(TID).size(), "a raw send is not journaled");
  }

  @Test
  void replyWithUnswappedTpduFailsVerification() {
    client.signOn();
    fake.behaviour =
        m -> m.mti().equals("0200") ? FakeSwitch.Behaviour.WRONG_TPDU : FakeSwitch.Behaviour.REPLY;
    TxnResult r = client.sale(CARD, 10);
    assertFalse(r.approved());
    assertTrue(r.failure().contains("TPDU"), r.failure());
    assertEquals("06", client.pendingReversals().get(0).reversalReason());
  }

  @Test
  void resignRequestTriggersSignOnBeforeTheNextTransaction() {
    client.signOn();
    fake.behaviour =
        m -> m.mti().equals("0820") ? FakeSwitch.Behaviour.ASK_RESIGN : FakeSwitch.Behaviour.REPLY;
    assertTrue(client.echo().approved());
    assertTrue(client.signOnRequired());
    fake.batch = "000042";
    TxnResult r = client.sale(CARD, 10);
    assertTrue(r.approved(), String.valueOf(r));
    assertEquals("000042", r.batch());
    assertEquals(
        List.of("0800", "0820", "0800", "0200"),
        fake.received().stream().map(x -> x.message().mti()).toList());
    assertFalse(client.signOnRequired());
  }

  @Test
  void sendFrameWithOversizedLenIsClosedByThePeer() {
    client.signOn();
    byte[] bad = new byte[30];
    bad[0] = 0x08;
    bad[1] = 0x01; // LEN 2049
    RawOutcome out = client.sendFrame(bad, Duration.ofSeconds(5));
    assertTrue(out.connectionClosed());
    assertTrue(out.frames().isEmpty());
  }

  @Test
  void exchangeOfARawBodyGetsItsReply() {
    client.signOn();
    TerminalMessage echo =
        TerminalMessage.of("0820")
            .with(11, client.nextStan())
            .with(41, TID)
            .with(42, MID)
            .with(60, "00000001301");
    Exchange e = client.exchange(TerminalCodec.get().pack(echo));
    assertTrue(e.verified(), e.failure());
    assertEquals("0830", e.replyMessage().mti());
  }

  @Test
  void stanWrapsAndStateRoundTrips() {
    client.restore(new TerminalState("000007", 999_999, List.of()));
    assertEquals("000001", client.nextStan());
    assertEquals("000007", client.snapshot().batch());
    assertEquals(1, client.snapshot().lastStan());
  }

  @Test
  void declinedSaleIsNotReversedAndDoesNotCount() {
    client.signOn();
    fake.decision = m -> "51";
    TxnResult r = client.sale(CARD, 10);
    assertEquals("51", r.responseCode());
    assertNull(r.failure());
    assertFalse(r.approved());
    assertFalse(r.exchange().replyMessage().has(64));
    assertTrue(client.pendingReversals().isEmpty());
  }
}
