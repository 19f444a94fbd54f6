package org.posp.sim.terminal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A simulated POS terminal (POS 终端) speaking the terminal protocol (docs/protocol/terminal.md) to
 * the switch over TCP or TLS. It is an implementation of the terminal spec independent of the
 * switch: its own codec, its own crypto with clear keys, its own state (batch, STAN, working keys,
 * journal, pending reversals).
 *
 * <p>Threading: the high-level operations ({@link #signOn()}, {@link #sale}, {@link #settle()},
 * ...) are synchronized and meant for one thread at a time per terminal, like a real terminal. The
 * raw {@link #send}/{@link #sendAsync} calls may be used concurrently to pipeline requests on the
 * one connection; replies are matched by MTI + 11 + 41 in any order.
 *
 * <p>Reversal behaviour (§9): a reversible transaction (sale, void, pre-auth, ...) whose reply does
 * not come within the reply timeout, whose connection drops before the reply, or whose approved
 * reply fails verification (MAC: reason A0, other: 06; no reply: 98) gets a pending 0400. Pending
 * reversals are sent before the next transaction or settlement and re-sent until an 0410 comes; a
 * transaction is refused (not sent) while one remains unacknowledged.
 *
 * <p>Failures are returned in the results, never thrown; only programming errors (a card without
 * PAN, a financial call before any sign-on with auto sign-on off) throw.
 */
public final class TerminalClient implements AutoCloseable {
  private final TerminalConfig cfg;
  private final TerminalJournal journal;
  private final TerminalRequests requests;
  private final NodeConnector connector;
  private final TerminalTransport transport;
  private volatile WorkingKeys keys;
  private volatile String batch = "000001";
  private volatile boolean signOnRequired;
  private int lastStan;

  public TerminalClient(TerminalConfig cfg) {
    this(cfg, new TerminalJournal());
  }

  /** A terminal recording into a journal that may be shared with other terminals. */
  public TerminalClient(TerminalConfig cfg, TerminalJournal journal) {
    this.cfg = cfg;
    this.journal = journal;
    this.requests = new TerminalRequests(cfg);
    this.connector = new NodeConnector(cfg);
    this.transport = new TerminalTransport(cfg, connector);
  }

  // ---------------------------------------------------------------- connection

  /** Connects to the first reachable node of the list (no-op when connected). */
  public void connect() throws IOException {
    connector.connection();
  }

  /** Closes the connection; the next operation connects to the first reachable node again. */
  @Override
  public void close() {
    connector.close();
  }

  public boolean connected() {
    return connector.connected();
  }

  /** The node connected to, or null. */
  public InetSocketAddress currentNode() {
    return connector.currentNode();
  }

  /** Every reconnection after a dropped connection, in order. */
  public List<Reconnection> reconnections() {
    return connector.reconnections();
  }

  // ---------------------------------------------------------------- state

  public TerminalConfig config() {
    return cfg;
  }

  public TerminalJournal journal() {
    return journal;
  }

  /** The batch (60.2) the terminal currently uses. */
  public String batch() {
    return batch;
  }

  public synchronized String lastStan() {
    return String.format("%06d", lastStan);
  }

  /** Allocates the next STAN (000001..999999, wrapping). */
  public synchronized String nextStan() {
    lastStan = lastStan % 999_999 + 1;
    return String.format("%06d", lastStan);
  }

  /** True when working keys from a sign-on are installed. */
  public boolean signedOn() {
    return keys != null;
  }

  /** The switch asked for a new sign-on (header R = 3 or 39 = 77). */
  public boolean signOnRequired() {
    return signOnRequired;
  }

  /** Check values of the installed working keys (never the keys), or null. */
  public String keyCheckValues() {
    WorkingKeys k = keys;
    return k == null ? null : describe(k);
  }

  /** Batch, last STAN and the journal of the current batch plus pending reversals (no keys). */
  public synchronized TerminalState snapshot() {
    String b = batch;
    return new TerminalState(
        b,
        lastStan,
        journal.select(
            r ->
                r.terminalId().equals(cfg.terminalId())
                    && (r.batch().equals(b) || r.reversalPending())));
  }

  /** Restores what {@link #snapshot()} saved; keys are not part of it (sign on again). */
  public synchronized void restore(TerminalState state) {
    batch = state.batch();
    lastStan = state.lastStan();
    for (TxnRecord r : state.records()) {
      if (!r.terminalId().equals(cfg.terminalId())) {
        throw new IllegalArgumentException(
            "state record of terminal " + r.terminalId() + " given to " + cfg.terminalId());
      }
      journal.update(r);
    }
  }

  // ---------------------------------------------------------------- management

  /** 签到: 0800 with 60.3 = the key scheme; installs the keys of the 0810 and adopts its batch. */
  public synchronized SignOnResult signOn() {
    Exchange ex = send(prepare(requests.signOn(nextStan(), batch)));
    if (ex.status() != Exchange.Status.REPLIED || !ex.verified()) {
      return new SignOnResult(ex.responseCode(), null, null, ex.failure(), ex.elapsed(), ex);
    }
    TerminalMessage reply = ex.replyMessage();
    String rc = reply.get(39);
    if (!"00".equals(rc)) {
      return new SignOnResult(rc, null, null, null, ex.elapsed(), ex);
    }
    String assigned = reply.field60Batch();
    if (assigned == null || !assigned.matches("\\d{6}")) {
      return new SignOnResult(rc, null, null, "0810 carries no batch in 60.2", ex.elapsed(), ex);
    }
    try {
      WorkingKeys k =
          SignOnKeyBlock.unwrap(cfg.keyScheme(), cfg.tmk(), reply.bytes(62), cfg.macAlgorithm());
      keys = k;
      batch = assigned;
      signOnRequired = false;
      return new SignOnResult(rc, assigned, describe(k), null, ex.elapsed(), ex);
    } catch (SignOnKeyBlock.KeyBlockException e) {
      keys = null;
      return new SignOnResult(
          rc, null, null, "key block refused: " + e.getMessage(), ex.elapsed(), ex);
    }
  }

  /** 签退: 0820 / 002. An approved sign-off uninstalls the working keys. */
  public synchronized AdminResult signOff() {
    AdminResult r = admin("sign-off", "002");
    if (r.approved()) {
      keys = null;
    }
    return r;
  }

  /** 回响测试: 0820 / 301. */
  public synchronized AdminResult echo() {
    return admin("echo", "301");
  }

  private AdminResult admin(String operation, String code) {
    Exchange ex = send(prepare(requests.admin(nextStan(), batch, code)));
    return new AdminResult(operation, ex.responseCode(), ex.failure(), ex.elapsed(), ex);
  }

  // ---------------------------------------------------------------- financial

  /** 余额查询. */
  public synchronized TxnResult balance(Card card) {
    return financial(TxnType.BALANCE, card, 0, null, null, null);
  }

  /** 消费. */
  public synchronized TxnResult sale(Card card, long amountFen) {
    return financial(TxnType.SALE, card, amountFen, null, null, null);
  }

  /** 消费撤销 of an approved sale: original amount, 37 / 38 of the sale, 61 = its batch + STAN. */
  public synchronized TxnResult voidSale(Card card, TxnRecord originalSale) {
    return financial(
        TxnType.SALE_VOID,
        card,
        originalSale.amountFen(),
        originalSale.rrn(),
        originalSale.authCode(),
        originalSale.batch() + originalSale.stan());
  }

  /**
   * 退货: 37 = original RRN, 61 = zeros + original date MMDD (the original may be in a settled
   * batch).
   */
  public synchronized TxnResult refund(
      Card card, String originalRrn, String originalDateMmdd, long amountFen) {
    if (originalDateMmdd == null || !originalDateMmdd.matches("\\d{4}")) {
      throw new IllegalArgumentException("original date must be MMDD");
    }
    return financial(
        TxnType.REFUND, card, amountFen, originalRrn, null, "000000000000" + originalDateMmdd);
  }

  /** 预授权. */
  public synchronized TxnResult preAuth(Card card, long amountFen) {
    return financial(TxnType.PRE_AUTH, card, amountFen, null, null, null);
  }

  /** 预授权撤销: original amount, 38 = pre-auth code, 61 = its batch + STAN + date. */
  public synchronized TxnResult preAuthVoid(Card card, TxnRecord preAuth) {
    return financial(
        TxnType.PRE_AUTH_VOID,
        card,
        preAuth.amountFen(),
        null,
        preAuth.authCode(),
        originalData(preAuth));
  }

  /** 预授权完成(请求): 38 = pre-auth code, 61 = pre-auth batch + STAN + date. */
  public synchronized TxnResult completion(Card card, TxnRecord preAuth, long amountFen) {
    return financial(
        TxnType.COMPLETION, card, amountFen, null, preAuth.authCode(), originalData(preAuth));
  }

  /** 预授权完成通知 (not reversed on timeout). */
  public synchronized TxnResult completionNotice(Card card, TxnRecord preAuth, long amountFen) {
    return financial(
        TxnType.COMPLETION_NOTICE,
        card,
        amountFen,
        null,
        preAuth.authCode(),
        originalData(preAuth));
  }

  /** 预授权完成撤销: 37 = completion RRN, 38, 61 = completion batch + STAN + date. */
  public synchronized TxnResult completionVoid(Card card, TxnRecord completion) {
    return financial(
        TxnType.COMPLETION_VOID,
        card,
        completion.amountFen(),
        completion.rrn(),
        completion.authCode(),
        originalData(completion));
  }

  private static String originalData(TxnRecord r) {
    return r.batch() + r.stan() + (r.localDate() == null ? "0000" : r.localDate());
  }

  /**
   * Builds and packs a financial request with a new STAN and the current batch and keys, without
   * sending it: {@link #submit} runs it like {@link #sale}; {@link #send} sends the same bytes raw.
   */
  public synchronized PreparedRequest prepareFinancial(
      TxnType type,
      Card card,
      long amountFen,
      String originalRrn,
      String originalAuthCode,
      String originalData) {
    WorkingKeys k = keys;
    if (k == null) {
      throw new IllegalStateException(
          "terminal " + cfg.terminalId() + " is not signed on: no working keys");
    }
    TerminalMessage m =
        requests.financial(
            type,
            card,
            amountFen,
            nextStan(),
            batch,
            k,
            originalRrn,
            originalAuthCode,
            originalData);
    return prepare(m);
  }

  /**
   * Sends a prepared financial request as a transaction: journal record, reply verification and
   * reversal on a lost reply. Pending reversals are flushed first; no automatic sign-on (the MAC is
   * already computed).
   */
  public synchronized TxnResult submit(PreparedRequest request) {
    if (request.type() == null) {
      throw new IllegalArgumentException("not a financial request: " + request.message().mti());
    }
    String refusal = flushBeforeTransaction();
    if (refusal != null) {
      return TxnResult.refused(request.type(), 0, null, refusal);
    }
    return execute(request);
  }

  private TxnResult financial(
      TxnType type,
      Card card,
      long amountFen,
      String originalRrn,
      String originalAuthCode,
      String originalData) {
    String refusal = beforeTransaction();
    if (refusal != null) {
      return TxnResult.refused(type, amountFen, card, refusal);
    }
    return execute(
        prepareFinancial(type, card, amountFen, originalRrn, originalAuthCode, originalData));
  }

  /**
   * Signs on when needed (and allowed), then flushes reversals; returns why not to proceed, or
   * null.
   */
  String beforeTransaction() {
    if ((keys == null || signOnRequired) && cfg.autoSignOn()) {
      SignOnResult s = signOn();
      if (!s.approved()) {
        return "sign-on failed: " + (s.failure() != null ? s.failure() : "39=" + s.responseCode());
      }
    }
    if (keys == null) {
      return "not signed on (no working keys)";
    }
    return flushBeforeTransaction();
  }

  private String flushBeforeTransaction() {
    if (journal.pendingReversals(cfg.terminalId()).isEmpty()) {
      return null;
    }
    flushReversals();
    List<TxnRecord> still = journal.pendingReversals(cfg.terminalId());
    return still.isEmpty()
        ? null
        : "reversal of STAN " + still.get(0).stan() + " not acknowledged yet: transaction not sent";
  }

  private TxnResult execute(PreparedRequest p) {
    TxnRecord rec = recordOf(p);
    journal.add(rec);
    Exchange ex = send(p);
    TxnType type = p.type();
    rec =
        switch (ex.status()) {
          case REPLIED -> {
            TxnRecord r = rec.withReply(ex.replyMessage(), ex.failure());
            if ("00".equals(r.responseCode()) && !ex.verified() && type.reversible()) {
              r = r.withReversal(TxnRecord.ReversalState.PENDING, ex.macFailed() ? "A0" : "06");
            }
            yield r;
          }
          case TIMEOUT, CONNECTION_LOST -> {
            TxnRecord r = rec.withFailure(ex.failure());
            yield type.reversible() ? r.withReversal(TxnRecord.ReversalState.PENDING, "98") : r;
          }
          case NOT_CONNECTED -> rec.withFailure(ex.failure());
        };
    journal.update(rec);
    if ("77".equals(rec.responseCode())) {
      signOnRequired = true;
    }
    return TxnResult.of(rec, ex);
  }

  private TxnRecord recordOf(PreparedRequest p) {
    TerminalMessage m = p.message();
    String track = m.get(35);
    String pan = PinBlock.panFor(m.get(2), track);
    String expiry = m.get(14);
    if (expiry == null
        && track != null
        && track.indexOf('=') > 0
        && track.length() >= track.indexOf('=') + 5) {
      expiry = track.substring(track.indexOf('=') + 1, track.indexOf('=') + 5);
    }
    long amount = m.has(4) ? Long.parseLong(m.get(4)) : 0;
    return new TxnRecord(
        cfg.terminalId(),
        p.type(),
        m.field60Batch(),
        m.get(11),
        amount,
        pan,
        expiry,
        m.get(22),
        m.get(37),
        m.get(38),
        m.get(61),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        TxnRecord.ReversalState.NONE,
        null,
        System.currentTimeMillis());
  }

  // ---------------------------------------------------------------- reversal

  /** Reversals not yet acknowledged by an 0410, oldest first. */
  public List<TxnRecord> pendingReversals() {
    return journal.pendingReversals(cfg.terminalId());
  }

  /**
   * Sends the pending reversals now, each up to {@code maxReversalAttempts} times; stops at the
   * first one that stays unacknowledged (it will be tried again before the next transaction).
   */
  public synchronized List<ReversalResult> flushReversals() {
    List<ReversalResult> results = new ArrayList<>();
    for (TxnRecord r : journal.pendingReversals(cfg.terminalId())) {
      ReversalResult res = sendReversal(r);
      results.add(res);
      if (!res.acknowledged()) {
        break;
      }
    }
    return results;
  }

  /**
   * Reverses an earlier transaction explicitly (e.g. reason 96: approved but could not complete).
   */
  public synchronized ReversalResult reversal(TxnRecord original, String reason) {
    if (reason == null || reason.length() != 2) {
      throw new IllegalArgumentException(
          "reversal reason (39) must be 2 characters: 98, 96, A0 or 06");
    }
    if ((keys == null || signOnRequired) && cfg.autoSignOn()) {
      signOn();
    }
    TxnRecord current =
        journal.select(r -> r.sameTxn(original)).stream().findFirst().orElse(original);
    TxnRecord pending = current.withReversal(TxnRecord.ReversalState.PENDING, reason);
    journal.update(pending);
    return sendReversal(pending);
  }

  private ReversalResult sendReversal(TxnRecord rec) {
    long t0 = System.nanoTime();
    String reason = rec.reversalReason() == null ? "06" : rec.reversalReason();
    String lastFailure = null;
    int attempts = 0;
    while (attempts < cfg.maxReversalAttempts()) {
      if (keys == null) {
        lastFailure = "not signed on: cannot MAC the reversal";
        break;
      }
      attempts++;
      Exchange ex = send(prepare(requests.reversal(rec, reason)));
      if (ex.verified()) {
        TxnRecord done = rec.withReversal(TxnRecord.ReversalState.REVERSED, reason);
        journal.update(done);
        return new ReversalResult(done, reason, ex.responseCode(), true, attempts, null, since(t0));
      }
      lastFailure = ex.failure();
      if (ex.status() == Exchange.Status.NOT_CONNECTED) {
        break;
      }
    }
    return new ReversalResult(rec, reason, null, false, attempts, lastFailure, since(t0));
  }

  // ---------------------------------------------------------------- settlement

  /**
   * 批结算 of the current batch from the terminal's own journal, then 批上送 (201 records, ended by 207
   * when balanced or 202 when not); the terminal then uses the batch of the 0510's 60.2.
   */
  public synchronized SettlementResult settle() {
    String refusal = beforeTransaction();
    if (refusal != null) {
      return new SettlementResult(
          batch, null, null, null, null, null, 0, null, refusal, Duration.ZERO);
    }
    return new SettlementProcedure(this, requests).run(batch);
  }

  void moveToBatch(String newBatch) {
    batch = newBatch;
  }

  /** 000001..999999, wrapping 999999 to 000001. */
  public static String nextBatch(String batch) {
    int b = Integer.parseInt(batch);
    return String.format("%06d", b >= 999_999 ? 1 : b + 1);
  }

  // ---------------------------------------------------------------- raw

  /**
   * Packs a message into a frame with the configured TPDU and header; when the message has field 64
   * (any placeholder) its MAC is computed with the current MAK.
   */
  public PreparedRequest prepare(TerminalMessage message) {
    return transport.prepare(message, keys);
  }

  /** Sends the prepared bytes (again, for duplicate tests) and waits for the verified reply. */
  public Exchange send(PreparedRequest request) {
    return sendAsync(request).join();
  }

  /**
   * Sends the prepared bytes; the future completes with the reply, a timeout or a lost connection.
   */
  public CompletableFuture<Exchange> sendAsync(PreparedRequest request) {
    return transport.sendAsync(request, () -> keys, () -> signOnRequired = true);
  }

  /**
   * Wraps a packed body in LEN + TPDU + header, sends it and waits for its reply (matched by MTI +
   * 11 + 41).
   */
  public Exchange exchange(byte[] body) {
    return send(transport.wrap(body));
  }

  /**
   * Writes raw bytes (a whole frame, possibly malformed) and waits up to {@code wait} for the first
   * frame back or for the switch to close the connection.
   */
  public RawOutcome sendFrame(byte[] wholeFrame, Duration wait) {
    return transport.sendFrame(wholeFrame, wait);
  }

  // ---------------------------------------------------------------- helpers

  static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  private static String describe(WorkingKeys k) {
    return "PIK "
        + k.pikCheckValue()
        + " MAK "
        + k.makCheckValue()
        + (k.tdk() == null ? "" : " TDK " + k.tdkCheckValue());
  }

  @Override
  public String toString() {
    return "TerminalClient[tid="
        + cfg.terminalId()
        + ", mid="
        + cfg.merchantId()
        + ", batch="
        + batch
        + ", signedOn="
        + signedOn()
        + ", node="
        + currentNode()
        + "]";
  }
}
