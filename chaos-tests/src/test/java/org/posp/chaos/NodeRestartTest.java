package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.sim.cardbus.CardBusHost;
import org.posp.sim.cardbus.CardBusHostConfig;
import org.posp.sim.cardbus.HostMessage;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.Exchange;
import org.posp.sim.terminal.PreparedRequest;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TxnResult;
import org.posp.sim.terminal.TxnType;

/**
 * Kills a single node (SIGKILL) while a sale is at the card-bus host, restarts it on the same H2
 * data directory, and checks from the host's ledger and the switch's own records that: approved
 * sales and the batch totals survived; the interrupted sale is reversed at the host by the switch
 * with no terminal traffic; the batch then settles balanced against what the terminal received.
 */
class NodeRestartTest {
  static final String MID = "898100012340001";

  /**
   * Outside the demo range: provisioned through the admin API, so no demo provisioning wakes it.
   */
  static final String TID = "30000042";

  static final String TMK = "0123456789ABCDEFFEDCBA9876543210";

  @TempDir Path dir;

  @Test
  void killDuringAnUpstreamCallThenRestart() throws Exception {
    try (CardBusHost host =
        CardBusHost.start(
            CardBusHostConfig.defaults().withHttpPort(-1).withLateDelay(Duration.ofSeconds(40)))) {
      Map<String, String> props =
          Map.of(
              "posp.demo", "on",
              "posp.demo-data.card-bus-simulator", "off",
              "posp.card-bus.endpoints.cups.addresses.0", "127.0.0.1:" + host.port(),
              "posp.card-bus.endpoints.cups.zpk.clear", CardBusHostConfig.DEMO_ZPK,
              "posp.card-bus.routes.default", "cups",
              "posp.card-bus.endpoint-defaults.timeout", "30s",
              "posp.terminal.reversal-first-retry", "1s");
      Path logs = Path.of("target", "node-logs");
      Files.createDirectories(logs);
      NodeProcess node =
          new NodeProcess(dir.resolve("data"), logs.resolve("restart-test.log"), props);
      try (node) {
        node.start(Duration.ofSeconds(90));
        HttpResponse<String> provisioned =
            admin(
                node,
                "PUT",
                "/admin/terminals/" + MID + "/" + TID,
                "{\"tmk\": {\"clear\": \"" + TMK + "\"}}");
        assertEquals(200, provisioned.statusCode(), provisioned.body());
        TerminalClient t =
            new TerminalClient(
                TerminalConfig.of(
                        List.of(new InetSocketAddress("127.0.0.1", node.terminalPort)),
                        MID,
                        TID,
                        TMK)
                    .withReplyTimeout(Duration.ofSeconds(60)));
        assertEquals("00", t.signOn().responseCode());
        Card card = Card.swiped("6214880000000038", "3012", "123456");
        TxnResult a = t.sale(card, 10_00);
        TxnResult b = t.sale(card, 20_00);
        assertEquals("00", a.responseCode());
        assertEquals("00", b.responseCode());

        // a sale the host holds for 40 s (PAN ending 9998): the node dies while it is upstream
        Card late = Card.swiped("6214880000099998", "3012", "123456");
        PreparedRequest c = t.prepareFinancial(TxnType.SALE, late, 7_77, null, null, null);
        CompletableFuture<Exchange> pending = t.sendAsync(c);
        HostMessage atHost =
            await(
                () ->
                    host.ledger().messages().stream()
                        .filter(m -> m.amountFen() == 7_77 && TID.equals(m.terminalId()))
                        .findFirst(),
                Duration.ofSeconds(20));
        assertTrue(
            atHost.approved(), "the host approved (and debited) the interrupted sale: " + atHost);
        node.kill();
        assertEquals(30_00 + 7_77, host.ledger().terminal(MID, TID).netFen());
        Exchange lost = pending.get();
        assertTrue(
            lost.status() != Exchange.Status.REPLIED,
            "the terminal got no reply: " + lost.status());
        t.close(); // no terminal traffic from here until the reversal is seen at the host

        node.start(Duration.ofSeconds(90));
        HostMessage reversed =
            await(
                () -> host.ledger().byRrn(atHost.rrn()).filter(HostMessage::reversed),
                Duration.ofSeconds(60));
        assertTrue(reversed.reversed());
        assertEquals(
            30_00,
            host.ledger().terminal(MID, TID).netFen(),
            "only the two delivered sales remain");

        // the switch's own record survived the kill: two approved sales in the open batch
        HttpResponse<String> view = admin(node, "GET", "/admin/terminals/" + MID + "/" + TID, null);
        assertEquals(200, view.statusCode(), view.body());
        assertTrue(
            view.body().replaceAll("\\s", "").contains("\"debitFen\":3000,\"debitCount\":2"),
            view.body());

        // the terminal comes back: its own reversal of the lost sale is answered 00 and changes
        // nothing, and the batch settles balanced against what it received
        TerminalClient again =
            new TerminalClient(
                TerminalConfig.of(
                    List.of(new InetSocketAddress("127.0.0.1", node.terminalPort)), MID, TID, TMK));
        again.restore(t.snapshot());
        SettlementResult st = again.settle();
        assertEquals("00", st.responseCode(), String.valueOf(st));
        assertTrue(st.balanced(), "balanced after the restart: " + st);
        assertEquals(30_00, host.ledger().terminal(MID, TID).netFen());
        again.close();
      }
    }
  }

  static HttpResponse<String> admin(NodeProcess node, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
            .header("Authorization", "Bearer demo-admin-token")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  interface Probe<T> {
    Optional<T> get() throws Exception;
  }

  static <T> T await(Probe<T> probe, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> v = probe.get();
      if (v.isPresent()) return v.get();
      Thread.sleep(100);
    }
    throw new AssertionError("condition not met within " + timeout);
  }
}
