package org.posp.sim.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.posp.sim.terminal.AdminResult;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.Frame;
import org.posp.sim.terminal.PreparedRequest;
import org.posp.sim.terminal.RawOutcome;
import org.posp.sim.terminal.ReversalResult;
import org.posp.sim.terminal.SignOnResult;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TerminalMessage;
import org.posp.sim.terminal.TxnResult;
import org.posp.sim.terminal.TxnType;

/**
 * The echo server against the terminal simulator's own client: every reply must pass its checks.
 */
class EchoServerTest {
  private static final String TMK_16 = LoadOptions.DEMO_TMK;
  private static final String TMK_8 = "1F2E3D4C5B6A7988";
  private static final String MID = "898100012340001";
  private static final Card CARD = Card.swiped("6222020000000015", "4912", "123456");

  private static TerminalClient client(EchoServer s, String tmk, String scheme) {
    return new TerminalClient(
        TerminalConfig.of(
                List.of(new InetSocketAddress("127.0.0.1", s.port())), MID, "10000001", tmk, scheme)
            .withReplyTimeout(Duration.ofSeconds(5)));
  }

  @Test
  void everyTransactionOfTheLoadMixIsApprovedWithAVerifiedMac() throws Exception {
    for (String scheme : List.of("003", "004")) {
      try (EchoServer s = EchoServer.start("127.0.0.1", 0, TMK_16, 1);
          TerminalClient c = client(s, TMK_16, scheme)) {
        SignOnResult on = c.signOn();
        assertTrue(on.approved() && on.keysInstalled(), scheme + ": " + on);
        assertEquals("004".equals(scheme), on.keyCheckValues().contains("TDK"));
        TxnResult balance = c.balance(CARD);
        assertTrue(balance.approved(), balance.failure());
        assertEquals(100_000_000L, balance.balanceFen());
        TxnResult sale = c.sale(CARD, 1234);
        assertTrue(sale.approved(), sale.failure());
        assertNotNull(sale.rrn());
        TxnResult voided = c.voidSale(CARD, sale.record());
        assertTrue(voided.approved(), voided.failure());
        assertEquals(TxnType.SALE_VOID, voided.type());
        TxnResult second = c.sale(CARD, 500);
        ReversalResult rv = c.reversal(second.record(), "98");
        assertTrue(rv.acknowledged() && rv.approved(), String.valueOf(rv.failure()));
        AdminResult echo = c.echo();
        assertTrue(echo.approved(), echo.failure());
        EchoServer.Status st = s.status();
        assertEquals(7, st.requests());
        assertEquals(7, st.replies());
        assertEquals(0, st.macFailures());
      }
    }
  }

  @Test
  void singleLengthTmkServesKeyScheme001Only() throws Exception {
    try (EchoServer s = EchoServer.start("127.0.0.1", 0, TMK_8, 1)) {
      try (TerminalClient c = client(s, TMK_8, "001")) {
        assertTrue(c.signOn().approved());
        assertTrue(c.sale(CARD, 100).approved());
      }
      try (TerminalClient c = client(s, TMK_16, "003")) {
        SignOnResult refused = c.signOn();
        assertEquals("40", refused.responseCode());
        assertFalse(refused.keysInstalled());
      }
    }
  }

  @Test
  void wrongMacIsAnsweredA0WithoutMac() throws Exception {
    try (EchoServer s = EchoServer.start("127.0.0.1", 0, TMK_16, 1);
        TerminalClient c = client(s, TMK_16, "003")) {
      assertTrue(c.signOn().approved());
      PreparedRequest good = c.prepareFinancial(TxnType.SALE, CARD, 100, null, null, null);
      byte[] body = good.frame().body();
      body[body.length - 1] ^= 0x01; // field 64 is the last 8 bytes
      Frame bad = new Frame(good.frame().tpdu(), good.frame().header(), body);
      RawOutcome out = c.sendFrame(bad.encode(), Duration.ofSeconds(5));
      assertEquals(1, out.frames().size(), String.valueOf(out));
      TerminalMessage reply = out.frames().get(0).message();
      assertEquals("0210", reply.mti());
      assertEquals("A0", reply.get(39));
      assertFalse(reply.has(64));
      assertEquals(1, s.status().macFailures());
    }
  }

  @Test
  void settlementIsNotServedAndGets40() throws Exception {
    try (EchoServer s = EchoServer.start("127.0.0.1", 0, TMK_16, 1);
        TerminalClient c = client(s, TMK_16, "003")) {
      assertTrue(c.signOn().approved());
      assertEquals("40", c.settle().responseCode());
    }
  }

  @Test
  void framingErrorClosesTheConnectionAndAnUnparseableBodyIsDropped() throws Exception {
    try (EchoServer s = EchoServer.start("127.0.0.1", 0, TMK_16, 1);
        TerminalClient c = client(s, TMK_16, "003")) {
      // MTI 0200 whose bitmap announces field 3 that never comes: logged and dropped, the
      // connection stays
      byte[] body = {0x02, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0};
      byte[] junk = new Frame(Frame.tpdu("0003", "0000"), new byte[6], body).encode();
      RawOutcome dropped = c.sendFrame(junk, Duration.ofMillis(300));
      assertTrue(dropped.frames().isEmpty());
      assertFalse(dropped.connectionClosed());
      assertEquals(1, s.status().unparseable());
      assertTrue(c.echo().approved(), "the connection still serves");
      // LEN 5 < 21: framing error, the connection is closed
      RawOutcome closed = c.sendFrame(new byte[] {0, 5, 1, 2, 3, 4, 5}, Duration.ofSeconds(5));
      assertTrue(closed.connectionClosed(), String.valueOf(closed));
      assertEquals(1, s.status().framingErrors());
      assertNull(c.currentNode());
    }
  }

  @Test
  void pipelinedRequestsOnOneConnectionAreAllAnswered() throws Exception {
    try (EchoServer s = EchoServer.start("127.0.0.1", 0, TMK_16, 2);
        TerminalClient c = client(s, TMK_16, "003")) {
      assertTrue(c.signOn().approved());
      List<PreparedRequest> reqs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        reqs.add(c.prepareFinancial(TxnType.SALE, CARD, 100 + i, null, null, null));
      }
      var futures = reqs.stream().map(c::sendAsync).toList();
      for (var f : futures) {
        var ex = f.get();
        assertTrue(ex.verified(), ex.failure());
        assertEquals("00", ex.responseCode());
      }
      assertEquals(201, s.status().replies());
    }
  }

  @Test
  void mainOptionsAreCheckedAndTheServerStopsCleanly() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertEquals(
        2,
        EchoServer.run(new String[] {"--port", "x"}, out, errStream, new CountDownLatch(0), false));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--port must be a whole number"));
    assertEquals(
        2,
        EchoServer.run(
            new String[] {"--bogus", "1"}, out, errStream, new CountDownLatch(0), false));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --bogus"));
    assertEquals(
        2,
        EchoServer.run(
            new String[] {"--port", "0", "--tmk", "ABC"},
            out,
            errStream,
            new CountDownLatch(0),
            false));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("TMK"));
    ByteArrayOutputStream started = new ByteArrayOutputStream();
    assertEquals(
        0,
        EchoServer.run(
            new String[] {"--port", "0"},
            new PrintStream(started, true, StandardCharsets.UTF_8),
            errStream,
            new CountDownLatch(0),
            false));
    String text = started.toString(StandardCharsets.UTF_8);
    assertTrue(
        text.contains("echo server listening on") && text.contains("echo server stopped"), text);
    assertFalse(text.contains(TMK_16), "the TMK is never printed");
  }
}
