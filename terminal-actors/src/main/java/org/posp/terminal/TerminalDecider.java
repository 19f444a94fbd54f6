package org.posp.terminal;

import java.time.Clock;
import java.time.LocalDateTime;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.posp.channel.CardBusResult;
import org.posp.security.Hsm;
import org.posp.security.MacAlgorithm;
import org.posp.terminal.Decision.Level;
import org.posp.terminal.TerminalEntity.TerminalResponse;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * The terminal's protocol as a pure function: {@code (TerminalState, Input) -> Decision}. No actor,
 * no network, no journal: the {@link TerminalEntity} persists a decision's events, runs its effects
 * and feeds their results back as inputs. What the decider needs from outside — the security
 * module, the id generator, the clock, the settings — comes in its {@link Env}.
 *
 * <p>A request goes through the steps of its type ({@link TransactionKinds}); each step is one rule
 * of the terminal protocol ({@link Steps}). The flows that are not a list of checks — sign-on,
 * reversal, settlement and batch upload, upstream outcomes, store-and-forward, undelivered replies
 * — are each in their own class.
 */
public final class TerminalDecider {

  /** What a decision may use besides the state and the input. */
  public record Env(
      String entityId, Hsm hsm, UpstreamIds ids, TerminalSettings settings, Clock clock) {
    LocalDateTime now() {
      return LocalDateTime.now(clock);
    }
  }

  /** A parsed request travelling through the steps (not persisted). */
  public record Request(
      TerminalMessage msg,
      byte[] body,
      TransactionType type,
      ActorRef<TerminalResponse> replyTo,
      LocalDateTime receivedAt,
      String delivery) {}

  // ======================================================================== inputs

  /** What a decision is about. */
  public sealed interface Input {}

  /** A request body (MTI .. end) from a front. */
  public record Received(byte[] body, ActorRef<TerminalResponse> replyTo, String delivery)
      implements Input {}

  /** The merchant's answer; also how a held request goes on (with {@link #ALLOWED}). */
  public record MerchantAnswered(Request request, MerchantEntity.CheckResult result)
      implements Input {}

  /**
   * The card bus's outcome of a recorded transaction; {@code terminalGaveUp}: reverse it when
   * approved.
   */
  public record UpstreamAnswered(String key, CardBusResult result, boolean terminalGaveUp)
      implements Input {}

  /** The card bus's answer to a balance inquiry. */
  public record BalanceAnswered(Request request, String rrn, CardBusResult result)
      implements Input {}

  /** A pending reversal is due; {@code attempts} made so far in this incarnation. */
  public record ReversalDue(String key, int attempts) implements Input {}

  /** The card bus's outcome of a reversal attempt (the {@code attempts}-th). */
  public record ReversalAnswered(String key, CardBusResult result, int attempts) implements Input {}

  /** The entity recovered; {@code inFlight} are the keys sent upstream by this incarnation. */
  public record Recovered(Set<String> inFlight) implements Input {}

  /** A front could not deliver the reply to one delivery of a request. */
  public record Undelivered(byte[] body, String delivery, ActorRef<Done> replyTo)
      implements Input {}

  /** An operator provisions the terminal. */
  public record Provision(TerminalEntity.Provision command) implements Input {}

  /** An operator asks the terminal to sign on again. */
  public record RequireSignOn(ActorRef<StatusReply<Done>> replyTo) implements Input {}

  static final MerchantEntity.CheckResult ALLOWED = new MerchantEntity.CheckResult(null, null);

  private final Env env;
  private final SignOnFlow signOn;
  private final FinancialFlow financial;
  private final ReversalFlow reversal;
  private final SettlementFlow settlement;
  private final UpstreamFlow upstream;
  private final UndeliveredFlow undelivered;

  public TerminalDecider(Env env) {
    this.env = env;
    this.signOn = new SignOnFlow(env);
    this.financial = new FinancialFlow(env);
    this.reversal = new ReversalFlow(env);
    this.settlement = new SettlementFlow(env);
    this.upstream = new UpstreamFlow(env);
    this.undelivered = new UndeliveredFlow(env);
  }

  public Env env() {
    return env;
  }

  /** The decision for one input. */
  public Decision decide(TerminalState s, Input input) {
    if (input instanceof Received in) return onReceived(s, in);
    if (input instanceof MerchantAnswered in)
      return onMerchantAnswered(s, in.request(), in.result());
    if (input instanceof UpstreamAnswered in) return upstream.onOutcome(s, in);
    if (input instanceof BalanceAnswered in) return financial.onBalanceAnswered(s, in);
    if (input instanceof ReversalDue in) return upstream.onReversalDue(s, in);
    if (input instanceof ReversalAnswered in) return upstream.onReversalAnswered(s, in);
    if (input instanceof Recovered in) return upstream.onRecovered(s, in);
    if (input instanceof Undelivered in) return undelivered.decide(s, in);
    if (input instanceof Provision in) return onProvision(s, in.command());
    if (input instanceof RequireSignOn in) {
      return s.provisioned()
          ? Decision.builder()
              .persist(new TerminalEvent.SignOnRequired())
              .reply(new Decision.Status(in.replyTo(), null))
              .build()
          : Decision.reply(new Decision.Status(in.replyTo(), "terminal not provisioned"));
    }
    throw new IllegalArgumentException("no decision for " + input.getClass().getName());
  }

  // ======================================================================== requests

  private Decision onReceived(TerminalState s, Received in) {
    TerminalMessage m;
    try {
      m = TerminalCodec.unpack(in.body());
    } catch (TerminalFormatException ex) {
      return silence(in.replyTo(), "unparseable request reached the entity: " + ex.getMessage());
    }
    if (!TransactionType.isRequestMti(m.mti())) {
      // the fronts never send these (format error there); no reply can be built for them
      return silence(
          in.replyTo(), "request with MTI " + m.mti() + " is not a terminal request: not answered");
    }
    Optional<TransactionType> type = TransactionType.classify(m);
    Request r =
        new Request(m, in.body(), type.orElse(null), in.replyTo(), env.now(), in.delivery());
    if (!s.provisioned())
      return reject(r, ResponseCode.TERMINAL_NOT_PROVISIONED, "terminal not provisioned");
    if (type.isEmpty())
      return reject(r, ResponseCode.FUNCTION_NOT_SUPPORTED, "function not supported");
    TransactionKinds.Kind kind = TransactionKinds.of(type.get());
    if (kind == null) {
      return reject(
          r,
          ResponseCode.FUNCTION_NOT_SUPPORTED,
          "transaction type not supported yet: " + type.get());
    }
    if (kind.askMerchant()) {
      return Decision.builder()
          .then(
              new Decision.AskMerchant(
                  r, s.merchantId(), type.get().name(), RequestContext.amountOf(m)))
          .build();
    }
    return proceed(s, r, kind);
  }

  private Decision onMerchantAnswered(
      TerminalState s, Request r, MerchantEntity.CheckResult result) {
    if (!result.allowed()) {
      ResponseCode code = ResponseCode.of(result.code());
      return reject(r, code == null ? ResponseCode.SYSTEM_ERROR : code, result.reason());
    }
    TransactionKinds.Kind kind = TransactionKinds.of(r.type());
    if (kind == null) return reject(r, ResponseCode.SYSTEM_ERROR, "unexpected flow");
    return proceed(s, r, kind);
  }

  /** The steps of the request's kind, then its action. */
  private Decision proceed(TerminalState s, Request r, TransactionKinds.Kind kind) {
    RequestContext c = new RequestContext(s, r, env);
    for (Steps.Step step : kind.steps()) {
      Decision d = step.check().apply(c);
      if (d != null) return d;
    }
    return switch (kind.action()) {
      case ECHO ->
          reply(
              r,
              TerminalReplies.base(r.msg(), ResponseCode.APPROVED, r.receivedAt()).build(),
              false);
      case SIGN_OFF ->
          Decision.builder()
              .persist(new TerminalEvent.SignedOff())
              .reply(
                  new Decision.ToTerminal(
                      r,
                      TerminalReplies.base(r.msg(), ResponseCode.APPROVED, r.receivedAt()).build(),
                      false))
              .build();
      case SIGN_ON -> signOn.decide(c);
      case BALANCE -> financial.balance(c);
      case CARD_TRANSACTION -> financial.start(c, kind);
      case REVERSAL -> reversal.decide(c);
      case SETTLEMENT -> settlement.settle(c);
      case BATCH_UPLOAD -> settlement.upload(c);
    };
  }

  private Decision onProvision(TerminalState s, TerminalEntity.Provision c) {
    if (!env.entityId().equals(TerminalEntity.entityId(c.merchantId(), c.terminalId()))) {
      return Decision.reply(
          new Decision.Status(c.replyTo(), "provisioning for another terminal id"));
    }
    MacAlgorithm mac = MacAlgorithm.orDefault(c.macAlgorithm());
    String refused =
        TerminalEntity.provisioningRefused(c.tmk(), mac, env.settings().singleDesAllowed());
    if (refused != null) {
      return Decision.builder()
          .reply(new Decision.Status(c.replyTo(), refused))
          .warn("provisioning refused: " + refused)
          .build();
    }
    if (c.tmk().equals(s.tmk()) && mac == s.macAlgorithm()) {
      return Decision.reply(new Decision.Status(c.replyTo(), null));
    }
    return Decision.builder()
        .persist(new TerminalEvent.Provisioned(c.merchantId(), c.terminalId(), c.tmk(), mac))
        .reply(new Decision.Status(c.replyTo(), null))
        .build();
  }

  // ======================================================================== replies

  /** A local decline or error of a request (no MAC), with its reason for the log. */
  static Decision reject(Request r, ResponseCode code, String why) {
    return Decision.builder()
        .reply(
            new Decision.ToTerminal(
                r, TerminalReplies.reject(r.msg(), code, r.receivedAt()), false))
        .info(
            r.msg().mti()
                + " "
                + (r.type() == null ? "?" : r.type())
                + " rejected with "
                + code
                + ": "
                + why)
        .build();
  }

  /** A reply to a request; MAC'd when asked and the type carries one (and 39 = 00, at packing). */
  static Decision reply(Request r, TerminalMessage reply, boolean mac) {
    return Decision.reply(
        new Decision.ToTerminal(r, reply, mac && r.type() != null && r.type().requiresMac()));
  }

  /** Holds {@code r} until the in-flight {@code key} has its outcome. */
  static Decision park(String key, Request r) {
    return Decision.builder().then(new Decision.Park(key, r)).build();
  }

  private static Decision silence(ActorRef<TerminalResponse> replyTo, String why) {
    return Decision.builder().reply(new Decision.Silence(replyTo)).note(Level.WARN, why).build();
  }

  /**
   * The reply to a request whose handling failed: 96, or nothing when not even that can be built.
   */
  Decision failure(byte[] body, Request request, ActorRef<TerminalResponse> replyTo) {
    try {
      Request r =
          request != null
              ? request
              : new Request(TerminalCodec.unpack(body), body, null, replyTo, env.now(), null);
      return Decision.reply(
          new Decision.ToTerminal(
              r, TerminalReplies.reject(r.msg(), ResponseCode.SYSTEM_ERROR, env.now()), false));
    } catch (TerminalFormatException | RuntimeException ex) {
      return Decision.reply(new Decision.Silence(replyTo));
    }
  }
}
