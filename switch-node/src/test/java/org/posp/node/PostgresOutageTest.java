package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.PreparedRequest;
import org.posp.sim.terminal.RawOutcome;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TxnResult;
import org.posp.sim.terminal.TxnType;

/**
 * Architecture invariant 6: while PostgreSQL is down the node answers 96 quickly (no hang, no
 * crash), nothing reaches the card bus, and it recovers by itself when the database returns;
 * approved transactions are not lost.
 */
class PostgresOutageTest {
  @TempDir Path dir;

  static EmbeddedPostgres startPg(int port, Path data) throws Exception {
    return EmbeddedPostgres.builder()
        .setPort(port)
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .start();
  }

  @Test
  void answers96WhileTheDatabaseIsDownAndRecoversByItself() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path pgData = dir.resolve("pg");
    EmbeddedPostgres pg = startPg(port, pgData);
    Config config =
        TestNodes.demoOnPostgres(
            dir.resolve("node"),
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres?reWriteBatchedInserts=true");
    String tid = "10000088";
    try (SwitchNode node = TestNodes.start(config);
        TerminalClient t =
            new TerminalClient(
                TerminalConfig.of(
                        List.of(new InetSocketAddress("127.0.0.1", node.terminalPort())),
                        DemoData.MERCHANT,
                        tid,
                        DemoData.DEMO_TMK)
                    .withReplyTimeout(Duration.ofSeconds(30)))) {
      Card card = Card.swiped("6214880000000038", "3012", "123456");
      assertEquals("00", t.signOn().responseCode());
      TxnResult before = t.sale(card, 11_00);
      assertEquals("00", before.responseCode());

      pg.close();
      Thread.sleep(2_500); // a health check or two
      long t0 = System.nanoTime();
      TxnResult during = t.sale(card, 22_00);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals("96", during.responseCode(), String.valueOf(during));
      assertTrue(ms < 3_000, "answered in " + ms + " ms");
      assertEquals(
          11_00,
          TestNodes.simulator(node).ledger().terminal(DemoData.MERCHANT, tid).netFen(),
          "nothing reached the card bus while the database was down");

      pg = startPg(port, pgData);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      TxnResult after = null;
      while (System.nanoTime() < deadline) {
        Thread.sleep(1_000);
        after = t.sale(card, 33_00);
        if ("00".equals(after.responseCode())) break;
      }
      assertEquals("00", after.responseCode(), "recovers by itself: " + after);
      assertEquals(
          11_00 + 33_00,
          TestNodes.simulator(node).ledger().terminal(DemoData.MERCHANT, tid).netFen());
      assertTrue(t.settle().balanced(), "the approved sale of before the outage was not lost");
    } finally {
      pg.close();
    }
  }

  /**
   * Finding 3 of the security review: while the database is down, frames without the terminal's MAC
   * (a captured approved request replayed with a garbage MAC, and a reversal of it) are answered 96
   * and schedule nothing: when the database is back, the approval stands upstream.
   */
  @Test
  void unauthenticatedFramesWhileTheDatabaseIsDownScheduleNoReversal() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path pgData = dir.resolve("pg");
    EmbeddedPostgres pg = startPg(port, pgData);
    Config config =
        TestNodes.demoOnPostgres(
            dir.resolve("node"),
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres?reWriteBatchedInserts=true");
    String tid = "10000089";
    try (SwitchNode node = TestNodes.start(config);
        TerminalClient t =
            new TerminalClient(
                TerminalConfig.of(
                        List.of(new InetSocketAddress("127.0.0.1", node.terminalPort())),
                        DemoData.MERCHANT,
                        tid,
                        DemoData.DEMO_TMK)
                    .withReplyTimeout(Duration.ofSeconds(30)))) {
      Card card = Card.swiped("6214880000000046", "3012", "123456");
      assertEquals("00", t.signOn().responseCode());
      PreparedRequest sale = t.prepareFinancial(TxnType.SALE, card, 44_00, null, null, null);
      assertEquals("00", t.send(sale).responseCode());

      pg.close();
      Thread.sleep(2_500);
      for (byte[] forged :
          List.of(
              HostileInputTest.withForgedMac(sale.bytes()),
              HostileInputTest.withForgedMac(HostileInputTest.withMti(sale.bytes(), 0x04, 0x00)))) {
        RawOutcome out = t.sendFrame(forged, Duration.ofSeconds(10));
        assertEquals(1, out.frames().size(), String.valueOf(out));
        assertEquals("96", out.frames().get(0).message().get(39));
      }

      pg = startPg(port, pgData);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      TxnResult after = null;
      while (System.nanoTime() < deadline) {
        Thread.sleep(1_000);
        after = t.sale(card, 1_00);
        if ("00".equals(after.responseCode())) break;
      }
      assertEquals("00", after.responseCode(), "recovers by itself: " + after);
      Thread.sleep(
          12_000); // the compensation of a 96 is retried every 5 s until the entity acknowledges
      var host = TestNodes.simulator(node).ledger().terminal(DemoData.MERCHANT, tid);
      assertEquals(
          0, host.reversedCount(), "no reversal was scheduled by the unauthenticated frames");
      assertEquals(44_00 + 1_00, host.netFen());
    } finally {
      pg.close();
    }
  }
}
