package org.posp.chaos;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.posp.sim.cardbus.CardData;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.Exchange;
import org.posp.sim.terminal.ReversalResult;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.SignOnResult;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TerminalJournal;
import org.posp.sim.terminal.TxnRecord;
import org.posp.sim.terminal.TxnResult;
import org.posp.sim.terminal.TxnType;

/**
 * Load from many simulated POS terminals (the simulators' {@link TerminalClient}), each on its own
 * thread: sign-on, then sales with some voids and balance inquiries and a short think time, until
 * stopped. Every terminal lists every node address (its own rotation, so that the load spreads): a
 * dropped connection moves it to the next node (the client does that), and a request left
 * unanswered makes it switch to the next node as a real terminal switches to its backup host (here:
 * a new client on the next address with the terminal's saved state, which then signs on again).
 * Unanswered reversible requests are reversed by the client itself before its next transaction, as
 * docs/protocol/terminal.md §9 requires. A terminal whose request is refused with A0 (the switch's
 * MAC key is not the one it holds) signs on again before its next transaction, as its operator
 * would. All terminals record into one {@link TerminalJournal}: "what the terminals received".
 *
 * <p>Every sale of a terminal has its own amount (1000 fen + a per-terminal sequence): the host's
 * ledger names no terminal STAN, so the amount is what ties a host debit to the terminal request
 * that caused it (double debits, orphans).
 */
final class LoadDriver implements AutoCloseable {
  /**
   * How the terminals behave.
   *
   * @param lostReplyEvery every n-th sale uses {@link #LOST_REPLY_CARD} (the host debits it and
   *     never answers: the switch must time out and reverse it by itself); 0 = never
   */
  record Options(
      int terminals,
      Duration thinkTime,
      Duration replyTimeout,
      int voidEvery,
      int balanceEvery,
      int lostReplyEvery) {
    static Options defaults() {
      return new Options(30, Duration.ofMillis(250), Duration.ofSeconds(10), 8, 10, 0);
    }

    Options withTerminals(int n) {
      return new Options(n, thinkTime, replyTimeout, voidEvery, balanceEvery, lostReplyEvery);
    }

    Options withThinkTime(Duration d) {
      return new Options(terminals, d, replyTimeout, voidEvery, balanceEvery, lostReplyEvery);
    }

    Options withReplyTimeout(Duration d) {
      return new Options(terminals, thinkTime, d, voidEvery, balanceEvery, lostReplyEvery);
    }

    Options withLostReplyEvery(int n) {
      return new Options(terminals, thinkTime, replyTimeout, voidEvery, balanceEvery, n);
    }
  }

  /** What became of one request. */
  enum Outcome {
    REPLIED,
    TIMEOUT,
    CONNECTION_LOST,
    NOT_CONNECTED,
    REFUSED
  }

  /**
   * One request a terminal made (or could not make).
   *
   * @param type SALE, SALE_VOID, BALANCE or SIGN_ON
   * @param code field 39 when replied
   * @param node the node it went to, or null
   */
  record Attempt(
      String tid,
      String type,
      long sentAtNanos,
      long doneAtNanos,
      Outcome outcome,
      String code,
      InetSocketAddress node) {
    boolean approved() {
      return outcome == Outcome.REPLIED && "00".equals(code);
    }

    boolean financial() {
      return !"SIGN_ON".equals(type);
    }

    double latencySeconds() {
      return (doneAtNanos - sentAtNanos) / 1e9;
    }
  }

  /**
   * Test cards: Luhn-valid, none of the host's special endings (9997 decline, 9998 late, 9999
   * never).
   */
  static final List<String> CARDS =
      List.of(
          luhn("621488000001230"),
          luhn("621488000004560"),
          luhn("621700001111110"),
          luhn("621700002222220"),
          luhn("625800003333330"),
          luhn("625800004444440"),
          luhn("436742000555550"),
          luhn("436742000666660"));

  /** Ends in 9999: the host decides and records it (debits) but never replies. */
  static final String LOST_REPLY_CARD = endingIn9999("62148800077");

  static final String EXPIRY = "3012";
  static final String PIN = "123456";

  final String merchantId;
  final long startNanos = System.nanoTime();
  private final Options options;
  private final List<InetSocketAddress> nodes;
  private final TerminalJournal journal = new TerminalJournal();
  private final List<Pos> terminals = new ArrayList<>();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final Map<String, Throwable> errors = new ConcurrentHashMap<>();
  private final AtomicInteger reversalsSent = new AtomicInteger();
  private final AtomicInteger reversalsAcknowledged = new AtomicInteger();
  private final AtomicInteger switches = new AtomicInteger();
  private final AtomicInteger signOnsAfterMacRefusal = new AtomicInteger();
  private volatile boolean stopping;

  /**
   * @param nodes every node address terminals may use (spares included)
   * @param spreadOver terminals start on one of the first {@code spreadOver} addresses, round robin
   */
  LoadDriver(
      String merchantId,
      List<String> terminalIds,
      List<InetSocketAddress> nodes,
      int spreadOver,
      Options options) {
    if (terminalIds.size() != options.terminals())
      throw new IllegalArgumentException("terminal ids vs options");
    this.merchantId = merchantId;
    this.options = options;
    this.nodes = List.copyOf(nodes);
    for (int i = 0; i < terminalIds.size(); i++) {
      terminals.add(new Pos(i, terminalIds.get(i), i % Math.max(1, spreadOver)));
    }
  }

  /** Starts every terminal's thread. */
  void start() {
    for (Pos p : terminals) p.thread.start();
  }

  /** Seconds since the driver was made (the report's time base). */
  double secondsSinceStart(long nanos) {
    return (nanos - startNanos) / 1e9;
  }

  /** Asks every terminal to stop after its current request and waits (bounded) for the threads. */
  void stop() throws InterruptedException {
    stopping = true;
    long deadline =
        System.nanoTime() + options.replyTimeout().multipliedBy(4).plusSeconds(10).toNanos();
    for (Pos p : terminals) {
      p.thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (p.thread.isAlive()) {
        p.thread.interrupt();
        p.thread.join(5_000);
        if (p.thread.isAlive())
          errors.put(p.tid + " thread", new IllegalStateException("did not stop"));
      }
    }
  }

  /** True when every terminal got at least one approval after {@code sinceNanos}. */
  boolean allServedSince(long sinceNanos) {
    return servedAgain(sinceNanos).values().stream().allMatch(Optional::isPresent);
  }

  /**
   * For every terminal: seconds from {@code faultNanos} until the first approval of a request sent
   * at or after it, or empty when none came.
   */
  Map<String, Optional<Double>> servedAgain(long faultNanos) {
    Map<String, Optional<Double>> out = new TreeMap<>();
    for (Pos p : terminals) out.put(p.tid, Optional.empty());
    for (Attempt a : attempts) {
      if (!a.financial() || !a.approved() || a.sentAtNanos() < faultNanos) continue;
      double s = (a.doneAtNanos() - faultNanos) / 1e9;
      out.computeIfPresent(a.tid(), (k, v) -> v.isEmpty() || v.get() > s ? Optional.of(s) : v);
    }
    return out;
  }

  /**
   * After {@link #stop()}: sends every pending reversal until acknowledged (bounded), as terminals
   * do before their next transaction; returns the terminals whose reversals are still pending.
   */
  List<String> flushPendingReversals(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> still = new ArrayList<>();
    for (Pos p : terminals) {
      while (!p.client.pendingReversals().isEmpty() && System.nanoTime() < deadline) {
        if ((!p.client.signedOn() || p.client.signOnRequired()) && !p.signOn()) continue;
        if (!p.flush()) {
          p.switchNode(null);
          Thread.sleep(500);
        }
      }
      if (!p.client.pendingReversals().isEmpty()) still.add(p.tid);
    }
    return still;
  }

  /**
   * After {@link #stop()}: settles every terminal's batch (批结算 + 批上送), six terminals at a time,
   * retrying an exchange that got no reply on the next node; returns the last result per terminal.
   */
  Map<String, SettlementResult> settleAll(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      Map<String, Future<SettlementResult>> futures = new TreeMap<>();
      for (Pos p : terminals) futures.put(p.tid, pool.submit(() -> p.settle(deadline)));
      Map<String, SettlementResult> out = new TreeMap<>();
      for (var e : futures.entrySet()) {
        long left =
            Math.max(1, deadline - System.nanoTime())
                + options.replyTimeout().multipliedBy(4).toNanos();
        out.put(e.getKey(), e.getValue().get(left, TimeUnit.NANOSECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  TerminalJournal journal() {
    return journal;
  }

  List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  List<String> terminalIds() {
    return terminals.stream().map(p -> p.tid).toList();
  }

  int reversalsSent() {
    return reversalsSent.get();
  }

  int reversalsAcknowledged() {
    return reversalsAcknowledged.get();
  }

  /** How often a terminal moved to its next node after an unanswered request. */
  int nodeSwitches() {
    return switches.get();
  }

  /** How often a terminal signed on again because the switch answered A0 (its MAC key differed). */
  int signOnsAfterMacRefusal() {
    return signOnsAfterMacRefusal.get();
  }

  /** Reconnections after dropped connections, over every client the terminals used. */
  int reconnections() {
    return terminals.stream()
        .mapToInt(p -> p.reconnections + p.client.reconnections().size())
        .sum();
  }

  /** Unexpected exceptions in terminal threads (harness or client bugs), by terminal. */
  Map<String, Throwable> errors() {
    return Map.copyOf(errors);
  }

  @Override
  public void close() throws InterruptedException {
    if (!stopping) stop();
    for (Pos p : terminals) p.client.close();
  }

  /** The first Luhn-valid PAN {@code prefix + nnnn + 9999}. */
  static String endingIn9999(String prefix) {
    for (int i = 0; i < 10_000; i++) {
      String pan = luhn(prefix + String.format("%04d", i) + "999");
      if (pan.endsWith("9999")) return pan;
    }
    throw new IllegalStateException("no Luhn-valid PAN ending 9999 after " + prefix);
  }

  /** Luhn check digit appended. */
  static String luhn(String body) {
    return body + CardData.luhnCheckDigit(body);
  }

  /** One terminal: its client (replaced when it moves to its backup node), thread and sales. */
  private final class Pos {
    final String tid;
    final int index;
    final Thread thread;
    final List<TxnRecord> voidable = new ArrayList<>();
    TerminalClient client;
    int nodeIndex;
    int seq;
    int ops;
    int reconnections;

    /** The switch refused the terminal's MAC (A0): its keys differ, the operator signs on again. */
    boolean macRefused;

    Pos(int index, String tid, int firstNode) {
      this.index = index;
      this.tid = tid;
      this.nodeIndex = firstNode;
      this.client = newClient();
      this.thread = new Thread(this::run, "pos-" + tid);
      this.thread.setDaemon(true);
    }

    /** The node list rotated to start at {@link #nodeIndex}. */
    private TerminalClient newClient() {
      List<InetSocketAddress> rotated = new ArrayList<>(nodes);
      Collections.rotate(rotated, -nodeIndex);
      return new TerminalClient(
          TerminalConfig.of(rotated, merchantId, tid, DemoTerminals.TMK)
              .withReplyTimeout(options.replyTimeout())
              .withMaxReversalAttempts(1),
          journal);
    }

    /**
     * Moves to the node after {@code from} (or after the current one): the terminal keeps its
     * batch, STAN and journal (pending reversals included) and signs on again on the new node.
     */
    void switchNode(InetSocketAddress from) {
      InetSocketAddress current = from != null ? from : client.currentNode();
      int at = current == null ? -1 : nodes.indexOf(current);
      nodeIndex = ((at >= 0 ? at : nodeIndex) + 1) % nodes.size();
      var state = client.snapshot();
      reconnections += client.reconnections().size();
      client.close();
      client = newClient();
      client.restore(state);
      switches.incrementAndGet();
    }

    void run() {
      try {
        while (!stopping) {
          step();
          pause(
              options.thinkTime().toMillis() / 2
                  + (long) (Math.random() * options.thinkTime().toMillis()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error e) {
        errors.put(tid, e);
      }
    }

    /** One sign-on (签到); a lost or unanswered one moves the terminal to its next node. */
    boolean signOn() throws InterruptedException {
      long t0 = System.nanoTime();
      SignOnResult s = client.signOn();
      var ex = s.exchange();
      Outcome outcome = outcomeOf(ex);
      attempts.add(
          new Attempt(
              tid,
              "SIGN_ON",
              t0,
              System.nanoTime(),
              outcome,
              s.responseCode(),
              ex == null ? null : ex.node()));
      if (s.approved() && client.signedOn()) {
        macRefused = false;
        return true;
      }
      if (outcome != Outcome.REPLIED) switchNode(ex == null ? null : ex.node());
      pause(500);
      return false;
    }

    /** One transaction; flushes pending reversals first (moving on when they stay unanswered). */
    private void step() throws InterruptedException {
      if ((!client.signedOn() || client.signOnRequired() || macRefused) && !signOn()) return;
      if (!client.pendingReversals().isEmpty() && !flush()) {
        switchNode(null);
        pause(300);
        return;
      }
      ops++;
      long t0 = System.nanoTime();
      TxnResult r;
      String type;
      TxnRecord voided = null;
      if (options.voidEvery() > 0 && ops % options.voidEvery() == 0 && !voidable.isEmpty()) {
        voided = voidable.remove((int) (Math.random() * voidable.size()));
        type = TxnType.SALE_VOID.name();
        r = client.voidSale(Card.swiped(voided.pan(), EXPIRY, PIN), voided);
      } else if (options.balanceEvery() > 0 && ops % options.balanceEvery() == 0) {
        type = TxnType.BALANCE.name();
        r = client.balance(card());
      } else {
        type = TxnType.SALE.name();
        seq++;
        Card card =
            options.lostReplyEvery() > 0 && seq % options.lostReplyEvery() == 0
                ? Card.swiped(LOST_REPLY_CARD, EXPIRY, PIN)
                : card();
        r = client.sale(card, 1000 + seq);
      }
      var ex = r.exchange();
      Outcome outcome = ex == null ? Outcome.REFUSED : outcomeOf(ex);
      attempts.add(
          new Attempt(
              tid,
              type,
              t0,
              System.nanoTime(),
              outcome,
              r.responseCode(),
              ex == null ? null : ex.node()));
      if (TxnType.SALE.name().equals(type) && r.record() != null && r.record().approved())
        voidable.add(r.record());
      if ("A0".equals(r.responseCode())) {
        macRefused = true;
        signOnsAfterMacRefusal.incrementAndGet();
      }
      switch (outcome) {
        case TIMEOUT -> switchNode(ex.node());
        case NOT_CONNECTED, REFUSED -> {
          switchNode(null);
          pause(500);
        }
        default -> {}
      }
    }

    SettlementResult settle(long deadline) throws InterruptedException {
      SettlementResult r = null;
      for (int i = 0; i < 4 && System.nanoTime() < deadline; i++) {
        r = client.settle();
        if (r.reconciliationCode() != null || "00".equals(r.responseCode())) break;
        switchNode(null);
        Thread.sleep(500);
      }
      return r;
    }

    /** Sends pending reversals; true when none is left. */
    boolean flush() {
      List<ReversalResult> results = client.flushReversals();
      for (ReversalResult rr : results) {
        reversalsSent.addAndGet(rr.attempts());
        if (rr.acknowledged()) reversalsAcknowledged.incrementAndGet();
      }
      return client.pendingReversals().isEmpty();
    }

    private Card card() {
      return Card.swiped(CARDS.get((index + ops) % CARDS.size()), EXPIRY, PIN);
    }

    /**
     * Sleeps; a terminal thread wakes up early when the load stops (the wind-down after it does
     * not).
     */
    private void pause(long millis) throws InterruptedException {
      long end = System.currentTimeMillis() + millis;
      boolean own = Thread.currentThread() == thread;
      while (!(own && stopping) && System.currentTimeMillis() < end)
        Thread.sleep(Math.min(50, millis));
    }
  }

  private static Outcome outcomeOf(Exchange ex) {
    if (ex == null) return Outcome.REFUSED;
    return switch (ex.status()) {
      case REPLIED -> Outcome.REPLIED;
      case TIMEOUT -> Outcome.TIMEOUT;
      case CONNECTION_LOST -> Outcome.CONNECTION_LOST;
      case NOT_CONNECTED -> Outcome.NOT_CONNECTED;
    };
  }
}
