package org.posp.terminal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.posp.channel.CardBusResult;
import org.posp.persistence.CborSerializable;
import org.posp.security.HsmException;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.terminal.Decision.Effect;
import org.posp.terminal.TerminalDecider.Request;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;
import org.slf4j.Logger;

/**
 * One POS terminal (终端): provisioning, keys, sign-on state, the open batch with its transactions,
 * duplicate-replay memory and pending reversals. Sharded and event-sourced; every command is
 * answered (enforced replies), and an approval is answered {@code 00} only after it is in the
 * journal.
 *
 * <p>This class is the shell around the {@link TerminalDecider}: it turns commands into the
 * decider's inputs, persists a decision's events, runs its effects (the card bus, the merchant,
 * timers) and feeds their results back as commands, and owns what an incarnation is doing (held
 * requests, calls in flight, reversal attempts). The protocol itself — every check, reply and event
 * — is the decider's.
 */
public final class TerminalEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        TerminalEntity.Command, TerminalEvent, TerminalState> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Terminal");

  /** Entity id of a terminal: merchant id (42) + ':' + terminal id (41). */
  public static String entityId(String merchantId, String terminalId) {
    return merchantId + ":" + terminalId;
  }

  // ======================================================================== commands

  public sealed interface Command extends CborSerializable {}

  /**
   * A request body (MTI .. end, no LEN/TPDU/header) from the TCP, TLS or HTTP front. {@code
   * delivery} identifies the received frame: the front makes it (random, never from the frame) and
   * asks again with the same value when an ask times out; a transaction records the delivery that
   * started it.
   */
  public record HandleRequest(byte[] body, ActorRef<TerminalResponse> replyTo, String delivery)
      implements Command {
    /** A request that is its own delivery (tests, tools). */
    public HandleRequest(byte[] body, ActorRef<TerminalResponse> replyTo) {
      this(body, replyTo, newDelivery());
    }
  }

  /** A fresh delivery identifier: 128 random bits. */
  public static String newDelivery() {
    return UUID.randomUUID().toString();
  }

  /**
   * The reply body (null = nothing to send), the header's processing requirement R (0 nothing, 3
   * sign on again), and the reply's field 39 for the node's metrics (null when the reply has none).
   */
  public record TerminalResponse(byte[] body, int processingRequirement, String responseCode)
      implements CborSerializable {
    public TerminalResponse(byte[] body, int processingRequirement) {
      this(body, processingRequirement, null);
    }

    public static TerminalResponse none() {
      return new TerminalResponse(null, 0);
    }
  }

  /**
   * Provisions the terminal with its TMK (under the LMK) and its MAC algorithm (null = CUP ECB).
   * Idempotent for the same TMK and algorithm.
   */
  public record Provision(
      String merchantId,
      String terminalId,
      LmkKey tmk,
      MacAlgorithm macAlgorithm,
      ActorRef<StatusReply<Done>> replyTo)
      implements Command {
    /** With the default MAC algorithm (CUP ECB, docs/protocol/terminal.md §11.2). */
    public Provision(
        String merchantId, String terminalId, LmkKey tmk, ActorRef<StatusReply<Done>> replyTo) {
      this(merchantId, terminalId, tmk, MacAlgorithm.CUP_ECB, replyTo);
    }
  }

  /** Operator: the terminal's keys are to be renewed; replies carry R = 3 until it signs on. */
  public record RequireSignOn(ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /**
   * The terminal did not get the outcome of one delivery of a request (its connection closed before
   * the reply, or the node answered 96 on its own while the database was down): {@code body} is
   * that request as received and {@code delivery} the front's identifier of it. The entity acts
   * only on an authenticated request (valid MAC) whose content matches the recorded intent and
   * whose delivery is the one that started the transaction: a replay of an approved request is
   * another delivery and never undoes the approval that was delivered. A reversal (0400) answered
   * 96 has its original reversed. {@code replyTo}, when set, is told Done once this is decided and
   * recorded (callers retry until then).
   */
  public record ReplyUndelivered(byte[] body, String delivery, ActorRef<Done> replyTo)
      implements Command {
    public ReplyUndelivered(byte[] body, String delivery) {
      this(body, delivery, null);
    }
  }

  public record GetState(ActorRef<TerminalState> replyTo) implements Command {}

  // internal commands: sent by the entity to itself, never across nodes
  record MerchantChecked(Request request, MerchantEntity.CheckResult result) implements Command {}

  record UpstreamDone(String key, CardBusResult result) implements Command {}

  record BalanceDone(Request request, String rrn, CardBusResult result) implements Command {}

  record ReversalDone(String key, CardBusResult result) implements Command {}

  record SendReversal(String key) implements Command {}

  record ResolveInterrupted() implements Command {}

  record IdleTimeout() implements Command {}

  // ======================================================================== wiring

  public static Behavior<Command> create(
      String entityId, TerminalServices services, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new TerminalEntity(entityId, services, shard, ctx, timers)));
  }

  private final TerminalServices services;
  private final TerminalDecider decider;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Logger log;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final String entityId;

  /**
   * What this incarnation is doing (transient): created on first use and dropped again when all of
   * it is empty, so that an idle entity carries none of it (a node hosts a hundred thousand idle
   * terminals).
   */
  static final class Work {
    /** Requests waiting for an in-flight transaction of the same key (duplicates, reversals). */
    final Map<String, List<Request>> waiting = new HashMap<>();

    /** Attempts of pending reversals since this incarnation started. */
    final Map<String, Integer> reversalAttempts = new HashMap<>();

    /** Requests whose reply waits for a journal write (sign-on, settlement, ...). */
    final Set<Request> persisting = new HashSet<>();

    /** Keys whose intent (TxnRequested) is being written. */
    final Set<String> intentsWriting = new HashSet<>();

    /** Pending transactions the terminal gave up on: reversed as soon as they are approved. */
    final Set<String> reverseWhenDone = new HashSet<>();

    /** Keys whose card-bus call is in progress in this incarnation. */
    final Set<String> inFlight = new HashSet<>();

    boolean isEmpty() {
      return waiting.isEmpty()
          && reversalAttempts.isEmpty()
          && persisting.isEmpty()
          && intentsWriting.isEmpty()
          && reverseWhenDone.isEmpty()
          && inFlight.isEmpty();
    }
  }

  private Work work;

  /** Last time the merchant answered "allowed". Transient. */
  private Instant merchantAllowedAt;

  private Work work() {
    if (work == null) work = new Work();
    return work;
  }

  /** Drops the transient work when nothing is left in it. */
  private void releaseIfIdle() {
    if (work != null && work.isEmpty()) work = null;
  }

  private TerminalEntity(
      String entityId,
      TerminalServices services,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers) {
    super(
        PersistenceId.of(TYPE_KEY.name(), entityId),
        services.settings().restartBackoff().strategy());
    this.entityId = entityId;
    this.services = services;
    this.shard = shard;
    this.ctx = ctx;
    this.timers = timers;
    this.log = ctx.getLog();
    this.decider =
        new TerminalDecider(
            new TerminalDecider.Env(
                entityId, services.hsm(), services.ids(), services.settings(), services.clock()));
    ctx.setReceiveTimeout(services.settings().idlePassivation(), new IdleTimeout());
  }

  @Override
  public TerminalState emptyState() {
    return TerminalState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // snapshots only: journal rows are never deleted (pekko-persistence-jdbc 1.1 drops events after
    // a gap)
    return RetentionCriteria.snapshotEvery(services.settings().snapshotEvery(), 2);
  }

  @Override
  public SignalHandler<TerminalState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            s -> {
              TerminalMetrics.storeAndForward(entityId, s);
              ctx.getSelf().tell(new ResolveInterrupted());
            })
        .onSignal(PostStop.instance(), s -> TerminalMetrics.entityStopped(entityId))
        .onSignal(
            JournalPersistFailed.class, (s, failed) -> answerJournalFailure(s, failed.failure()))
        .build();
  }

  /**
   * One method rather than the builder: a node hosts a hundred thousand idle terminal entities, and
   * the builder's cases, lambdas and Scala lists cost about a kilobyte for each of them.
   */
  @Override
  public CommandHandlerWithReply<Command, TerminalEvent, TerminalState> commandHandler() {
    return this::onCommand;
  }

  /**
   * Every command is handled; a failure of a handler (a defect) answers the request it was handling
   * 96 and leaves the entity running: a restart would resolve transactions in flight as interrupted
   * and reverse them, so an input that trips a defect would move money.
   */
  private ReplyEffect<TerminalEvent, TerminalState> onCommand(TerminalState s, Command command) {
    try {
      return dispatch(s, command);
    } catch (RuntimeException ex) {
      log.error(
          "terminal {}: {} failed; the entity goes on",
          entityId,
          command.getClass().getSimpleName(),
          ex);
      if (command instanceof HandleRequest c)
        return run(s, decider.failure(c.body(), null, c.replyTo()));
      if (command instanceof MerchantChecked c) {
        return run(s, decider.failure(null, c.request(), c.request().replyTo()));
      }
      return Effect().noReply();
    }
  }

  private ReplyEffect<TerminalEvent, TerminalState> dispatch(TerminalState s, Command command) {
    if (command instanceof HandleRequest c) {
      return run(
          s, decider.decide(s, new TerminalDecider.Received(c.body(), c.replyTo(), c.delivery())));
    }
    if (command instanceof MerchantChecked c) {
      if (c.result().allowed()) merchantAllowedAt = services.clock().instant();
      return run(
          s, decider.decide(s, new TerminalDecider.MerchantAnswered(c.request(), c.result())));
    }
    if (command instanceof UpstreamDone c) return onUpstreamDone(s, c);
    if (command instanceof BalanceDone c) {
      return run(
          s,
          decider.decide(s, new TerminalDecider.BalanceAnswered(c.request(), c.rrn(), c.result())));
    }
    if (command instanceof SendReversal c) {
      int attempts = work == null ? 0 : work.reversalAttempts.getOrDefault(c.key(), 0);
      return run(s, decider.decide(s, new TerminalDecider.ReversalDue(c.key(), attempts)));
    }
    if (command instanceof ReversalDone c) {
      int attempts = work == null ? 1 : work.reversalAttempts.getOrDefault(c.key(), 1);
      return run(
          s,
          decider.decide(s, new TerminalDecider.ReversalAnswered(c.key(), c.result(), attempts)));
    }
    if (command instanceof ResolveInterrupted) {
      Set<String> inFlight = work == null ? Set.of() : Set.copyOf(work.inFlight);
      return run(s, decider.decide(s, new TerminalDecider.Recovered(inFlight)));
    }
    if (command instanceof ReplyUndelivered c) {
      return run(
          s,
          decider.decide(s, new TerminalDecider.Undelivered(c.body(), c.delivery(), c.replyTo())));
    }
    if (command instanceof Provision c)
      return run(s, decider.decide(s, new TerminalDecider.Provision(c)));
    if (command instanceof RequireSignOn c)
      return run(s, decider.decide(s, new TerminalDecider.RequireSignOn(c.replyTo())));
    if (command instanceof GetState c) return Effect().reply(c.replyTo(), s);
    if (command instanceof IdleTimeout) return onIdle(s);
    log.warn("terminal {}: unexpected command {}", entityId, command.getClass().getSimpleName());
    return Effect().unhandled().thenNoReply();
  }

  private ReplyEffect<TerminalEvent, TerminalState> onUpstreamDone(
      TerminalState s, UpstreamDone c) {
    if (work == null || !work.inFlight.remove(c.key())) {
      // sent by an earlier incarnation (the entity restarted after a journal failure, and may have
      // answered its requester 96): recovery resolves that intent as a reversal, whatever this says
      log.warn(
          "terminal {}: upstream outcome of {} arrived after a restart ({}): ignored, the intent is reversed",
          entityId,
          c.key(),
          UpstreamFlow.describe(c.result()));
      return Effect().noReply();
    }
    boolean gaveUp = work.reverseWhenDone.remove(c.key());
    return run(
        s, decider.decide(s, new TerminalDecider.UpstreamAnswered(c.key(), c.result(), gaveUp)));
  }

  /**
   * Why a TMK and MAC algorithm cannot be provisioned, or null: a single DES (8-byte) TMK unless
   * single DES is allowed, and the X9.19 MAC without a double-length TMK (its MAK travels in the
   * 003/004 key blocks).
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

  private ReplyEffect<TerminalEvent, TerminalState> onIdle(TerminalState s) {
    boolean pendingWork =
        (work != null && (!work.waiting.isEmpty() || !work.inFlight.isEmpty()))
            || s.txns().values().stream()
                .anyMatch(t -> t.status() == TxnStatus.PENDING || t.reversalPending());
    if (pendingWork) return Effect().noReply();
    if (shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    } else {
      return Effect().stop().thenNoReply();
    }
    return Effect().noReply();
  }

  // ======================================================================== running a decision

  /**
   * Carries out a decision: immediate effects first; then, when it has events, persists them and
   * runs the other effects and the reply once they are stored; otherwise runs them now.
   */
  private ReplyEffect<TerminalEvent, TerminalState> run(TerminalState s, Decision d) {
    for (Effect e : d.effects()) {
      if (e.immediate()) runImmediate(e);
    }
    if (!d.persists()) {
      log(d.notes());
      runEffects(d.effects());
      return replyNow(s, d.reply());
    }
    long start = System.nanoTime();
    boolean reversals = d.events().stream().anyMatch(TerminalEntity::touchesReversals);
    List<String> intents = new ArrayList<>();
    for (Effect e : d.effects()) {
      if (e instanceof Decision.SendUpstream up) intents.add(up.key());
    }
    if (!intents.isEmpty()) work().intentsWriting.addAll(intents);
    Request waiting = d.reply() instanceof Decision.ToTerminal t ? t.request() : null;
    if (waiting != null) work().persisting.add(waiting);
    EffectBuilder<TerminalEvent, TerminalState> persisted =
        Effect()
            .persist(d.events())
            .thenRun(
                ns -> {
                  TerminalMetrics.terminalPersisted(start);
                  if (!intents.isEmpty() && work != null)
                    intents.forEach(work.intentsWriting::remove);
                  log(d.notes());
                  runEffects(d.effects());
                  releaseIfIdle();
                  // the pending reversals are counted over the batch's transactions: only when they
                  // may have changed
                  if (reversals) TerminalMetrics.storeAndForward(entityId, ns);
                });
    if (d.reply() instanceof Decision.ToTerminal t) {
      return persisted.thenReply(
          t.replyTo(),
          ns -> {
            if (work != null) work.persisting.remove(t.request());
            releaseIfIdle();
            return respond(ns, t.message(), t.mac());
          });
    }
    if (d.reply() instanceof Decision.Status st)
      return persisted.thenReply(st.replyTo(), ns -> status(st));
    return persisted.thenNoReply();
  }

  private ReplyEffect<TerminalEvent, TerminalState> replyNow(
      TerminalState s, Decision.Reply reply) {
    if (reply instanceof Decision.ToTerminal t)
      return Effect().reply(t.replyTo(), respond(s, t.message(), t.mac()));
    if (reply instanceof Decision.Silence n)
      return Effect().reply(n.replyTo(), TerminalResponse.none());
    if (reply instanceof Decision.Status st) return Effect().reply(st.replyTo(), status(st));
    return Effect().noReply();
  }

  private static StatusReply<Done> status(Decision.Status st) {
    return st.error() == null ? StatusReply.ack() : StatusReply.error(st.error());
  }

  private void runImmediate(Effect effect) {
    if (effect instanceof Decision.Park p) {
      work().waiting.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.request());
    } else if (effect instanceof Decision.ReverseWhenDone r) {
      work().reverseWhenDone.add(r.key());
    } else if (effect instanceof Decision.ReversalSettled r && work != null) {
      work.reversalAttempts.remove(r.key());
    }
  }

  private void runEffects(List<Effect> effects) {
    for (Effect effect : effects) {
      if (!effect.immediate()) runEffect(effect);
    }
  }

  private void runEffect(Effect effect) {
    if (effect instanceof Decision.AskMerchant a) {
      askMerchant(a);
    } else if (effect instanceof Decision.SendUpstream up) {
      work().inFlight.add(up.key());
      ctx.pipeToSelf(
          services.cardBus().send(up.request()),
          (res, err) ->
              new UpstreamDone(up.key(), err != null ? new CardBusResult.TimedOut(null) : res));
    } else if (effect instanceof Decision.SendBalance b) {
      ctx.pipeToSelf(
          services.cardBus().send(b.upstream()),
          (res, err) ->
              new BalanceDone(
                  b.request(),
                  b.rrn(),
                  err != null
                      ? new CardBusResult.NotSent(
                          null,
                          CardBusResult.NotSentReason.INTERNAL,
                          "card bus failure: " + err.getMessage())
                      : res));
    } else if (effect instanceof Decision.SendReversal rev) {
      work().reversalAttempts.merge(rev.key(), 1, Integer::sum);
      ctx.pipeToSelf(
          services.cardBus().send(rev.request()),
          (res, err) ->
              new ReversalDone(rev.key(), err != null ? new CardBusResult.TimedOut(null) : res));
    } else if (effect instanceof Decision.TriggerReversal t) {
      ctx.getSelf().tell(new SendReversal(t.key()));
    } else if (effect instanceof Decision.RetryReversal t) {
      timers.startSingleTimer("reversal-" + t.key(), new SendReversal(t.key()), t.delay());
    } else if (effect instanceof Decision.RecordApproved a) {
      services
          .merchants()
          .apply(a.merchantId())
          .tell(new MerchantEntity.RecordApproved(a.rrn(), a.amountFen(), a.day()));
    } else if (effect instanceof Decision.Release r) {
      releaseWaiting(r.key());
    } else if (effect instanceof Decision.Acknowledge a) {
      a.replyTo().tell(Done.getInstance());
    } else {
      throw new IllegalStateException("no runner for " + effect);
    }
  }

  private void log(List<Decision.Note> notes) {
    for (Decision.Note n : notes) {
      switch (n.level()) {
        case DEBUG -> log.debug("terminal {}: {}", entityId, n.text());
        case INFO -> log.info("terminal {}: {}", entityId, n.text());
        case WARN -> log.warn("terminal {}: {}", entityId, n.text());
        case ERROR -> log.error("terminal {}: {}", entityId, n.text());
      }
    }
  }

  private void askMerchant(Decision.AskMerchant a) {
    Request r = a.request();
    var ref = services.merchants().apply(a.merchantId());
    var stage =
        AskPattern.<MerchantEntity.Command, MerchantEntity.CheckResult>ask(
            ref,
            replyTo ->
                new MerchantEntity.Check(
                    a.type(), a.amountFen(), r.receivedAt().toLocalDate(), replyTo),
            services.settings().merchantAskTimeout(),
            ctx.getSystem().scheduler());
    ctx.pipeToSelf(
        stage, (res, err) -> new MerchantChecked(r, err == null ? res : merchantUnavailable(err)));
  }

  private MerchantEntity.CheckResult merchantUnavailable(Throwable err) {
    Instant now = services.clock().instant();
    if (merchantAllowedAt != null
        && merchantAllowedAt.plus(services.settings().merchantCache()).isAfter(now)) {
      log.warn(
          "terminal {}: merchant unavailable ({}), found active at {}: going on without its check",
          entityId,
          err.getClass().getSimpleName(),
          merchantAllowedAt);
      return TerminalDecider.ALLOWED;
    }
    return new MerchantEntity.CheckResult(
        ResponseCode.SYSTEM_ERROR.code(), "merchant check failed: " + err.getMessage());
  }

  /** Re-dispatches the requests that waited for {@code key} to complete. */
  private void releaseWaiting(String key) {
    List<Request> list = work == null ? null : work.waiting.remove(key);
    if (list == null) return;
    for (Request r : list) ctx.getSelf().tell(new MerchantChecked(r, TerminalDecider.ALLOWED));
  }

  /**
   * The journal refused a write (database down): every request waiting in this incarnation is
   * answered 96 now, before the entity restarts. Safe: no 00 was sent for them, and an upstream
   * approval whose outcome could not be recorded is reversed when the entity recovers (its intent
   * is pending).
   */
  private void answerJournalFailure(TerminalState s, Throwable cause) {
    if (work == null) return;
    List<Request> all = new ArrayList<>(work.persisting);
    work.persisting.clear();
    for (var w : work.waiting.entrySet()) {
      // only requests whose intent was being written are answered: for one whose intent is recorded
      // the failed write may have been its outcome, and a write reported failed (breaker timeout)
      // can still have committed an approval; the gateway answers it 96 and has the entity reverse
      // it once it can write (ReplyUndelivered)
      if (work.intentsWriting.contains(w.getKey())) all.addAll(w.getValue());
    }
    work.waiting.clear();
    work.intentsWriting.clear();
    if (all.isEmpty()) return;
    log.error(
        "terminal {}: journal write failed ({}): answering {} waiting request(s) 96",
        entityId,
        cause.getMessage(),
        all.size());
    for (Request r : all) {
      r.replyTo()
          .tell(
              respond(
                  s,
                  TerminalReplies.reject(
                      r.msg(), ResponseCode.SYSTEM_ERROR, LocalDateTime.now(services.clock())),
                  false));
    }
  }

  // ======================================================================== events

  @Override
  public EventHandler<TerminalState, TerminalEvent> eventHandler() {
    return EVENTS;
  }

  /** Stateless, so one for every entity (see {@link #commandHandler()}). */
  private static final EventHandler<TerminalState, TerminalEvent> EVENTS = TerminalEvents::apply;

  /** Whether an event may change the set of pending reversals. */
  static boolean touchesReversals(TerminalEvent e) {
    return e instanceof TerminalEvent.ReversalRequested
        || e instanceof TerminalEvent.ReversalCompleted
        || e instanceof TerminalEvent.BatchSettled
        || (e instanceof TerminalEvent.TxnCompletedV1 c && c.reversal() != null);
  }

  // ======================================================================== replies

  /**
   * Packs a reply, with a MAC under the current MAK when due. Pack failures are answered with
   * nothing.
   */
  private TerminalResponse respond(TerminalState s, TerminalMessage reply, boolean mac) {
    try {
      LmkKey mak = s.keys() == null ? null : s.keys().mak();
      byte[] body = TerminalReplies.pack(reply, mac, services.hsm(), mak, s.macAlgorithm());
      return new TerminalResponse(
          body, processingRequirement(s), reply.has(39) ? reply.get(39) : null);
    } catch (TerminalFormatException | HsmException e) {
      log.error("terminal {}: cannot pack the {} reply: {}", entityId, reply.mti(), e.getMessage());
      return TerminalResponse.none();
    }
  }

  private int processingRequirement(TerminalState s) {
    if (!s.provisioned()) return 0;
    if (s.signOnRequired()) return 3;
    if (s.keys() != null
        && s.keys()
            .issuedAt()
            .plus(services.settings().keyMaxAge())
            .isBefore(services.clock().instant())) {
      return 3;
    }
    return 0;
  }
}
