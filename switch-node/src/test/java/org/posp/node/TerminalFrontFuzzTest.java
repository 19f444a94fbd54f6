package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.sim.cardbus.HostMessage;
import org.posp.sim.cardbus.Ledger;
import org.posp.sim.cardbus.TerminalTotals;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.FrameMutator;
import org.posp.sim.terminal.PreparedRequest;
import org.posp.sim.terminal.RawOutcome;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.SettlementTotals;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalCodec;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TerminalMessage;
import org.posp.sim.terminal.TxnRecord;
import org.posp.sim.terminal.TxnResult;
import org.posp.sim.terminal.TxnType;
import org.slf4j.LoggerFactory;

/**
 * An attacker without keys against a demo node over TCP: about 2,000 mutated frames of every
 * message of docs/protocol/terminal.md §4 (captured frames of a signed-on victim terminal, the same
 * with forged MACs, the unauthenticated management messages, and all of them under an unknown
 * terminal id), while a canary terminal keeps selling. Afterwards: no ERROR was logged, the
 * card-bus host saw no request but the canary's, the canary's sales all went through, and every
 * terminal's host net is its own approved net; the canary's batch settles balanced.
 *
 * <p>Seeded and bounded: {@code -Dposp.fuzz.seed=N -Dposp.fuzz.frames=M} reproduce or extend a run;
 * the seed in use is printed first.
 */
class TerminalFrontFuzzTest {
  static final long SEED = Long.getLong("posp.fuzz.seed", 20261207L);
  static final int FRAMES = Integer.getInteger("posp.fuzz.frames", 2_000);
  static final int WORKERS = 4;
  static final Duration REPLY_WAIT = Duration.ofMillis(1_500);
  static final String MID = DemoData.MERCHANT;
  static final String CANARY = String.valueOf(DemoData.FIRST_TERMINAL);
  static final String VICTIM = String.valueOf(DemoData.FIRST_TERMINAL + 49);
  static final String UNKNOWN = "87654321";

  @TempDir static Path dataDir;
  static SwitchNode node;
  static final ErrorLog errors = new ErrorLog();

  @BeforeAll
  static void start() {
    node =
        TestNodes.start(
            TestNodes.demo(
                dataDir,
                Map.of(
                    "posp.card-bus.endpoint-defaults.timeout", "3s",
                    "posp.terminal.reversal-first-retry", "1s",
                    "posp.terminal-front.frame-read-timeout", "1s")));
    errors.attach();
  }

  @AfterAll
  static void stop() {
    errors.detach();
    if (node != null) node.close();
  }

  /** ERROR events of any logger, while attached to the root logger. */
  static final class ErrorLog extends AppenderBase<ILoggingEvent> {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    void attach() {
      Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      setContext(root.getLoggerContext());
      start();
      root.addAppender(this);
    }

    void detach() {
      ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(this);
      stop();
    }

    @Override
    protected void append(ILoggingEvent e) {
      if (e.getLevel().isGreaterOrEqual(Level.ERROR))
        lines.add(e.getLoggerName() + " - " + e.getFormattedMessage());
    }

    List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }

    void clear() {
      lines.clear();
    }
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

  /**
   * One valid frame to mutate: its TPDU and header, the message, and whether its MAC is genuine.
   */
  record Seed(String name, byte[] tpdu, byte[] header, TerminalMessage message, boolean genuine) {
    byte[] body() {
      return TerminalCodec.get().pack(message);
    }
  }

  @Test
  void mutatedFramesOfAnAttackerWithoutKeysMoveNoMoneyAndLogNoError() throws Exception {
    System.out.printf(
        "terminal front fuzz: seed %d, %d frames (-Dposp.fuzz.seed / -Dposp.fuzz.frames)%n",
        SEED, FRAMES);
    // the capture works: an ERROR of the terminal entity's logger is seen
    LoggerFactory.getLogger("org.posp.terminal.TerminalEntity").error("fuzz test: capture check");
    assertEquals(1, errors.lines().size(), "the test appender captures ERROR lines");
    errors.clear();

    Random random = new Random(SEED);
    try (TerminalClient canary = terminal(CANARY);
        TerminalClient victim = terminal(VICTIM)) {
      assertEquals("00", canary.signOn().responseCode());
      List<Seed> seeds = victimTraffic(victim, random);
      Ledger ledger = TestNodes.simulator(node).ledger();
      List<HostMessage> before = ledger.messages();
      int reversalsBefore = ledger.reversalsReceived();

      List<byte[]> frames = fuzzFrames(seeds, random);
      ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
      Map<String, Integer> outcomes = Collections.synchronizedMap(new TreeMap<>());
      List<TxnResult> canarySales = new ArrayList<>();
      long t0 = System.nanoTime();
      try {
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          List<byte[]> share =
              frames.subList(w * frames.size() / WORKERS, (w + 1) * frames.size() / WORKERS);
          workers.add(pool.submit(() -> attack(share, outcomes)));
        }
        // the canary sells throughout (bounded), and once more after the attack
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (workers.stream().anyMatch(f -> !f.isDone())
            && System.nanoTime() < deadline
            && canarySales.size() < 300) {
          canarySales.add(
              canary.sale(SwitchNodeIntegrationTest.freshCard(), 1_00 + canarySales.size()));
          Thread.sleep(150);
        }
        for (Future<?> f : workers)
          f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } finally {
        pool.shutdownNow();
      }
      canarySales.add(canary.sale(SwitchNodeIntegrationTest.freshCard(), 9_99));
      System.out.printf(
          "terminal front fuzz: %d frames in %d ms, %d canary sales; outcomes %s%n",
          frames.size(), (System.nanoTime() - t0) / 1_000_000, canarySales.size(), outcomes);
      Thread.sleep(3_000); // a switch-driven reversal (first retry 1 s) would reach the host by now

      // (c) the canary was served throughout
      List<String> refused =
          canarySales.stream()
              .filter(s -> !"00".equals(s.responseCode()))
              .map(String::valueOf)
              .toList();
      assertEquals(List.of(), refused, "every canary sale approved");
      // (b) the host saw nothing but the canary's sales: no request came from an unauthenticated
      // frame
      List<HostMessage> after = ledger.messages();
      List<HostMessage> added = after.subList(before.size(), after.size());
      List<String> foreign =
          added.stream()
              .filter(m -> !CANARY.equals(m.terminalId()) || !m.approved())
              .map(String::valueOf)
              .toList();
      assertEquals(List.of(), foreign, "host messages not from the canary's own sales");
      assertEquals(canarySales.size(), added.size(), "one host message per canary sale");
      assertEquals(reversalsBefore, ledger.reversalsReceived(), "no reversal reached the host");
      assertFalse(
          ledger.knowsTerminal(MID, UNKNOWN), "nothing went upstream for the unknown terminal");
      // (d) host net per terminal = the terminal's own approved net; the canary settles balanced
      for (TerminalClient t : List.of(canary, victim)) {
        SettlementTotals own = SettlementTotals.of(t.journal().ofTerminal(t.config().terminalId()));
        TerminalTotals host = ledger.terminal(MID, t.config().terminalId());
        assertEquals(
            own.debitAmount() - own.creditAmount(),
            host.netFen(),
            "host net of " + t.config().terminalId());
      }
      SettlementResult settled = canary.settle();
      assertTrue(settled.balanced(), "canary settlement balanced: " + settled);
      // (a) nothing logged an ERROR: no command handler failed, no request crashed the front
      assertEquals(List.of(), errors.lines(), "ERROR log lines during the attack");
    }
  }

  /**
   * The victim's own day, every financial type of §4 sent for real (their frames are captured
   * traffic an attacker may replay), then the seeds: those frames as sent, the same with a forged
   * MAC and a new STAN, a reversal and the QR requests with forged MACs, the management messages,
   * and all of it under an unknown terminal id.
   */
  private static List<Seed> victimTraffic(TerminalClient v, Random random) {
    assertEquals("00", v.signOn().responseCode());
    List<PreparedRequest> sent = new ArrayList<>();
    Card card = SwitchNodeIntegrationTest.freshCard();
    TxnRecord sale = send(v, sent, TxnType.SALE, card, 12_00, null, null, null);
    send(v, sent, TxnType.BALANCE, card, 0, null, null, null);
    TxnRecord sale2 = send(v, sent, TxnType.SALE, card, 30_00, null, null, null);
    send(
        v,
        sent,
        TxnType.SALE_VOID,
        card,
        30_00,
        sale2.rrn(),
        sale2.authCode(),
        sale2.batch() + sale2.stan());
    send(v, sent, TxnType.REFUND, card, 2_00, sale.rrn(), null, "000000000000" + sale.localDate());
    // the pre-authorisation family is answered 40 until it is supported: its frames are sent all
    // the same
    TxnRecord preAuth = send(v, sent, TxnType.PRE_AUTH, card, 100_00, null, null, null);
    String preAuthCode = preAuth.authCode() == null ? "P00001" : preAuth.authCode();
    send(v, sent, TxnType.PRE_AUTH_VOID, card, 100_00, null, preAuthCode, original(preAuth));
    send(v, sent, TxnType.COMPLETION, card, 80_00, null, preAuthCode, original(preAuth));
    send(v, sent, TxnType.COMPLETION_NOTICE, card, 40_00, null, preAuthCode, original(preAuth));
    send(
        v,
        sent,
        TxnType.COMPLETION_VOID,
        card,
        80_00,
        "000000000001",
        preAuthCode,
        original(preAuth));
    TxnRecord reversed = send(v, sent, TxnType.SALE, card, 5_00, null, null, null);
    assertEquals("00", v.reversal(reversed, "96").responseCode());
    // the switch reverses upstream after its 0410: wait (bounded) for it, so the attack starts from
    // a quiet host
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (TestNodes.simulator(node).ledger().terminal(MID, VICTIM).reversedCount() < 1
        && System.nanoTime() < deadline) {
      sleep(100);
    }
    assertEquals(
        1,
        TestNodes.simulator(node).ledger().terminal(MID, VICTIM).reversedCount(),
        "the victim's reversal upstream");

    byte[] tpdu = sent.get(0).frame().tpdu();
    byte[] header = sent.get(0).frame().header();
    List<Seed> seeds = new ArrayList<>();
    int stan = 500_000;
    for (PreparedRequest p : sent) {
      String name = p.type() + " " + p.message().mti();
      seeds.add(new Seed(name + " as sent", tpdu, header, p.message(), true));
      seeds.add(
          new Seed(
              name + " forged",
              tpdu,
              header,
              forged(p.message().with(11, String.valueOf(stan++)), random),
              false));
    }
    TerminalMessage saleMsg = sent.get(0).message();
    String batch = saleMsg.field60Batch();
    seeds.add(
        new Seed(
            "reversal 0400 forged",
            tpdu,
            header,
            forged(
                saleMsg
                    .withMti("0400")
                    .without(35)
                    .without(63)
                    .with(2, card.pan())
                    .with(14, card.expiry())
                    .with(39, "98"),
                random),
            false));
    TerminalMessage qr =
        TerminalMessage.of("0200")
            .with(3, "000000")
            .with(4, "000000001234")
            .with(11, "600001")
            .with(22, "030")
            .with(25, "00")
            .with(41, VICTIM)
            .with(42, MID)
            .with(49, "156")
            .with(60, "26" + batch + "000")
            .withBytes(62, "134567890123456789".getBytes(StandardCharsets.US_ASCII))
            .with(63, "001");
    seeds.add(new Seed("QR sale 0200/26 forged", tpdu, header, forged(qr, random), false));
    seeds.add(
        new Seed(
            "QR refund 0220/27 forged",
            tpdu,
            header,
            forged(
                qr.withMti("0220")
                    .with(3, "200000")
                    .with(11, "600002")
                    .with(37, "000000777777")
                    .with(60, "27" + batch + "000")
                    .without(62)
                    .with(61, "0000000000001207"),
                random),
            false));
    TerminalMessage admin =
        TerminalMessage.of("0800").with(11, "700001").with(41, VICTIM).with(42, MID);
    seeds.add(
        new Seed(
            "sign-on 0800",
            tpdu,
            header,
            admin.with(60, "00" + batch + "003").with(63, "001"),
            false));
    seeds.add(
        new Seed(
            "echo 0820",
            tpdu,
            header,
            admin.withMti("0820").with(60, "00" + batch + "301"),
            false));
    seeds.add(
        new Seed(
            "sign-off 0820",
            tpdu,
            header,
            admin.withMti("0820").with(60, "00" + batch + "002"),
            false));
    seeds.add(
        new Seed(
            "settlement 0500",
            tpdu,
            header,
            admin
                .withMti("0500")
                .with(48, "0".repeat(62))
                .with(49, "156")
                .with(60, "00" + batch + "201")
                .with(63, "001"),
            false));
    seeds.add(
        new Seed(
            "batch upload 0320/201",
            tpdu,
            header,
            admin
                .withMti("0320")
                .with(48, "01" + "00" + saleMsg.get(11) + "0000" + card.pan() + "000000001200")
                .with(60, "00" + batch + "201"),
            false));
    seeds.add(
        new Seed(
            "batch upload 0320/207",
            tpdu,
            header,
            admin.withMti("0320").with(48, "0001").with(60, "00" + batch + "207"),
            false));
    for (Seed s : List.copyOf(seeds)) {
      TerminalMessage m = s.message().with(41, UNKNOWN);
      seeds.add(
          new Seed(
              s.name() + ", unknown terminal",
              tpdu,
              header,
              m.has(64) ? forged(m, random) : m,
              false));
    }
    return seeds;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static TxnRecord send(
      TerminalClient v,
      List<PreparedRequest> sent,
      TxnType type,
      Card card,
      long amount,
      String rrn,
      String authCode,
      String originalData) {
    PreparedRequest p = v.prepareFinancial(type, card, amount, rrn, authCode, originalData);
    TxnResult r = v.submit(p);
    boolean preAuthorisation = type.mti().equals("0100") || type.conditionCode().equals("06");
    assertTrue(
        preAuthorisation ? r.responseCode() != null : "00".equals(r.responseCode()),
        type + ": " + r);
    sent.add(p);
    return r.record();
  }

  private static String original(TxnRecord r) {
    return r.batch() + r.stan() + (r.localDate() == null ? "0000" : r.localDate());
  }

  /** The message with a MAC an attacker without the MAK would send: 8 random hex characters. */
  private static TerminalMessage forged(TerminalMessage m, Random random) {
    String hex = String.format("%08X", random.nextInt());
    return m.withBytes(64, hex.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The attack, decided up front from the seed: mostly a mutated body in a frame with a correct
   * LEN, some whole frames mutated (LEN, TPDU, header), some frames as they are (replays). None
   * names the canary.
   */
  private static List<byte[]> fuzzFrames(List<Seed> seeds, Random random) {
    FrameMutator mutator = new FrameMutator(random);
    byte[] canaryId = CANARY.getBytes(StandardCharsets.US_ASCII);
    List<byte[]> frames = new ArrayList<>();
    while (frames.size() < FRAMES) {
      Seed s = seeds.get(random.nextInt(seeds.size()));
      byte[] body = s.body();
      int pick = random.nextInt(20);
      byte[] frame;
      if (pick == 0) {
        frame = frame(s.tpdu(), s.header(), body);
      } else if (pick <= 3) {
        frame = mutator.mutateFrame(frame(s.tpdu(), s.header(), body));
      } else {
        frame =
            frame(s.tpdu(), s.header(), mutator.mutate(body, FrameMutator.fields(body)).bytes());
      }
      if (indexOf(frame, canaryId) < 0) frames.add(frame);
    }
    return frames;
  }

  static byte[] frame(byte[] tpdu, byte[] header, byte[] body) {
    int len = Math.min(0xFFFF, tpdu.length + header.length + body.length);
    byte[] out = new byte[2 + tpdu.length + header.length + body.length];
    out[0] = (byte) (len >>> 8);
    out[1] = (byte) len;
    System.arraycopy(tpdu, 0, out, 2, tpdu.length);
    System.arraycopy(header, 0, out, 2 + tpdu.length, header.length);
    System.arraycopy(body, 0, out, 2 + tpdu.length + header.length, body.length);
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  /**
   * Sends each frame: most on the attacker's connection, waiting for a reply or the close; every
   * tenth on a new connection that is closed right after the write (a reply that cannot be
   * delivered).
   */
  private static void attack(List<byte[]> frames, Map<String, Integer> outcomes) {
    try (TerminalClient attacker = terminal(UNKNOWN)) {
      for (int i = 0; i < frames.size(); i++) {
        String outcome;
        if (i % 10 == 9) {
          outcome = hangUp(frames.get(i));
        } else {
          RawOutcome o = attacker.sendFrame(frames.get(i), REPLY_WAIT);
          outcome =
              !o.frames().isEmpty() && o.frames().get(0).parsed()
                  ? "39=" + o.frames().get(0).message().get(39)
                  : o.connectionClosed()
                      ? "closed"
                      : o.frames().isEmpty() ? "no reply" : "unparsed reply";
          if (o.connectionClosed()) attacker.close();
        }
        outcomes.merge(outcome, 1, Integer::sum);
      }
    }
  }

  /**
   * Writes the frame on a new connection, stops writing, and drains until the node closes it
   * (bounded).
   */
  private static String hangUp(byte[] frame) {
    try (Socket s = new Socket("127.0.0.1", node.terminalPort())) {
      s.getOutputStream().write(frame);
      s.shutdownOutput();
      s.setSoTimeout(3_000);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      while (in.read(buf) >= 0) {
        // drain
      }
      return "hung up";
    } catch (SocketTimeoutException e) {
      return "hung up, not closed by the node";
    } catch (IOException e) {
      return "hung up, reset";
    }
  }
}
