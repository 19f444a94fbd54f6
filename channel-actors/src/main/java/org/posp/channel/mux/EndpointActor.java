package org.posp.channel.mux;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardBusResult.NotSentReason;
import org.posp.channel.CardBusSettings;
import org.posp.channel.CardBusSettings.EndpointSettings;
import org.posp.channel.LateReplyListener;
import org.posp.channel.cmf.CmfActionCodes;
import org.posp.channel.cmf.CmfCodec;
import org.posp.channel.cmf.CmfReply;
import org.posp.channel.link.LinkActor;
import org.posp.channel.link.LinkBoard;
import org.posp.channel.link.LinkSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MUX of one endpoint (docs/protocol/card-bus.md §3): owns the endpoint's links (children,
 * restarted with backoff when they crash), spreads requests over the ready ones, matches replies by
 * MTI class + 11 + 41, enforces the endpoint timeout and runs every send through the endpoint's
 * circuit breaker (熔断).
 *
 * <p>Outcomes: a reply gives {@link CardBusResult.Answered}; no reply within the timeout, or the
 * link breaking after the write, gives {@link CardBusResult.TimedOut} (the host may have seen it);
 * a request that was never written gives {@link CardBusResult.NotSent}. A reply that finds no
 * outstanding request is a late reply: logged, counted and reported to the {@link
 * LateReplyListener}, never delivered.
 */
public final class EndpointActor extends AbstractBehavior<EndpointActor.Command> {

  /** Messages an endpoint accepts. */
  public sealed interface Command {}

  /**
   * Send one packed request.
   *
   * @param key matching key ({@link CmfCodec#matchKey})
   * @param rrn field 37, for logs and late-reply reports
   * @param mti request MTI, for logs
   * @param maskedPan for logs
   * @param frame the packed message without length header
   */
  public record Submit(
      String key,
      String rrn,
      String mti,
      String maskedPan,
      byte[] frame,
      ActorRef<CardBusResult> replyTo)
      implements Command {}

  /** Stop the endpoint and its links; {@code replyTo} is answered once every link has stopped. */
  public record Stop(ActorRef<Done> replyTo) implements Command {}

  private record FromLink(LinkActor.Event event) implements Command {}

  private record RequestTimeout(String key, long seq) implements Command {}

  private record TimerKey(String key) {}

  /** An outstanding request. */
  private static final class Pending {
    final Submit submit;
    final CompletableFuture<CardBusResult> result = new CompletableFuture<>();
    final long seq;
    String linkId;

    Pending(Submit submit, long seq, String linkId) {
      this.submit = submit;
      this.seq = seq;
      this.linkId = linkId;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(EndpointActor.class);

  /** Keys of recently timed-out requests, to name the RRN of a late reply that lacks field 37. */
  private static final int RECENT_TIMEOUTS = 10_000;

  private static final BiFunction<Optional<CardBusResult>, Optional<Throwable>, Boolean>
      IS_FAILURE =
          (result, error) ->
              error.isPresent() || !(result.orElse(null) instanceof CardBusResult.Answered);

  private final EndpointSettings settings;
  private final CircuitBreaker breaker;
  private final AtomicLong lateReplies;
  private final LateReplyListener lateReplyListener;
  private final TimerScheduler<Command> timers;
  private final LinkSelector selector;
  private final Map<String, ActorRef<LinkActor.Command>> links = new HashMap<>();
  private final Map<String, Pending> pending = new HashMap<>();
  private final LinkedHashMap<String, String> recentTimeouts =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > RECENT_TIMEOUTS;
        }
      };
  private final List<ActorRef<Done>> stopWaiters = new ArrayList<>();
  private long seq;

  /**
   * The endpoint's behavior.
   *
   * @param breaker this endpoint's breaker (thread-safe; status reads it directly)
   * @param board where the links publish their state
   * @param lateReplies counter of late replies
   * @param lateReplyListener told about every late reply, or null
   */
  public static Behavior<Command> create(
      CardBusSettings global,
      EndpointSettings settings,
      CircuitBreaker breaker,
      LinkBoard board,
      AtomicLong lateReplies,
      LateReplyListener lateReplyListener) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new EndpointActor(
                        ctx,
                        timers,
                        global,
                        settings,
                        breaker,
                        board,
                        lateReplies,
                        lateReplyListener)));
  }

  private EndpointActor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      CardBusSettings global,
      EndpointSettings settings,
      CircuitBreaker breaker,
      LinkBoard board,
      AtomicLong lateReplies,
      LateReplyListener lateReplyListener) {
    super(ctx);
    ctx.setLoggerName(EndpointActor.class);
    this.settings = settings;
    this.breaker = breaker;
    this.lateReplies = lateReplies;
    this.lateReplyListener = lateReplyListener;
    this.timers = timers;
    ActorRef<LinkActor.Event> events = ctx.messageAdapter(LinkActor.Event.class, FromLink::new);
    List<LinkSelector.Candidate> candidates = new ArrayList<>();
    for (int a = 0; a < settings.addresses().size(); a++) {
      CardBusSettings.Address address = settings.addresses().get(a);
      for (int n = 1; n <= settings.linksPerAddress(); n++) {
        String linkId = settings.name() + "-" + (a + 1) + "." + n;
        LinkSettings ls =
            LinkSettings.builder(settings.name(), linkId, address.host(), address.port())
                .acquirerId(global.acquirerId())
                .echo(global.echoInterval(), global.maxMissedEchoes())
                .timeouts(global.logonTimeout(), global.connectTimeout())
                .reconnect(global.minBackoff(), global.maxBackoff(), global.randomFactor())
                .frames(global.maxFrameBytes(), global.sendQueueSize())
                .build();
        Behavior<LinkActor.Command> link =
            Behaviors.supervise(LinkActor.create(ls, events, board))
                .onFailure(
                    Exception.class,
                    SupervisorStrategy.restartWithBackoff(
                        global.minBackoff(), global.maxBackoff(), global.randomFactor()));
        links.put(linkId, ctx.spawn(link, "link-" + linkId));
        candidates.add(new LinkSelector.Candidate(linkId, a));
      }
    }
    this.selector = new LinkSelector(settings.strategy(), candidates);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Submit.class, this::onSubmit)
        .onMessage(FromLink.class, m -> onLinkEvent(m.event))
        .onMessage(RequestTimeout.class, this::onTimeout)
        .onMessage(
            Stop.class,
            m -> {
              stopWaiters.add(m.replyTo);
              return Behaviors.stopped();
            })
        .onSignal(
            PreRestart.class,
            s -> {
              // a crash loses the outstanding map: answer those callers now (outcome unknown)
              failAllOutstanding(null, "endpoint restarting after a failure");
              return this;
            })
        .onSignal(
            PostStop.class,
            s -> {
              // children have stopped by now: their connections are closed
              failAllOutstanding(null, "endpoint stopped");
              stopWaiters.forEach(w -> w.tell(Done.getInstance()));
              return this;
            })
        .build();
  }

  private Behavior<Command> onSubmit(Submit s) {
    if (pending.containsKey(s.key)) {
      s.replyTo.tell(
          new CardBusResult.NotSent(
              settings.name(),
              NotSentReason.DUPLICATE_IN_FLIGHT,
              "a request with the same MTI class, STAN and terminal id is in flight"));
      return this;
    }
    if (breaker.isOpen()) {
      s.replyTo.tell(
          new CardBusResult.NotSent(settings.name(), NotSentReason.BREAKER_OPEN, "breaker open"));
      return this;
    }
    if (!selector.anyReady()) {
      s.replyTo.tell(
          new CardBusResult.NotSent(settings.name(), NotSentReason.NO_READY_LINK, "no ready link"));
      return this;
    }
    CompletionStage<CardBusResult> outcome =
        breaker.callWithCircuitBreakerCS(() -> dispatch(s), IS_FAILURE);
    outcome.whenComplete(
        (result, error) -> s.replyTo.tell(error == null ? result : fromBreakerError(error)));
    return this;
  }

  /** Runs inside the breaker, on the actor's thread (the breaker calls the body synchronously). */
  private CompletionStage<CardBusResult> dispatch(Submit s) {
    Optional<String> linkId = selector.next(null);
    if (linkId.isEmpty()) {
      return CompletableFuture.completedFuture(
          new CardBusResult.NotSent(settings.name(), NotSentReason.NO_READY_LINK, "no ready link"));
    }
    Pending p = new Pending(s, ++seq, linkId.get());
    pending.put(s.key, p);
    timers.startSingleTimer(
        new TimerKey(s.key), new RequestTimeout(s.key, p.seq), settings.timeout());
    links.get(p.linkId).tell(new LinkActor.Write(s.key, s.frame));
    return p.result;
  }

  /** Runs on whatever thread completes the breaker's stage: no actor context here. */
  private CardBusResult fromBreakerError(Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof CircuitBreakerOpenException) {
      return new CardBusResult.NotSent(settings.name(), NotSentReason.BREAKER_OPEN, "breaker open");
    }
    if (!(e instanceof TimeoutException)) {
      LOG.error("endpoint {}: unexpected breaker failure {}", settings.name(), e.toString());
    }
    // the body ran, so the request may have been written: unknown outcome
    return new CardBusResult.TimedOut(settings.name());
  }

  private Behavior<Command> onLinkEvent(LinkActor.Event event) {
    if (event instanceof LinkActor.LinkUp up) {
      selector.up(up.linkId());
    } else if (event instanceof LinkActor.LinkDown down) {
      selector.down(down.linkId());
      failAllOutstanding(down.linkId(), "link " + down.linkId() + " down: " + down.reason());
    } else if (event instanceof LinkActor.NotWritten nw) {
      onNotWritten(nw);
    } else if (event instanceof LinkActor.Reply reply) {
      onReply(reply);
    }
    return this;
  }

  private void onNotWritten(LinkActor.NotWritten nw) {
    Pending p = pending.get(nw.key());
    if (p == null || !p.linkId.equals(nw.linkId())) return;
    Optional<String> other = selector.next(nw.linkId());
    if (other.isPresent()) {
      p.linkId = other.get();
      links.get(p.linkId).tell(new LinkActor.Write(p.submit.key, p.submit.frame));
      return;
    }
    pending.remove(nw.key());
    timers.cancel(new TimerKey(nw.key()));
    getContext()
        .getLog()
        .warn(
            "endpoint {}: {} rrn={} pan={} not sent: {}",
            settings.name(),
            p.submit.mti,
            p.submit.rrn,
            p.submit.maskedPan,
            nw.reason());
    p.result.complete(
        new CardBusResult.NotSent(
            settings.name(), NotSentReason.NO_READY_LINK, "no ready link: " + nw.reason()));
  }

  private void onReply(LinkActor.Reply r) {
    String key = CmfCodec.matchKey(r.msg());
    CmfReply reply = CmfReply.of(r.msg());
    Pending p = pending.remove(key);
    if (p == null) {
      onLateReply(key, reply, r.linkId());
      return;
    }
    timers.cancel(new TimerKey(key));
    if (!reply.hasActionCode()) {
      // without 39 the outcome is unknown: the caller must treat it like a timeout (and reverse)
      getContext()
          .getLog()
          .error(
              "endpoint {}: reply {} rrn={} without a valid field 39: outcome unknown",
              settings.name(),
              reply.mti(),
              p.submit.rrn);
      p.result.complete(new CardBusResult.TimedOut(settings.name()));
      return;
    }
    getContext()
        .getLog()
        .debug(
            "endpoint {}: {} rrn={} pan={} answered 39={}",
            settings.name(),
            reply.mti(),
            p.submit.rrn,
            p.submit.maskedPan,
            reply.actionCode());
    p.result.complete(
        new CardBusResult.Answered(
            settings.name(),
            reply.actionCode(),
            reply.approvalCode(),
            reply.settlementDate(),
            reply.balance()));
  }

  private void onLateReply(String key, CmfReply reply, String linkId) {
    lateReplies.incrementAndGet();
    String rrn = reply.rrn() != null ? reply.rrn() : recentTimeouts.get(key);
    boolean known = recentTimeouts.remove(key) != null;
    getContext()
        .getLog()
        .warn(
            "endpoint {}: late reply on {}: {} rrn={} stan={} tid={} 39={}{}{}",
            settings.name(),
            linkId,
            reply.mti(),
            rrn,
            reply.stan(),
            reply.terminalId(),
            reply.actionCode(),
            known ? "" : " (no request of this node is known for it)",
            CmfActionCodes.isApproval(reply.actionCode())
                ? ": an approval the caller never saw, it must be reversed"
                : "");
    if (lateReplyListener != null) {
      try {
        lateReplyListener.lateReply(settings.name(), rrn, reply.mti(), reply.actionCode());
      } catch (RuntimeException e) {
        getContext()
            .getLog()
            .error("endpoint {}: late reply listener failed for rrn={}", settings.name(), rrn, e);
      }
    }
  }

  private Behavior<Command> onTimeout(RequestTimeout t) {
    Pending p = pending.get(t.key);
    if (p == null || p.seq != t.seq) return this;
    pending.remove(t.key);
    recentTimeouts.put(t.key, p.submit.rrn);
    getContext()
        .getLog()
        .warn(
            "endpoint {}: {} rrn={} pan={} timed out after {} ms on {}",
            settings.name(),
            p.submit.mti,
            p.submit.rrn,
            p.submit.maskedPan,
            settings.timeout().toMillis(),
            p.linkId);
    p.result.complete(new CardBusResult.TimedOut(settings.name()));
    return this;
  }

  /**
   * Completes as TimedOut the requests written on a link that broke (all requests when {@code
   * linkId} is null): the write may have reached the host, so the outcome is unknown.
   */
  private void failAllOutstanding(String linkId, String reason) {
    Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Pending> e = it.next();
      Pending p = e.getValue();
      if (linkId != null && !linkId.equals(p.linkId)) continue;
      it.remove();
      timers.cancel(new TimerKey(e.getKey()));
      recentTimeouts.put(e.getKey(), p.submit.rrn);
      getContext()
          .getLog()
          .warn(
              "endpoint {}: {} rrn={} pan={} outcome unknown: {}",
              settings.name(),
              p.submit.mti,
              p.submit.rrn,
              p.submit.maskedPan,
              reason);
      p.result.complete(new CardBusResult.TimedOut(settings.name()));
    }
  }
}
