package org.posp.terminal;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusResult;
import org.posp.persistence.CborSerializable;
import org.posp.security.HsmException;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.terminal.TerminalState.Reversal;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;
import org.slf4j.Logger;

/**
 * One POS terminal (终端): provisioning, keys, sign-on state, the open batch with its transactions,
 * duplicate-replay memory and pending reversals. Sharded and event-sourced; every command is answered
 * (enforced replies), and an approval is answered {@code 00} only after it is in the journal.
 *
 * <p>A financial request goes through these steps (jPOS-style participants, each one thing):
 * provisioning (97) → merchant checks (03, 58, 61, asked of the {@link MerchantEntity}) → sign-on and
 * batch (77) → MAC (A0) → mandatory fields (30) → duplicate key (replay or 94) → the original of a void
 * or refund (25, 64, 13, 12) → the intent is persisted → the card bus → the outcome is persisted → reply.
 * The protocol flow lives in {@link TerminalFlows}; this class holds the protocol types, the wiring
 * and the event handler.
 */
public final class TerminalEntity
    extends EventSourcedBehaviorWithEnforcedReplies<TerminalEntity.Command, TerminalEntity.Event, TerminalState> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Terminal");

  /**
   * Duplicate key of a transaction within its terminal (41 and 42 are the entity's own): MTI class +
   * batch (60.2) + terminal STAN (11), e.g. {@code 02:000001:000012}.
   */
  public static String txnKey(String mti, String batch, String stan) {
    return mti.substring(0, 2) + ":" + batch + ":" + stan;
  }

  /** Entity id of a terminal: merchant id (42) + ':' + terminal id (41). */
  public static String entityId(String merchantId, String terminalId) {
    return merchantId + ":" + terminalId;
  }

  // ======================================================================== commands

  public sealed interface Command extends CborSerializable {}

  /**
   * A request body (MTI .. end, no LEN/TPDU/header) from the TCP, TLS or HTTP front. {@code delivery}
   * identifies the received frame: the front makes it (random, never from the frame) and asks again with
   * the same value when an ask times out; a transaction records the delivery that started it.
   */
  public record HandleRequest(byte[] body, ActorRef<TerminalResponse> replyTo, String delivery) implements Command {
    /** A request that is its own delivery (tests, tools). */
    public HandleRequest(byte[] body, ActorRef<TerminalResponse> replyTo) {
      this(body, replyTo, newDelivery());
    }
  }

  /** A fresh delivery identifier: 128 random bits. */
  public static String newDelivery() {
    return java.util.UUID.randomUUID().toString();
  }

  /**
   * The reply body (null = nothing to send), the header's processing requirement R (0 nothing, 3 sign
   * on again), and the reply's field 39 for the node's metrics (null when the reply has none).
   */
  public record TerminalResponse(byte[] body, int processingRequirement, String responseCode) implements CborSerializable {
    public TerminalResponse(byte[] body, int processingRequirement) {
      this(body, processingRequirement, null);
    }

    public static TerminalResponse none() { return new TerminalResponse(null, 0); }
  }

  /**
   * Provisions the terminal with its TMK (under the LMK) and its MAC algorithm (null = CUP ECB). Idempotent
   * for the same TMK and algorithm.
   */
  public record Provision(String merchantId, String terminalId, LmkKey tmk, MacAlgorithm macAlgorithm,
      ActorRef<StatusReply<Done>> replyTo) implements Command {
    /** With the default MAC algorithm (CUP ECB, terminal-protocol.md §5.2). */
    public Provision(String merchantId, String terminalId, LmkKey tmk, ActorRef<StatusReply<Done>> replyTo) {
      this(merchantId, terminalId, tmk, MacAlgorithm.CUP_ECB, replyTo);
    }
  }

  /** Operator: the terminal's keys are to be renewed; replies carry R = 3 until it signs on. */
  public record RequireSignOn(ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /**
   * The terminal did not get the outcome of one delivery of a request (its connection closed before the
   * reply, or the node answered 96 on its own while the database was down): {@code body} is that request
   * as received and {@code delivery} the front's identifier of it. The entity acts only on an
   * authenticated request (valid MAC) whose content matches the recorded intent and whose delivery is the
   * one that started the transaction: a replay of an approved request is another delivery and never
   * undoes the approval that was delivered. A reversal (0400) answered 96 has its original reversed.
   * {@code replyTo}, when set, is told Done once this is decided and recorded (callers retry until then).
   */
  public record ReplyUndelivered(byte[] body, String delivery, ActorRef<Done> replyTo) implements Command {
    public ReplyUndelivered(byte[] body, String delivery) {
      this(body, delivery, null);
    }
  }

  public record GetState(ActorRef<TerminalState> replyTo) implements Command {}

  // internal commands: sent by the entity to itself, never across nodes
  record MerchantChecked(Request request, MerchantEntity.CheckResult result) implements Command {}

  record UpstreamDone(String key, CardBusResult result) implements Command {}

  record BalanceDone(Request request, CardBusResult result) implements Command {}

  record ReversalDone(String key, CardBusResult result) implements Command {}

  record SendReversal(String key) implements Command {}

  record ResolveInterrupted() implements Command {}

  record IdleTimeout() implements Command {}

  /** A parsed request travelling through the flow (not persisted). */
  record Request(TerminalMessage msg, byte[] body, TransactionType type, ActorRef<TerminalResponse> replyTo,
      LocalDateTime receivedAt, String delivery) {}

  // ======================================================================== events

  public sealed interface Event extends CborSerializable {}

  /** {@code macAlgorithm} is absent (null) in events recorded before it was chosen: CUP ECB. */
  public record Provisioned(String merchantId, String terminalId, LmkKey tmk, MacAlgorithm macAlgorithm)
      implements Event {
    public Provisioned(String merchantId, String terminalId, LmkKey tmk) {
      this(merchantId, terminalId, tmk, MacAlgorithm.CUP_ECB);
    }
  }

  public record SignedOn(TerminalState.Keys keys, String batchNo) implements Event {}

  public record SignedOff() implements Event {}

  public record SignOnRequired() implements Event {}

  /** The intent: persisted before anything leaves the node. */
  public record TxnStarted(Txn txn) implements Event {}

  /**
   * The upstream outcome. {@code reversal} is set when the outcome is unknown (timeout, crash): the
   * switch then reverses by itself.
   */
  public record TxnCompleted(String key, TxnStatus status, String responseCode, String authCode,
      String settlementDate, String endpoint, Reversal reversal) implements Event {}

  /** A reversal of an approved transaction, asked by the terminal (0400) or decided by the switch. */
  public record ReversalRequested(String key, Reversal reversal) implements Event {}

  /**
   * The terminal reversed a request (batch:STAN) the entity has not seen: if it still arrives it is
   * refused, never sent upstream.
   */
  public record ReversedBeforeSeen(String batchAndStan) implements Event {}

  /** The host acknowledged the reversal (2430 with 4000). */
  public record ReversalCompleted(String key) implements Event {}

  /** The batch is settled and closed; the next batch is open. */
  public record BatchSettled(TerminalState.Settlement settlement, Instant retainSalesAfter) implements Event {}

  /** Batch upload (批上送) records of the settled batch arrived. */
  public record BatchUploaded(String batch, Map<String, Long> items, int icRecords, boolean ended) implements Event {}

  // ======================================================================== wiring

  public static Behavior<Command> create(String entityId, TerminalServices services,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new TerminalEntity(entityId, services, shard, ctx, timers)));
  }

  final TerminalServices services;
  final ActorContext<Command> ctx;
  final TimerScheduler<Command> timers;
  final Logger log;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final String entityId;
  final TerminalFlows flows;

  /**
   * What this incarnation is doing (transient): created on first use and dropped again when all of it
   * is empty, so that an idle entity carries none of it (a node hosts a hundred thousand idle terminals).
   */
  static final class Work {
    /** Requests waiting for an in-flight transaction of the same key (duplicates, reversals). */
    final Map<String, List<Request>> waiting = new HashMap<>();
    /** Attempts of pending reversals since this incarnation started. */
    final Map<String, Integer> reversalAttempts = new HashMap<>();
    /** Requests whose reply waits for a journal write (sign-on, settlement, ...). */
    final java.util.Set<Request> persisting = new java.util.HashSet<>();
    /** Keys whose intent (TxnStarted) is being written. */
    final java.util.Set<String> intentsWriting = new java.util.HashSet<>();
    /** Pending transactions the terminal gave up on: reversed as soon as they are approved. */
    final java.util.Set<String> reverseWhenDone = new java.util.HashSet<>();
    /** Keys whose card-bus call is in progress in this incarnation. */
    final java.util.Set<String> inFlight = new java.util.HashSet<>();

    boolean isEmpty() {
      return waiting.isEmpty() && reversalAttempts.isEmpty() && persisting.isEmpty() && intentsWriting.isEmpty()
          && reverseWhenDone.isEmpty() && inFlight.isEmpty();
    }
  }

  private Work work;

  Work work() {
    if (work == null) work = new Work();
    return work;
  }

  /** Drops the transient work when nothing is left in it. */
  void releaseIfIdle() {
    if (work != null && work.isEmpty()) work = null;
  }

  /** Shared by every entity (an object and its durations each, otherwise). */
  private static final org.apache.pekko.actor.typed.BackoffSupervisorStrategy RESTART =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(3), 0.2);

  private TerminalEntity(String entityId, TerminalServices services, ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(PersistenceId.of(TYPE_KEY.name(), entityId), RESTART);
    this.entityId = entityId;
    this.services = services;
    this.shard = shard;
    this.ctx = ctx;
    this.timers = timers;
    this.log = ctx.getLog();
    this.flows = new TerminalFlows(this);
    ctx.setReceiveTimeout(services.settings().idlePassivation(), new IdleTimeout());
  }

  @Override
  public TerminalState emptyState() {
    return TerminalState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // snapshots only: journal rows are never deleted (pekko-persistence-jdbc 1.1 drops events after a gap)
    return RetentionCriteria.snapshotEvery(services.settings().snapshotEvery(), 2);
  }

  @Override
  public SignalHandler<TerminalState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> {
          TerminalMetrics.storeAndForward(entityId, s);
          ctx.getSelf().tell(new ResolveInterrupted());
        })
        .onSignal(org.apache.pekko.actor.typed.PostStop.instance(), s -> TerminalMetrics.entityStopped(entityId))
        .onSignal(org.apache.pekko.persistence.typed.JournalPersistFailed.class,
            (s, failed) -> flows.answerJournalFailure(s, failed.failure()))
        .build();
  }

  /**
   * One method rather than the builder: a node hosts a hundred thousand idle terminal entities, and the
   * builder's cases, lambdas and Scala lists cost about a kilobyte for each of them.
   */
  @Override
  public CommandHandlerWithReply<Command, Event, TerminalState> commandHandler() {
    return this::onCommand;
  }

  /**
   * Every command is handled; a failure of a handler (a defect) answers the request it was handling 96
   * and leaves the entity running: a restart would resolve transactions in flight as interrupted and
   * reverse them, so an input that trips a defect would move money.
   */
  private ReplyEffect<Event, TerminalState> onCommand(TerminalState s, Command command) {
    try {
      return dispatch(s, command);
    } catch (RuntimeException ex) {
      log.error("terminal {}: {} failed; the entity goes on", entityId, command.getClass().getSimpleName(), ex);
      ActorRef<TerminalResponse> replyTo = command instanceof HandleRequest c ? c.replyTo()
          : command instanceof MerchantChecked c ? c.request().replyTo() : null;
      if (replyTo == null) return Effect().noReply();
      return Effect().reply(replyTo, flows.failureReply(s, command));
    }
  }

  private ReplyEffect<Event, TerminalState> dispatch(TerminalState s, Command command) {
    if (command instanceof HandleRequest c) return flows.onRequest(s, c);
    if (command instanceof MerchantChecked c) return flows.onMerchantChecked(s, c);
    if (command instanceof UpstreamDone c) return flows.onUpstreamDone(s, c);
    if (command instanceof BalanceDone c) return flows.onBalanceDone(s, c);
    if (command instanceof SendReversal c) return flows.onSendReversal(s, c);
    if (command instanceof ReversalDone c) return flows.onReversalDone(s, c);
    if (command instanceof ResolveInterrupted c) return flows.onResolveInterrupted(s, c);
    if (command instanceof ReplyUndelivered c) return flows.onReplyUndelivered(s, c);
    if (command instanceof Provision c) return onProvision(s, c);
    if (command instanceof RequireSignOn c) {
      return s.provisioned()
          ? Effect().persist(new SignOnRequired()).thenReply(c.replyTo(), x -> StatusReply.ack())
          : Effect().reply(c.replyTo(), StatusReply.error("terminal not provisioned"));
    }
    if (command instanceof GetState c) return Effect().reply(c.replyTo(), s);
    if (command instanceof IdleTimeout c) return onIdle(s, c);
    log.warn("terminal {}: unexpected command {}", entityId, command.getClass().getSimpleName());
    return Effect().unhandled().thenNoReply();
  }

  private ReplyEffect<Event, TerminalState> onProvision(TerminalState s, Provision c) {
    if (!entityId.equals(entityId(c.merchantId(), c.terminalId()))) {
      return Effect().reply(c.replyTo(), StatusReply.error("provisioning for another terminal id"));
    }
    MacAlgorithm mac = MacAlgorithm.orDefault(c.macAlgorithm());
    String refused = provisioningRefused(c.tmk(), mac, services.settings().singleDesAllowed());
    if (refused != null) {
      log.warn("terminal {}: provisioning refused: {}", entityId, refused);
      return Effect().reply(c.replyTo(), StatusReply.error(refused));
    }
    if (c.tmk().equals(s.tmk()) && mac == s.macAlgorithm()) return Effect().reply(c.replyTo(), StatusReply.ack());
    long start = System.nanoTime();
    return Effect().persist(new Provisioned(c.merchantId(), c.terminalId(), c.tmk(), mac))
        .thenRun(ns -> TerminalMetrics.terminalPersisted(start))
        .thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  /**
   * Why a TMK and MAC algorithm cannot be provisioned, or null: a single DES (8-byte) TMK unless single DES
   * is allowed, and the X9.19 MAC without a double-length TMK (its MAK travels in the 003/004 key blocks).
   */
  public static String provisioningRefused(LmkKey tmk, MacAlgorithm mac, boolean singleDesAllowed) {
    boolean singleDes = tmk.cryptogramHex().length() == 16;
    if (singleDes && mac == MacAlgorithm.X919) {
      return "the X919 MAC needs a double-length TMK (sign-on scheme 003/004); this TMK is single DES";
    }
    if (singleDes && !singleDesAllowed) {
      return "a single DES (8-byte) TMK is refused outside demo mode: provision a double-length TMK, or set"
          + " posp.security.allow-single-des = on";
    }
    return null;
  }

  private ReplyEffect<Event, TerminalState> onIdle(TerminalState s, IdleTimeout c) {
    boolean pendingWork = (work != null && (!work.waiting.isEmpty() || !work.inFlight.isEmpty()))
        || s.txns().values().stream().anyMatch(t -> t.status() == TxnStatus.PENDING || t.reversalPending());
    if (pendingWork) return Effect().noReply();
    if (shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    } else {
      return Effect().stop().thenNoReply();
    }
    return Effect().noReply();
  }

  // ======================================================================== events

  @Override
  public EventHandler<TerminalState, Event> eventHandler() {
    return EVENTS;
  }

  /** Stateless, so one for every entity (see {@link #commandHandler()}). */
  private static final EventHandler<TerminalState, Event> EVENTS = TerminalEntity::apply;

  static TerminalState apply(TerminalState s, Event event) {
    if (event instanceof Provisioned e) {
      return s.withProvisioning(e.merchantId(), e.terminalId(), e.tmk(), e.macAlgorithm());
    }
    if (event instanceof SignedOn e) return s.withKeys(e.keys(), e.batchNo());
    if (event instanceof SignedOff) return s.signedOff();
    if (event instanceof SignOnRequired) return s.requiringSignOn();
    if (event instanceof TxnStarted e) return s.withTxn(e.txn());
    if (event instanceof TxnCompleted e) return applyCompleted(s, e);
    if (event instanceof ReversalRequested e) return applyReversal(s, e);
    if (event instanceof ReversalCompleted e) {
      return s.txn(e.key())
          .map(t -> t.withReversal(new Reversal(t.reversal().reason(), t.reversal().stan(),
              t.reversal().localDateTime(), t.reversal().requestedAt(), true)))
          .map(s::withTxn).orElse(s);
    }
    if (event instanceof ReversedBeforeSeen e) return s.withReversedBeforeSeen(e.batchAndStan());
    if (event instanceof BatchSettled e) return applySettled(s, e);
    if (event instanceof BatchUploaded e) {
      return s.lastSettlement() != null && s.lastSettlement().batch().equals(e.batch())
          ? s.withLastSettlement(s.lastSettlement().withUpload(e.items(), e.icRecords(), e.ended())) : s;
    }
    throw new IllegalStateException("no event handler for " + event.getClass().getName());
  }

  static TerminalState applyCompleted(TerminalState s, TxnCompleted e) {
    Optional<Txn> found = s.txn(e.key());
    if (found.isEmpty()) return s;
    Txn t = found.get().withOutcome(e.status(), e.responseCode(), e.authCode(), e.settlementDate(), e.endpoint());
    if (e.reversal() != null) t = t.withReversal(e.reversal());
    TerminalState next = s.withTxn(t);
    if (e.status() == TxnStatus.APPROVED) {
      if (t.type() == TransactionType.SALE_VOID && t.originalKey() != null) {
        next = next.txn(t.originalKey()).map(o -> o.withStatus(TxnStatus.VOIDED)).map(next::withTxn).orElse(next);
      } else if (t.type() == TransactionType.REFUND && t.originalKey() != null) {
        next = refunded(next, t.originalKey(), t.amountFen());
      }
    }
    return next;
  }

  static TerminalState applyReversal(TerminalState s, ReversalRequested e) {
    Optional<Txn> found = s.txn(e.key());
    if (found.isEmpty()) return s;
    Txn t = found.get();
    boolean wasApproved = t.status() == TxnStatus.APPROVED;
    TerminalState next = s.withTxn(t.withStatus(TxnStatus.REVERSED).withReversal(e.reversal()));
    if (wasApproved && t.type() == TransactionType.SALE_VOID && t.originalKey() != null) {
      next = next.txn(t.originalKey()).filter(o -> o.status() == TxnStatus.VOIDED)
          .map(o -> o.withStatus(TxnStatus.APPROVED)).map(next::withTxn).orElse(next);
    } else if (wasApproved && t.type() == TransactionType.REFUND && t.originalKey() != null) {
      next = refunded(next, t.originalKey(), -t.amountFen());
    }
    return next;
  }

  /** Adds to the refunded amount of an original sale, in the open batch or among settled sales (by RRN). */
  private static TerminalState refunded(TerminalState s, String originalRrn, long deltaFen) {
    Optional<Txn> open = s.txnByRrn(originalRrn);
    if (open.isPresent()) return s.withTxn(open.get().withRefunded(open.get().refundedFen() + deltaFen));
    TerminalState.SaleRef ref = s.sales().get(originalRrn);
    return ref == null ? s : s.withSale(ref.withRefunded(ref.refundedFen() + deltaFen));
  }

  static TerminalState applySettled(TerminalState s, BatchSettled e) {
    String closed = e.settlement().batch();
    Map<String, Txn> remaining = new java.util.LinkedHashMap<>();
    Map<String, TerminalState.SaleRef> sales = new java.util.LinkedHashMap<>();
    for (TerminalState.SaleRef r : s.sales().values()) {
      if (r.approvedAt() == null || r.approvedAt().isAfter(e.retainSalesAfter())) sales.put(r.rrn(), r);
    }
    for (Txn t : s.txns().values()) {
      if (!t.batch().equals(closed) || t.reversalPending() || t.status() == TxnStatus.PENDING) {
        remaining.put(t.key(), t);
      }
      if (t.batch().equals(closed) && t.type() == TransactionType.SALE && t.status() == TxnStatus.APPROVED) {
        sales.put(t.rrn(), new TerminalState.SaleRef(t.rrn(), t.date(), t.batch(), t.amountFen(), t.refundedFen(),
            t.upstreamStan(), t.localDateTime(), t.panHash(), t.cardEnc(), t.startedAt()));
      }
    }
    return s.withSettlement(e.settlement(), remaining, sales);
  }

  // ======================================================================== helpers for the flows

  static final DateTimeFormatter UPSTREAM_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

  LocalDateTime now() {
    return LocalDateTime.now(services.clock());
  }

  void askMerchant(Request r, String merchantId, String type, long amountFen) {
    var ref = services.merchants().apply(merchantId);
    var stage = AskPattern.<MerchantEntity.Command, MerchantEntity.CheckResult>ask(ref,
        replyTo -> new MerchantEntity.Check(type, amountFen, r.receivedAt().toLocalDate(), replyTo),
        services.settings().merchantAskTimeout(), ctx.getSystem().scheduler());
    ctx.pipeToSelf(stage, (res, err) -> new MerchantChecked(r, err == null ? res : merchantUnavailable(err)));
  }

  /** Last time the merchant answered "allowed". Transient. */
  java.time.Instant merchantAllowedAt;

  private MerchantEntity.CheckResult merchantUnavailable(Throwable err) {
    java.time.Instant now = services.clock().instant();
    if (merchantAllowedAt != null && merchantAllowedAt.plus(services.settings().merchantCache()).isAfter(now)) {
      log.warn("terminal {}: merchant unavailable ({}), found active at {}: going on without its check", entityId,
          err.getClass().getSimpleName(), merchantAllowedAt);
      return new MerchantEntity.CheckResult(null, null);
    }
    return new MerchantEntity.CheckResult("96", "merchant check failed: " + err.getMessage());
  }

  void sendUpstream(String key, CardBusRequest req) {
    work().inFlight.add(key);
    ctx.pipeToSelf(services.cardBus().send(req), (res, err) -> new UpstreamDone(key, err != null
        ? new CardBusResult.TimedOut(null) : res));
  }

  void sendBalance(Request r, CardBusRequest req) {
    ctx.pipeToSelf(services.cardBus().send(req), (res, err) -> new BalanceDone(r, err != null
        ? new CardBusResult.NotSent(null, "96", "card bus failure: " + err.getMessage()) : res));
  }

  void sendReversalUpstream(String key, CardBusRequest req) {
    ctx.pipeToSelf(services.cardBus().send(req), (res, err) -> new ReversalDone(key, err != null
        ? new CardBusResult.TimedOut(null) : res));
  }

  /** Packs a reply, with a MAC under the current MAK when due. Pack failures are answered with nothing. */
  TerminalResponse respond(TerminalState s, TerminalMessage reply, boolean mac) {
    try {
      LmkKey mak = s.keys() == null ? null : s.keys().mak();
      byte[] body = TerminalReplies.pack(reply, mac, services.hsm(), mak, s.macAlgorithm());
      return new TerminalResponse(body, processingRequirement(s), reply.has(39) ? reply.get(39) : null);
    } catch (TerminalFormatException | HsmException e) {
      log.error("terminal {}: cannot pack the {} reply: {}", entityId, reply.mti(), e.getMessage());
      return TerminalResponse.none();
    }
  }

  int processingRequirement(TerminalState s) {
    if (!s.provisioned()) return 0;
    if (s.signOnRequired()) return 3;
    if (s.keys() != null && s.keys().issuedAt()
        .plus(services.settings().keyMaxAge()).isBefore(services.clock().instant())) {
      return 3;
    }
    return 0;
  }

  org.apache.pekko.persistence.typed.javadsl.EffectFactories<Event, TerminalState> effects() {
    return Effect();
  }

  /** A persist effect completed (the journal stored the event): metrics. */
  void persisted(long startNanos, TerminalState s, boolean reversalsChanged) {
    TerminalMetrics.terminalPersisted(startNanos);
    releaseIfIdle();
    // the pending reversals are counted over the batch's transactions: only when they may have changed
    if (reversalsChanged) TerminalMetrics.storeAndForward(entityId, s);
  }

  /** Whether an event may change the set of pending reversals. */
  static boolean touchesReversals(Event e) {
    return e instanceof ReversalRequested || e instanceof ReversalCompleted || e instanceof BatchSettled
        || (e instanceof TxnCompleted c && c.reversal() != null);
  }

  String entityId() {
    return entityId;
  }

  /** Re-dispatches the requests that waited for {@code key} to complete. */
  void releaseWaiting(String key) {
    List<Request> list = work == null ? null : work.waiting.remove(key);
    if (list == null) return;
    for (Request r : new ArrayList<>(list)) {
      ctx.getSelf().tell(new MerchantChecked(r, new MerchantEntity.CheckResult(null, null)));
    }
  }

  static TerminalMessage unpack(byte[] body) throws TerminalFormatException {
    return TerminalCodec.unpack(body);
  }
}
