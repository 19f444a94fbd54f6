package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.persistence.JournalSchema;
import org.posp.sim.cardbus.TerminalTotals;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.Exchange;
import org.posp.sim.terminal.PreparedRequest;
import org.posp.sim.terminal.RawOutcome;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TxnResult;
import org.posp.sim.terminal.TxnType;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFrame;

/**
 * The terminal network is hostile: frames an attacker can send without the terminal's keys, over
 * real sockets against a demo node, must never move money, start entities or hold the front. Each
 * test is the regression test of one finding (the numbers are those of the security review).
 */
class HostileInputTest {
  static final String MID = DemoData.MERCHANT;
  static final AtomicInteger NEXT_TID = new AtomicInteger(DemoData.FIRST_TERMINAL + 60);
  static final int PER_ADDRESS = 12;

  @TempDir static Path dataDir;
  static SwitchNode node;

  @BeforeAll
  static void start() {
    node =
        TestNodes.start(
            TestNodes.demo(
                dataDir,
                Map.of(
                    "posp.card-bus.endpoint-defaults.timeout", "3s",
                    "posp.demo-data.card-bus-late-delay", "2s",
                    "posp.terminal.reversal-first-retry", "1s",
                    "posp.terminal-front.frame-read-timeout", "1s",
                    "posp.terminal-front.max-connections-per-address", String.valueOf(PER_ADDRESS),
                    // shorter than the 2 s of a slow card: the front must not answer before the
                    // switch decides
                    "pekko.http.server.request-timeout", "1s")));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  static TerminalClient terminal() {
    return terminal(String.valueOf(NEXT_TID.getAndIncrement()));
  }

  static TerminalClient terminal(String tid) {
    return new TerminalClient(
        TerminalConfig.of(
                List.of(new InetSocketAddress("127.0.0.1", node.terminalPort())),
                MID,
                tid,
                DemoData.DEMO_TMK)
            .withReplyTimeout(Duration.ofSeconds(15)));
  }

  static Card slowCard() {
    // the demo host answers a PAN ending 9998 after card-bus-late-delay (2 s, within the 3 s
    // timeout)
    return Card.swiped(SwitchNodeIntegrationTest.endingWith("9998"), "3012", "123456");
  }

  static TerminalTotals host(TerminalClient t) {
    return TestNodes.simulator(node).ledger().terminal(MID, t.config().terminalId());
  }

  /** The bytes of a prepared request with the last byte of its MAC (field 64) changed. */
  static byte[] withForgedMac(byte[] frame) {
    byte[] forged = frame.clone();
    forged[forged.length - 1] ^= 0x5A;
    return forged;
  }

  /**
   * The bytes of a prepared request with its MTI (the first two BCD bytes of the body) replaced.
   */
  static byte[] withMti(byte[] frame, int b0, int b1) {
    byte[] out = frame.clone();
    out[2 + 11] = (byte) b0;
    out[2 + 11 + 1] = (byte) b1;
    return out;
  }

  /** Writes {@code bytes} on a new connection and closes it at once, without reading anything. */
  static void sendAndHangUp(byte[] bytes) throws IOException {
    try (Socket s = new Socket("127.0.0.1", node.terminalPort())) {
      s.setSoLinger(true, 0);
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
    }
  }

  /**
   * Whether the node closes {@code s} within {@code wait} (read returns end of stream or the
   * reset).
   */
  static boolean closedByNode(Socket s, Duration wait) throws IOException {
    s.setSoTimeout((int) wait.toMillis());
    InputStream in = s.getInputStream();
    try {
      while (true) {
        if (in.read() < 0) return true;
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** Waits (bounded) until the host ledger of {@code t} shows {@code reversed} reversals. */
  static void awaitReversals(TerminalClient t, int reversed, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline && host(t).reversedCount() != reversed) Thread.sleep(100);
  }

  // ---------------------------------------------------------------- finding 1

  @Test
  void aNonRequestMtiNeverReachesTheEntityAndTheSaleInFlightStaysApproved() throws Exception {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      PreparedRequest sale = t.prepareFinancial(TxnType.SALE, slowCard(), 9_90, null, null, null);
      CompletableFuture<Exchange> inFlight = t.sendAsync(sale);
      Thread.sleep(300);
      // the same terminal's ids, MTI 9990: no reply MTI exists, so the connection is closed
      List<String> leftOpen = new ArrayList<>();
      for (int[] mti : new int[][] {{0x99, 0x90}, {0x99, 0x99}, {0x08, 0x10}, {0x02, 0x10}}) {
        try (Socket s = new Socket("127.0.0.1", node.terminalPort())) {
          s.getOutputStream().write(withMti(sale.bytes(), mti[0], mti[1]));
          if (!closedByNode(s, Duration.ofSeconds(2)))
            leftOpen.add(String.format("%02X%02X", mti[0], mti[1]));
        }
      }
      Exchange ex = inFlight.get(15, TimeUnit.SECONDS);
      assertEquals("00", ex.responseCode(), String.valueOf(ex.problems()));
      Thread.sleep(3_000); // a restart of the entity would reverse the interrupted sale by now
      assertEquals(0, host(t).reversedCount(), "the approved sale was not reversed");
      assertEquals(9_90, host(t).netFen());
      assertEquals(List.of(), leftOpen, "frames with these MTIs left their connection open");
      // the entity kept running: the terminal goes on without signing on again
      assertEquals("00", t.sale(SwitchNodeIntegrationTest.freshCard(), 1_00).responseCode());
    }
  }

  // ---------------------------------------------------------------- finding 2

  @Test
  void aReplayOfADeliveredApprovalWhoseConnectionClosesIsNeverReversed() throws Exception {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      PreparedRequest sale =
          t.prepareFinancial(
              TxnType.SALE, SwitchNodeIntegrationTest.freshCard(), 25_00, null, null, null);
      assertEquals("00", t.send(sale).responseCode());
      // an attacker who captured the request replays it on connections that close at once
      for (int i = 0; i < 10; i++) sendAndHangUp(sale.bytes());
      Thread.sleep(3_000);
      assertEquals(0, host(t).reversedCount(), "the delivered approval was not reversed");
      assertEquals(25_00, host(t).netFen());
      // a replay with a garbage MAC is refused, not answered from the record
      RawOutcome forged = t.sendFrame(withForgedMac(sale.bytes()), Duration.ofSeconds(10));
      assertEquals(1, forged.frames().size(), String.valueOf(forged));
      assertEquals("A0", forged.frames().get(0).message().get(39));
      assertFalse(forged.frames().get(0).message().has(64), "the refusal carries no MAC");
      // the genuine retransmission still gets the recorded approval
      Exchange again = t.send(sale);
      assertEquals("00", again.responseCode());
      assertEquals(25_00, host(t).netFen());
    }
  }

  // ---------------------------------------------------------------- finding 4

  @Test
  void aReversalOfASettledSaleIsRefused77AndTheSaleStandsUpstream() throws Exception {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      TxnResult sale = t.sale(SwitchNodeIntegrationTest.freshCard(), 40_00);
      assertEquals("00", sale.responseCode());
      SettlementResult st = t.settle();
      assertTrue(st.balanced(), String.valueOf(st));
      var rev = t.reversal(sale.record(), "98");
      assertEquals("77", rev.responseCode(), String.valueOf(rev));
      Thread.sleep(2_000);
      assertEquals(0, host(t).reversedCount(), "nothing reversed upstream");
      assertEquals(40_00, host(t).netFen(), "the settled sale stands, as the switch's totals said");
    }
  }

  @Test
  void aRetransmissionOfASaleInFlightAtSettlementGetsItsRecordedOutcomeNot77() throws Exception {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      // a PAN ending 9999 is never answered: the switch answers 98 after the 3 s endpoint timeout
      Card silent = Card.swiped(SwitchNodeIntegrationTest.endingWith("9999"), "3012", "123456");
      PreparedRequest sale = t.prepareFinancial(TxnType.SALE, silent, 3_00, null, null, null);
      CompletableFuture<Exchange> inFlight = t.sendAsync(sale);
      Thread.sleep(300);
      // the batch is settled while the sale is in flight (the settlement waits for its outcome),
      // and the terminal's retry of the sale arrives meanwhile: it waits as well, and gets the
      // recorded 98 after the settlement closed the batch, not 77
      CompletableFuture<SettlementResult> settled = CompletableFuture.supplyAsync(t::settle);
      Thread.sleep(300);
      try (TerminalClient retry = terminal(t.config().terminalId())) {
        RawOutcome again = retry.sendFrame(sale.bytes(), Duration.ofSeconds(15));
        assertEquals(1, again.frames().size(), String.valueOf(again));
        assertEquals("98", again.frames().get(0).message().get(39), "the recorded outcome, not 77");
      }
      assertEquals("98", inFlight.get(15, TimeUnit.SECONDS).responseCode());
      assertEquals("00", settled.get(15, TimeUnit.SECONDS).responseCode());
    }
  }

  // ---------------------------------------------------------------- unknown terminals, ids

  @Test
  void unknownTerminalsGet97AndLeaveNothingInTheJournal() throws Exception {
    Random random = new Random(8);
    List<String> tids = new ArrayList<>();
    for (int i = 0; i < 30; i++)
      tids.add(String.format("%08d", 50_000_000 + random.nextInt(40_000_000)));
    for (String tid : tids) {
      try (TerminalClient t = terminal(tid)) {
        assertEquals("97", t.signOn().responseCode(), tid);
      }
    }
    Thread.sleep(1_000); // remember-entities writes are asynchronous
    JournalSchema.Database db =
        JournalSchema.Database.fromConfig(node.system().settings().config());
    try (Connection c = db.connect();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT \"persistence_id\", \"event_payload\" FROM \"event_journal\"")) {
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String pid = rs.getString(1);
          String payload = new String(rs.getBytes(2), StandardCharsets.ISO_8859_1);
          for (String tid : tids) {
            assertFalse(
                pid.contains(tid) || payload.contains(tid),
                "journal row " + pid + " names unknown terminal " + tid);
          }
        }
      }
    }
  }

  @Test
  void terminalAndMerchantIdsMustBeDigitsAndLetters() {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      PreparedRequest ok =
          t.prepareFinancial(
              TxnType.SALE, SwitchNodeIntegrationTest.freshCard(), 1_00, null, null, null);
      for (String tid : new String[] {"../../..", "1000 001", "AB-12345", "1000%2F1"}) {
        Exchange ex = t.send(t.prepare(ok.message().with(41, tid)));
        assertEquals("30", ex.responseCode(), "41 = " + tid);
      }
      Exchange badMid = t.send(t.prepare(ok.message().with(42, "898100012340%2F")));
      assertEquals("30", badMid.responseCode());
      assertEquals(0, host(t).netFen());
    }
  }

  // ---------------------------------------------------------------- connections

  @Test
  void aFrameTrickledByteByByteIsCutAtTheFrameReadDeadline() throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.terminalPort())) {
      s.getOutputStream().write(new byte[] {0x00, 0x40, 0x60});
      // well within the 5 min idle timeout, but more than the 1 s frame deadline
      long t0 = System.nanoTime();
      boolean closed = false;
      for (int i = 0; i < 8 && !closed; i++) {
        s.getOutputStream().write(0x00);
        closed = closedByNode(s, Duration.ofMillis(500));
      }
      assertTrue(closed, "the node closed the slow connection");
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(4).toNanos());
    }
  }

  @Test
  void connectionsFromOneAddressAreCapped() throws Exception {
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) open.add(new Socket("127.0.0.1", node.terminalPort()));
      Thread.sleep(500);
      try (Socket over = new Socket("127.0.0.1", node.terminalPort())) {
        assertTrue(closedByNode(over, Duration.ofSeconds(5)), "connection over the cap closed");
      }
      for (Socket s : open)
        assertFalse(closedByNode(s, Duration.ofMillis(50)), "connections within the cap stay");
    } finally {
      for (Socket s : open) s.close();
    }
    // the cap is released with the connections
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String code = null;
    while (System.nanoTime() < deadline && !"00".equals(code)) {
      try (TerminalClient t = terminal()) {
        code = t.echo().responseCode();
      }
      if (!"00".equals(code)) Thread.sleep(200);
    }
    assertEquals("00", code);
  }

  // ---------------------------------------------------------------- HTTP front

  @Test
  void theHttpFrontWaitsForTheSwitchsAnswerBeyondTheServersDefaultRequestTimeout()
      throws Exception {
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      byte[] frame = t.prepareFinancial(TxnType.SALE, slowCard(), 6_00, null, null, null).bytes();
      HttpResponse<byte[]> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + node.httpPort() + "/iso8583"))
                      .header("Content-Type", "x-ISO-TPDU/x-auth")
                      .POST(
                          HttpRequest.BodyPublishers.ofByteArray(
                              Arrays.copyOfRange(frame, 2, frame.length)))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
      var reply = TerminalCodec.unpack(TerminalFrame.parse(r.body()).body());
      assertEquals("00", reply.get(39), "the approval reached the smart POS");
      Thread.sleep(1_000);
      assertEquals(6_00, host(t).netFen());
      assertEquals(0, host(t).reversedCount());
    }
  }

  @Test
  void theHttpFrontRefusesOversizedBodiesAndNonRequestMtis() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + node.httpPort() + "/iso8583");
    // an 8 MB body announced by Content-Length, and one sent in chunks: refused before they are
    // read
    String declared = rawHttp("Content-Length: " + (8 * 1024 * 1024) + "\r\n", new byte[4096]);
    assertTrue(declared.startsWith("HTTP/1.1 413"), declared);
    assertTrue(declared.contains("application/problem+json") && declared.contains("413"), declared);
    byte[] chunks = new byte[3 * (6 + 4096 + 2)];
    for (int i = 0; i < 3; i++) {
      System.arraycopy("1000\r\n".getBytes(StandardCharsets.US_ASCII), 0, chunks, i * 4104, 6);
      System.arraycopy(
          "\r\n".getBytes(StandardCharsets.US_ASCII), 0, chunks, i * 4104 + 6 + 4096, 2);
    }
    String chunked = rawHttp("Transfer-Encoding: chunked\r\n", chunks);
    assertTrue(chunked.startsWith("HTTP/1.1 413"), chunked);
    try (TerminalClient t = terminal()) {
      assertEquals("00", t.signOn().responseCode());
      byte[] frame =
          withMti(
              t.prepareFinancial(
                      TxnType.SALE, SwitchNodeIntegrationTest.freshCard(), 1_00, null, null, null)
                  .bytes(),
              0x99,
              0x90);
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", "x-ISO-TPDU/x-auth")
                  .POST(
                      HttpRequest.BodyPublishers.ofByteArray(
                          Arrays.copyOfRange(frame, 2, frame.length)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), r.body());
      assertNotEquals(-1, r.body().indexOf("not a terminal request"), r.body());
      assertEquals(0, host(t).netFen());
    }
  }

  /**
   * Sends a POST /iso8583 with {@code headers} and the first bytes {@code body} of its body on a
   * raw socket, then reads what the node answers (the status line and headers, and what follows)
   * until it closes or 2 s pass; the rest of the body is never sent.
   */
  static String rawHttp(String headers, byte[] body) throws IOException {
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(2_000);
      s.getOutputStream()
          .write(
              ("POST /iso8583 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: x-ISO-TPDU/x-auth\r\n"
                      + headers
                      + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(body);
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; got.size() < 65_536 && (n = s.getInputStream().read(buf)) > 0; )
          got.write(buf, 0, n);
      } catch (SocketTimeoutException | SocketException enough) {
        // what arrived is the answer
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
