package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.sim.cardbus.CardData;
import org.posp.sim.cardbus.TerminalTotals;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.Exchange;
import org.posp.sim.terminal.PreparedRequest;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.SignOnResult;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TxnResult;
import org.posp.sim.terminal.TxnType;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFrame;

/**
 * One demo-mode node over real sockets: the terminal simulator speaks to the TCP front, the node
 * talks CMF over TCP to the card-bus simulator, the journal is an H2 file. Every transaction of the
 * foundation and the error codes of docs/protocol/terminal.md §7.
 */
class SwitchNodeIntegrationTest {
  static final String MID = DemoData.MERCHANT;
  static final String TMK = DemoData.DEMO_TMK;
  static final AtomicInteger NEXT_TID = new AtomicInteger(DemoData.FIRST_TERMINAL);
  static final AtomicInteger NEXT_CARD = new AtomicInteger(1);

  @TempDir static Path dataDir;
  static SwitchNode node;

  @BeforeAll
  static void start() {
    node =
        TestNodes.start(
            TestNodes.demo(
                dataDir,
                Map.of(
                    "posp.card-bus.endpoint-defaults.timeout", "8s",
                    "posp.demo-data.card-bus-late-delay", "5s",
                    "posp.terminal.reversal-first-retry", "1s")));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  static TerminalClient terminal() {
    return terminal(MID, String.valueOf(NEXT_TID.getAndIncrement()));
  }

  static TerminalClient terminal(String mid, String tid) {
    TerminalConfig cfg =
        TerminalConfig.of(
                List.of(new InetSocketAddress("127.0.0.1", node.terminalPort())), mid, tid, TMK)
            .withReplyTimeout(Duration.ofSeconds(15));
    return new TerminalClient(cfg);
  }

  /**
   * A fresh Luhn-valid card of the other-banks range (routed to cups), so ledgers do not interfere.
   */
  static Card card(String suffixWithoutCheck) {
    return Card.swiped(luhn(suffixWithoutCheck), "3012", "123456");
  }

  static Card freshCard() {
    return card(String.format("62148800%010d", NEXT_CARD.getAndIncrement()));
  }

  static String luhn(String body) {
    for (int d = 0; d < 10; d++) {
      if (CardData.isLuhnValid(body + d)) return body + d;
    }
    throw new IllegalStateException("no check digit");
  }

  @Test
  void fullDayOfATerminal_signOnSaleBalanceVoidRefundSettle() {
    try (TerminalClient t = terminal()) {
      SignOnResult so = t.signOn();
      assertEquals("00", so.responseCode(), String.valueOf(so));
      assertTrue(so.keysInstalled());

      Card card = freshCard();
      TxnResult sale = t.sale(card, 12_34);
      assertEquals("00", sale.responseCode(), String.valueOf(sale));
      assertNotNull(sale.rrn());
      assertNotNull(sale.authCode());

      TxnResult balance = t.balance(card);
      assertEquals("00", balance.responseCode(), String.valueOf(balance));
      assertEquals(100_000_000L - 12_34, balance.balanceFen());

      TxnResult sale2 = t.sale(card, 50_00);
      assertEquals("00", sale2.responseCode());
      TxnResult voided = t.voidSale(card, sale2.record());
      assertEquals("00", voided.responseCode(), String.valueOf(voided));

      TxnResult refund = t.refund(card, sale.rrn(), sale.localDate(), 2_00);
      assertEquals("00", refund.responseCode(), String.valueOf(refund));

      // host: debits 12.34 + 50.00, credits 50.00 (void) + 2.00 (refund)
      TerminalTotals host =
          TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId());
      assertEquals(12_34 + 50_00 - 50_00 - 2_00, host.netFen());

      String batch = t.batch();
      SettlementResult st = t.settle();
      assertEquals("00", st.responseCode(), String.valueOf(st));
      assertTrue(st.balanced(), "settlement balanced: " + st);
      assertNotEquals(batch, st.newBatch());
      assertEquals(TerminalClient.nextBatch(batch), st.newBatch());

      // the closed batch refuses new transactions with its old number; the terminal moved on
      TxnResult afterSettle = t.sale(card, 1_00);
      assertEquals("00", afterSettle.responseCode(), String.valueOf(afterSettle));
      assertEquals(st.newBatch(), afterSettle.batch());
    }
  }

  @Test
  void timeoutIsAnswered98AndReversedUpstreamByTheSwitch() throws Exception {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      // a PAN ending 9999 is never answered by the host
      Card silent = Card.swiped(endingWith("9999"), "3012", "123456");
      TxnResult sale = t.sale(silent, 7_00);
      assertEquals("98", sale.responseCode(), String.valueOf(sale));
      // the switch reverses by itself: the host sees a reversal for that terminal's sale
      String tid = t.config().terminalId();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline
          && TestNodes.simulator(node).ledger().terminal(MID, tid).reversedCount() == 0) {
        Thread.sleep(100);
      }
      assertEquals(
          1,
          TestNodes.simulator(node).ledger().terminal(MID, tid).reversedCount(),
          "host received the switch's reversal");
      assertEquals(
          0, TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId()).netFen());
    }
  }

  @Test
  void terminalReversalOfAnApprovedSaleIsForwardedAndIdempotent() throws Exception {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      Card card = freshCard();
      TxnResult sale = t.sale(card, 30_00);
      assertEquals("00", sale.responseCode());
      assertEquals(
          30_00,
          TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId()).netFen());
      var rev = t.reversal(sale.record(), "98");
      assertEquals("00", rev.responseCode(), String.valueOf(rev));
      var again = t.reversal(sale.record(), "98");
      assertEquals("00", again.responseCode(), String.valueOf(again));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline
          && TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId()).netFen()
              != 0) {
        Thread.sleep(50);
      }
      assertEquals(
          0, TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId()).netFen());
      SettlementResult st = t.settle();
      assertTrue(st.balanced(), String.valueOf(st));
    }
  }

  @Test
  void anApprovalWhoseConnectionIsGoneIsReversedByTheSwitch() throws Exception {
    TerminalClient t = terminal();
    assertEquals("00", t.signOn().responseCode());
    // the host answers a PAN ending 9998 after 5 s (within the 8 s endpoint timeout)
    Card slow = Card.swiped(endingWith("9998"), "3012", "123456");
    PreparedRequest p = t.prepareFinancial(TxnType.SALE, slow, 9_99, null, null, null);
    t.sendAsync(p);
    Thread.sleep(500);
    t.close(); // the terminal hangs up before the approval comes back
    String tid = t.config().terminalId();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline
        && TestNodes.simulator(node).ledger().terminal(MID, tid).reversedCount() == 0) {
      Thread.sleep(100);
    }
    assertEquals(
        1,
        TestNodes.simulator(node).ledger().terminal(MID, tid).reversedCount(),
        "the switch reversed the approval");
    assertEquals(0, TestNodes.simulator(node).ledger().terminal(MID, tid).netFen());
  }

  @Test
  void rulesOfSection42() throws Exception {
    // 97: not provisioned
    try (TerminalClient t = terminal(MID, "99999999")) {
      assertEquals("97", t.signOn().responseCode());
    }
    // 03: frozen merchant
    try (TerminalClient t = terminal(DemoData.FROZEN_MERCHANT, DemoData.FROZEN_TERMINAL)) {
      assertEquals("03", t.signOn().responseCode());
    }
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      Card card = freshCard();

      // upstream declines keep their meaning
      assertEquals(
          "55",
          t.sale(Card.swiped(card.pan(), "3012", "654321"), 1_00).responseCode(),
          "wrong PIN");
      assertEquals(
          "54", t.sale(Card.swiped(card.pan(), "1901", "123456"), 1_00).responseCode(), "expired");
      assertEquals(
          "05", t.sale(Card.swiped(endingWith("9997"), "3012", "123456"), 1_00).responseCode());
      assertEquals("51", t.sale(card, 100_000_001L).responseCode(), "insufficient funds");

      // A0: a wrong MAC is refused without 64
      PreparedRequest p = t.prepareFinancial(TxnType.SALE, card, 1_00, null, null, null);
      byte[] body = p.frame().body().clone();
      body[body.length - 1] ^= 0x01;
      Exchange bad = t.exchange(body);
      assertEquals("A0", bad.responseCode());
      assertTrue(!bad.replyMessage().has(64));

      // duplicate replay: the same bytes twice give the same answer, one upstream debit
      PreparedRequest dup = t.prepareFinancial(TxnType.SALE, card, 3_00, null, null, null);
      Exchange first = t.send(dup);
      Exchange second = t.send(dup);
      assertEquals("00", first.responseCode());
      assertEquals("00", second.responseCode());
      assertEquals(first.replyMessage().get(37), second.replyMessage().get(37));
      assertEquals(first.replyMessage().get(38), second.replyMessage().get(38));
      assertEquals(
          3_00, TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId()).netFen());

      // 94: same key, different content (other amount, same STAN)
      var changed = dup.message().with(4, "000000000400");
      Exchange conflict = t.send(t.prepare(changed));
      assertEquals("94", conflict.responseCode());

      // 30: a mandatory field missing (49)
      Exchange missing =
          t.send(
              t.prepare(
                  t.prepareFinancial(TxnType.SALE, card, 1_00, null, null, null)
                      .message()
                      .without(49)));
      assertEquals("30", missing.responseCode());

      // 25: void of an unknown original; 64: void amount differs; 12: void twice
      TxnResult sale = t.sale(card, 8_00);
      assertEquals("00", sale.responseCode());
      Exchange unknown =
          t.send(
              t.prepareFinancial(
                  TxnType.SALE_VOID, card, 8_00, "000000000000", null, t.batch() + "999998"));
      assertEquals("25", unknown.responseCode());
      Exchange wrongAmount =
          t.send(
              t.prepareFinancial(
                  TxnType.SALE_VOID,
                  card,
                  7_00,
                  sale.rrn(),
                  sale.authCode(),
                  sale.batch() + sale.stan()));
      assertEquals("64", wrongAmount.responseCode());
      assertEquals("00", t.voidSale(card, sale.record()).responseCode());
      assertEquals("12", t.voidSale(card, sale.record()).responseCode());

      // 13: refund above the refundable rest
      TxnResult s2 = t.sale(card, 5_00);
      assertEquals("13", t.refund(card, s2.rrn(), s2.localDate(), 6_00).responseCode());
      assertEquals("00", t.refund(card, s2.rrn(), s2.localDate(), 5_00).responseCode());
      assertEquals("13", t.refund(card, s2.rrn(), s2.localDate(), 1).responseCode());

      // 40: pre-authorisation is not part of this release
      assertEquals("40", t.preAuth(card, 1_00).responseCode());

      // the raw sends above (duplicate test) are not in the terminal's own record, so the switch
      // answers "not balanced" with its own totals
      SettlementResult st = t.settle();
      assertEquals("00", st.responseCode());
      assertEquals("2", st.reconciliationCode(), String.valueOf(st));
      // after "not balanced" the terminal uploads its details (0320/201, then 202); the switch
      // lists the sale the terminal does not know about
      assertEquals("202", st.uploadEndCode());
      String view =
          admin("GET", "/admin/terminals/" + MID + "/" + t.config().terminalId(), null).body();
      assertTrue(view.contains("switch-only " + dup.message().get(11) + " -/300"), view);
    }
    // 77: a batch number that is not the open batch, and a request after sign-off
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      PreparedRequest p = t.prepareFinancial(TxnType.SALE, freshCard(), 1_00, null, null, null);
      Exchange wrongBatch = t.send(t.prepare(p.message().with(60, "22999999")));
      assertEquals("77", wrongBatch.responseCode());
      PreparedRequest afterSignOff =
          t.prepareFinancial(TxnType.SALE, freshCard(), 1_00, null, null, null);
      assertEquals("00", t.signOff().responseCode());
      assertEquals("77", t.send(afterSignOff).responseCode());
    }
  }

  @Test
  void smartPosOverHttpAndAdminApi() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> unauthorized =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.httpPort() + "/admin/card-bus"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, unauthorized.statusCode());
    assertTrue(unauthorized.body().contains("\"title\""));
    HttpResponse<String> status =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.httpPort() + "/admin/card-bus"))
                .header("Authorization", "Bearer " + AdminAuth.DEMO_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, status.statusCode(), status.body());
    assertTrue(status.body().contains("cups"));

    HttpResponse<String> members = admin("GET", "/admin/cluster", null);
    assertEquals(200, members.statusCode());
    assertTrue(
        members.body().contains("\"status\" : \"Up\"") && members.body().contains("posp-node-0"),
        members.body());
    assertEquals(400, admin("POST", "/admin/cluster/down?address=nonsense", null).statusCode());

    // routes: read, refuse an unknown endpoint, replace at run time, put back
    String routes = admin("GET", "/admin/routes", null).body();
    assertTrue(routes.contains("\"622202\" : \"core\""), routes);
    assertEquals(
        400,
        admin(
                "PUT",
                "/admin/routes",
                "{\"bins\": {\"4\": \"visa\"}, \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\"}")
            .statusCode());
    HttpResponse<String> changed =
        admin(
            "PUT",
            "/admin/routes",
            "{\"bins\": {\"622202\": \"core\", \"621488\": \"core\"}, \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\"}");
    assertEquals(200, changed.statusCode(), changed.body());
    assertTrue(changed.body().contains("621488"));
    assertEquals(
        200,
        admin(
                "PUT",
                "/admin/routes",
                "{\"bins\": {\"622202\": \"core\"}, \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\"}")
            .statusCode());

    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      PreparedRequest p = t.prepareFinancial(TxnType.SALE, freshCard(), 4_56, null, null, null);
      byte[] frame = p.bytes();
      byte[] noLen = Arrays.copyOfRange(frame, 2, frame.length);
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/iso8583"))
                  .header("Content-Type", "x-ISO-TPDU/x-auth")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(noLen))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode());
      var reply = TerminalFrame.parse(r.body());
      var msg = TerminalCodec.unpack(reply.body());
      assertEquals("0210", msg.mti());
      assertEquals("00", msg.get(39));

      HttpResponse<String> view =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + node.httpPort()
                              + "/admin/terminals/"
                              + MID
                              + "/"
                              + t.config().terminalId()))
                  .header("Authorization", "Bearer " + AdminAuth.DEMO_TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, view.statusCode());
      assertTrue(view.body().contains("\"signedOn\" : true"), view.body());
      assertTrue(!view.body().matches("(?s).*62148800\\d{8}.*"), "no clear PAN in the admin view");
    }
  }

  @Test
  void tlsFrontCarriesTheSameProtocol() {
    TerminalConfig cfg =
        TerminalConfig.of(
                List.of(new InetSocketAddress("127.0.0.1", node.tlsPort())),
                MID,
                String.valueOf(NEXT_TID.getAndIncrement()),
                TMK)
            .withTls(true)
            .withReplyTimeout(Duration.ofSeconds(15));
    try (TerminalClient t = new TerminalClient(cfg)) {
      assertEquals("00", t.signOn().responseCode());
      assertEquals("00", t.sale(freshCard(), 2_22).responseCode());
    }
  }

  @Test
  void framingErrorsCloseTheConnectionAndFormatErrorsAreAnswered30() {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.echo().responseCode());
      byte[] tooLong = new byte[2 + 2049];
      tooLong[0] = (byte) (2049 >> 8);
      tooLong[1] = (byte) (2049 & 0xFF);
      tooLong[2] = 0x60;
      assertTrue(
          t.sendFrame(tooLong, Duration.ofSeconds(5)).connectionClosed(), "LEN > 2048 closes");
    }
    try (TerminalClient t = terminal()) {
      byte[] tooShort = {0x00, 0x0F, 0x60, 0, 3, 0, 0, 0x60, 0x32, 0, 0, 0, 0, 0x08, 0x00, 0, 0, 0};
      assertTrue(
          t.sendFrame(tooShort, Duration.ofSeconds(5)).connectionClosed(), "LEN < 21 closes");
    }
    try (TerminalClient t = terminal()) {
      // 0200 whose bitmap announces field 3 and 4 but the body ends inside field 4
      byte[] body = {0x02, 0x00, 0x30, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00, 0x00};
      byte[] frame = new byte[2 + 11 + body.length];
      frame[1] = (byte) (11 + body.length);
      System.arraycopy(new byte[] {0x60, 0, 3, 0, 0, 0x60, 0x32, 0, 0, 0, 0}, 0, frame, 2, 11);
      System.arraycopy(body, 0, frame, 13, body.length);
      var out = t.sendFrame(frame, Duration.ofSeconds(5));
      assertEquals(1, out.frames().size(), String.valueOf(out));
      assertEquals("0210", out.frames().get(0).message().mti());
      assertEquals("30", out.frames().get(0).message().get(39));
    }
  }

  @Test
  void pipelinedRequestsOnOneConnectionAreAllAnswered() throws Exception {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      Card card = freshCard();
      List<CompletableFuture<Exchange>> inFlight = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        inFlight.add(
            t.sendAsync(t.prepareFinancial(TxnType.SALE, card, 1_00 + i, null, null, null)));
      }
      Set<String> rrns = new HashSet<>();
      for (var f : inFlight) {
        Exchange ex = f.get();
        assertEquals("00", ex.responseCode(), String.valueOf(ex.problems()));
        rrns.add(ex.replyMessage().get(37));
      }
      assertEquals(12, rrns.size(), "every sale has its own RRN");
      assertEquals(
          12 * 1_00 + 66,
          TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId()).netFen());
    }
  }

  @Test
  void merchantLimitsAndAllowedTypesAndOperatorKeyRotation() throws Exception {
    String mid = "898100012340009";
    String tid = "40000001";
    assertEquals(
        200,
        admin(
                "PUT",
                "/admin/merchants/" + mid,
                "{\"name\": \"Limited\", \"mcc\": \"5812\", "
                    + "\"singleLimitFen\": 10000, \"dailyLimitFen\": 25000, \"allowedTypes\": [\"SALE\", \"BALANCE\"]}")
            .statusCode());
    assertEquals(
        200,
        admin(
                "PUT",
                "/admin/terminals/" + mid + "/" + tid,
                "{\"tmk\": {\"clear\": \"" + TMK + "\"}}")
            .statusCode());
    assertEquals(
        400, admin("PUT", "/admin/terminals/" + mid + "/" + tid, "{\"tmk\": {}}").statusCode());
    try (TerminalClient t = terminal(mid, tid)) {
      assertEquals("00", t.signOn().responseCode());
      Card card = freshCard();
      assertEquals("61", t.sale(card, 100_01).responseCode(), "single limit");
      TxnResult a = t.sale(card, 100_00);
      assertEquals("00", a.responseCode());
      assertEquals(
          "58", t.refund(card, a.rrn(), a.localDate(), 1_00).responseCode(), "refund not allowed");
      assertEquals("00", t.sale(card, 100_00).responseCode());
      assertEquals("61", t.sale(card, 50_01).responseCode(), "daily limit");

      // an operator asks for new keys: replies carry processing requirement 3
      assertEquals(
          202,
          admin("POST", "/admin/terminals/" + mid + "/" + tid + "/require-sign-on", null)
              .statusCode());
      t.balance(card);
      assertTrue(t.signOnRequired(), "R = 3 in the header after the operator's request");
    }
  }

  static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
            .header("Authorization", "Bearer " + AdminAuth.DEMO_TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A Luhn-valid 16-digit PAN of the cups range whose last four digits are {@code last4}. */
  static String endingWith(String last4) {
    for (int i = 0; i < 100_000; i++) {
      String pan = String.format("621488%06d", NEXT_CARD.getAndIncrement()) + last4;
      if (CardData.isLuhnValid(pan)) return pan;
    }
    throw new IllegalStateException("no Luhn-valid PAN found");
  }
}
