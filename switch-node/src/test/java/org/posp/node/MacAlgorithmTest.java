package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.sim.cardbus.TerminalTotals;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.Exchange;
import org.posp.sim.terminal.PreparedRequest;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.SignOnResult;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TerminalMessage;
import org.posp.sim.terminal.TxnResult;
import org.posp.sim.terminal.TxnType;

/**
 * The MAC algorithm per terminal, over real TCP against a demo node with the terminal simulator:
 * the CUP ECB MAC of docs/protocol/terminal.md §11.2 (the default) can be forged by compensating a
 * changed amount in field 63, the X9.19 retail MAC cannot; an X919 terminal works end to end.
 */
class MacAlgorithmTest {
  static final String MID = DemoData.MERCHANT;
  static final AtomicInteger NEXT_TID = new AtomicInteger(50_000_001);

  @TempDir static Path dataDir;
  static SwitchNode node;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestNodes.demo(dataDir, Map.of()));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  /**
   * A new terminal of the demo merchant provisioned through the admin API with {@code
   * macAlgorithm}.
   */
  static TerminalClient provisioned(String macAlgorithm) throws Exception {
    String tid = String.valueOf(NEXT_TID.getAndIncrement());
    assertEquals(
        200,
        admin(
                "PUT",
                "/admin/terminals/" + MID + "/" + tid,
                "{\"tmk\": {\"clear\": \""
                    + DemoData.DEMO_TMK
                    + "\"}, \"macAlgorithm\": \""
                    + macAlgorithm
                    + "\"}")
            .statusCode());
    String view = admin("GET", "/admin/terminals/" + MID + "/" + tid, null).body();
    assertTrue(view.matches("(?s).*\"macAlgorithm\"\\s*:\\s*\"" + macAlgorithm + "\".*"), view);
    TerminalConfig cfg =
        TerminalConfig.of(
                List.of(new InetSocketAddress("127.0.0.1", node.terminalPort())),
                MID,
                tid,
                DemoData.DEMO_TMK)
            .withReplyTimeout(Duration.ofSeconds(15))
            .withMacAlgorithm(macAlgorithm);
    return new TerminalClient(cfg);
  }

  static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
            .header("Authorization", "Bearer " + AdminAuth.DEMO_TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static TerminalTotals host(TerminalClient t) {
    return TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId());
  }

  /**
   * A sale of 1.00 with 16 characters of free text in 63.2, MACed by the terminal, then changed in
   * transit: field 4 becomes 101.00 (one bit of its fourth byte) and the same bit is flipped in the
   * character of 63.2 at the same position modulo 8 ('0' becomes '1'), so the XOR of the MAB's
   * 8-byte blocks, all the CUP ECB MAC depends on, is unchanged. Field 64 is left as the terminal
   * computed it.
   */
  static byte[] forgedSale(TerminalClient t) {
    PreparedRequest genuine =
        t.prepareFinancial(
            TxnType.SALE, SwitchNodeIntegrationTest.freshCard(), 1_00, null, null, null);
    TerminalMessage withText = genuine.message().with(63, "01 " + "0".repeat(16));
    byte[] body = t.prepare(withText).frame().body().clone();
    TerminalMessage m = withText;
    int field4 = 2 + 8 + (m.has(2) ? 1 + (m.get(2).length() + 1) / 2 : 0) + 3;
    assertEquals(
        "000000000100", hexBcd(Arrays.copyOfRange(body, field4, field4 + 6)), "field 4 located");
    int changed = field4 + 3;
    int textEnd = body.length - 8; // 63 is the last field before the 8 bytes of 64
    int compensation = -1;
    for (int i = textEnd - 16; i < textEnd; i++) {
      if (Math.floorMod(i - changed, 8) == 0) compensation = i;
    }
    assertEquals('0', (char) body[compensation]);
    body[changed] ^= 0x01;
    body[compensation] ^= 0x01;
    assertEquals(
        "000000010100", hexBcd(Arrays.copyOfRange(body, field4, field4 + 6)), "101.00 in field 4");
    return body;
  }

  static String hexBcd(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) s.append(String.format("%02X", x));
    return s.toString();
  }

  /**
   * The known weakness of the CUP ECB MAC (docs/protocol/terminal.md §11.2), kept as the default
   * because independent terminals implement exactly §11.2: the forged amount passes the MAC and is
   * approved and charged upstream. This test asserts that the fold collision exists; {@link
   * #x919RefusesTheSameForgery} is the remedy.
   */
  @Test
  void cupEcbMacAcceptsACompensatedAmountChange_theKnownWeakness() throws Exception {
    try (TerminalClient t = provisioned("CUP_ECB")) {
      assertEquals("00", t.signOn().responseCode());
      Exchange ex = t.exchange(forgedSale(t));
      assertEquals("00", ex.responseCode(), String.valueOf(ex));
      assertEquals("000000010100", ex.replyMessage().get(4));
      assertEquals(101_00, host(t).netFen(), "the host charged the forged amount");
    }
  }

  @Test
  void x919RefusesTheSameForgery() throws Exception {
    try (TerminalClient t = provisioned("X919")) {
      assertEquals("00", t.signOn().responseCode());
      Exchange ex = t.exchange(forgedSale(t));
      assertEquals("A0", ex.responseCode(), String.valueOf(ex));
      assertFalse(ex.replyMessage().has(64), "an A0 reply carries no MAC");
      TerminalTotals h = host(t);
      assertEquals(0, h.approvedCount() + h.declinedCount(), "nothing went upstream: " + h);
      // the genuine request still passes
      TxnResult sale = t.sale(SwitchNodeIntegrationTest.freshCard(), 1_00);
      assertEquals("00", sale.responseCode(), String.valueOf(sale));
      assertEquals(1_00, host(t).netFen());
    }
  }

  @Test
  void anX919TerminalSignsOnSellsVoidsAndSettlesOverTcp() throws Exception {
    try (TerminalClient t = provisioned("X919")) {
      SignOnResult so = t.signOn();
      assertEquals("00", so.responseCode(), String.valueOf(so));
      assertTrue(so.keysInstalled(), "the double-length MAK opened from the 16-byte MAK slot");
      Card card = SwitchNodeIntegrationTest.freshCard();
      TxnResult sale = t.sale(card, 12_34);
      assertEquals("00", sale.responseCode(), String.valueOf(sale));
      assertTrue(
          sale.exchange().verified(), "reply MAC (X9.19) verified: " + sale.exchange().problems());
      TxnResult sale2 = t.sale(card, 50_00);
      assertEquals("00", sale2.responseCode());
      TxnResult voided = t.voidSale(card, sale2.record());
      assertEquals("00", voided.responseCode(), String.valueOf(voided));
      assertTrue(voided.exchange().verified(), String.valueOf(voided.exchange().problems()));
      assertEquals(12_34, host(t).netFen());
      SettlementResult st = t.settle();
      assertEquals("00", st.responseCode(), String.valueOf(st));
      assertTrue(st.balanced(), String.valueOf(st));
      assertTrue(t.pendingReversals().isEmpty(), "no reply failed its MAC check");
    }
  }

  @Test
  void provisioningChecksTheMacAlgorithm() throws Exception {
    String path = "/admin/terminals/" + MID + "/" + NEXT_TID.getAndIncrement();
    var unknown =
        admin(
            "PUT",
            path,
            "{\"tmk\": {\"clear\": \"" + DemoData.DEMO_TMK + "\"}, \"macAlgorithm\": \"X9.9\"}");
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().contains("CUP_ECB or X919"), unknown.body());
    var singleDes =
        admin(
            "PUT",
            path,
            "{\"tmk\": {\"clear\": \"0123456789ABCDEF\"}, \"macAlgorithm\": \"X919\"}");
    assertEquals(400, singleDes.statusCode());
    assertTrue(singleDes.body().contains("double-length"), singleDes.body());
    // demo mode keeps accepting a single DES TMK with the default MAC, and sign-on scheme 001
    assertEquals(
        200, admin("PUT", path, "{\"tmk\": {\"clear\": \"0123456789ABCDEF\"}}").statusCode());
    assertFalse(
        admin("GET", path, null).body().contains("0123456789ABCDEF"), "no clear key in the view");
    TerminalConfig cfg =
        TerminalConfig.of(
                List.of(new InetSocketAddress("127.0.0.1", node.terminalPort())),
                MID,
                path.substring(path.lastIndexOf('/') + 1),
                "0123456789ABCDEF",
                "001")
            .withReplyTimeout(Duration.ofSeconds(15));
    try (TerminalClient t = new TerminalClient(cfg)) {
      assertEquals("00", t.signOn().responseCode());
      assertEquals("00", t.sale(SwitchNodeIntegrationTest.freshCard(), 2_00).responseCode());
    }
  }
}
