package org.posp.terminal;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.posp.persistence.CborSerializable;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TransactionType;

/**
 * A merchant (商户): profile, status, limits and allowed transaction types, and the day's approved
 * amount for the daily limit. Terminals ask it before a financial request leaves the switch.
 *
 * <p>The daily accumulator is fed after approvals ({@link RecordApproved}, at most once per
 * approval): two terminals of one merchant approved in the same instant can together pass the daily
 * limit by at most one transaction each. That is the usual trade-off of acquirer switches; a strict
 * limit would put the merchant on the critical path of every terminal twice.
 *
 * <p>Approvals are written as a group commit: an entity persists one event at a time and holds
 * every other command meanwhile, so one journal write per approval would cap a busy merchant (all
 * terminals of a supermarket chain) at one approval per write latency and hold up every terminal's
 * check behind those writes. Instead an approval is added to a buffer, and a {@code Flush} the
 * entity sends itself persists everything buffered by then as one event per day. Checks count the
 * buffer, so the limit is applied exactly as before; the buffer holds only what arrived during the
 * current write, and is lost only with the node, as a {@link RecordApproved} still in the mailbox
 * would be.
 */
public final class MerchantEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        MerchantEntity.Command, MerchantEntity.Event, MerchantEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Merchant");

  public enum Status {
    ACTIVE,
    FROZEN,
    CLOSED
  }

  /**
   * @param singleLimitFen largest amount of one transaction, 0 = no limit
   * @param dailyLimitFen largest approved sum per natural day, 0 = no limit
   * @param allowedTypes names of {@code TransactionType}s the merchant may do; empty = all
   */
  public record Profile(
      String merchantId,
      String name,
      String mcc,
      Status status,
      long singleLimitFen,
      long dailyLimitFen,
      Set<String> allowedTypes)
      implements CborSerializable {
    public Profile {
      allowedTypes = allowedTypes == null ? Set.of() : Set.copyOf(allowedTypes);
    }
  }

  // ---- commands
  public sealed interface Command extends CborSerializable {}

  /** Creates or replaces the profile (operator or demo data). */
  public record Register(Profile profile, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record SetStatus(Status status, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Checks a transaction; the reply's code is null when allowed, else the terminal's 39. */
  public record Check(String type, long amountFen, LocalDate day, ActorRef<CheckResult> replyTo)
      implements Command {}

  public record CheckResult(String code, String reason) implements CborSerializable {
    public boolean allowed() {
      return code == null;
    }
  }

  public record RecordApproved(String txnId, long amountFen, LocalDate day) implements Command {}

  public record Get(ActorRef<State> replyTo) implements Command {}

  /** Persists the buffered approvals (sent by the entity to itself). */
  private enum Flush implements Command {
    INSTANCE
  }

  // ---- events
  public sealed interface Event extends CborSerializable {}

  public record Registered(Profile profile) implements Event {}

  public record StatusChanged(Status status) implements Event {}

  public record Approved(long amountFen, LocalDate day) implements Event {}

  // ---- state (immutable: snapshots are serialized off the entity's thread)
  public record State(Profile profile, LocalDate day, long dayApprovedFen)
      implements CborSerializable {}

  public static Behavior<Command> create(String merchantId, MerchantSettings settings) {
    return Behaviors.setup(ctx -> new MerchantEntity(merchantId, settings, ctx.getSelf()));
  }

  private final MerchantSettings settings;
  private final ActorRef<Command> self;

  /** Approved amounts per day not persisted yet (transient, this incarnation only). */
  private final Map<LocalDate, Long> buffered = new TreeMap<>();

  private boolean flushSent;

  private MerchantEntity(String merchantId, MerchantSettings settings, ActorRef<Command> self) {
    super(PersistenceId.of(TYPE_KEY.name(), merchantId), settings.restartBackoff().strategy());
    this.settings = settings;
    this.self = self;
  }

  @Override
  public State emptyState() {
    return new State(null, null, 0);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    var b = newCommandHandlerWithReplyBuilder().forAnyState();
    b.onCommand(
        Register.class,
        (s, c) ->
            c.profile().equals(s.profile())
                ? Effect().reply(c.replyTo(), StatusReply.ack())
                : Effect()
                    .persist(new Registered(c.profile()))
                    .thenReply(c.replyTo(), x -> StatusReply.ack()));
    b.onCommand(
        SetStatus.class,
        (s, c) ->
            s.profile() == null
                ? Effect().reply(c.replyTo(), StatusReply.error("merchant not registered"))
                : Effect()
                    .persist(new StatusChanged(c.status()))
                    .thenReply(c.replyTo(), x -> StatusReply.ack()));
    b.onCommand(Check.class, (s, c) -> Effect().reply(c.replyTo(), check(withBuffered(s), c)));
    b.onCommand(RecordApproved.class, this::onApproved);
    b.onCommand(Flush.class, this::onFlush);
    b.onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), withBuffered(s)));
    return b.build();
  }

  private ReplyEffect<Event, State> onApproved(State s, RecordApproved c) {
    if (s.profile() == null) return Effect().noReply();
    buffered.merge(c.day(), c.amountFen(), Long::sum);
    if (!flushSent) {
      flushSent = true;
      self.tell(Flush.INSTANCE);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onFlush(State s, Flush f) {
    flushSent = false;
    if (buffered.isEmpty()) return Effect().noReply();
    List<Event> events = new ArrayList<>();
    buffered.forEach((day, fen) -> events.add(new Approved(fen, day)));
    buffered.clear();
    long start = System.nanoTime();
    return Effect()
        .persist(events)
        .thenRun(ns -> TerminalMetrics.merchantPersisted(start))
        .thenNoReply();
  }

  /** The state as checks see it: persisted, plus the approvals buffered for the next write. */
  private State withBuffered(State s) {
    State out = s;
    for (var e : buffered.entrySet()) out = apply(out, new Approved(e.getValue(), e.getKey()));
    return out;
  }

  private static final Set<String> LIMITED =
      Set.of(
          TransactionType.SALE.name(),
          TransactionType.COMPLETION.name(),
          TransactionType.COMPLETION_NOTICE.name(),
          TransactionType.QR_SALE.name());

  static CheckResult check(State s, Check c) {
    Profile p = s.profile();
    if (p == null) return new CheckResult(ResponseCode.INVALID_MERCHANT.code(), "merchant unknown");
    if (p.status() != Status.ACTIVE)
      return new CheckResult(
          ResponseCode.INVALID_MERCHANT.code(), "merchant " + p.status().name().toLowerCase());
    // allowed types and limits concern payments; a sign-on only needs an active merchant
    if (TransactionType.SIGN_ON.name().equals(c.type())) return new CheckResult(null, null);
    if (!p.allowedTypes().isEmpty() && !p.allowedTypes().contains(c.type())) {
      return new CheckResult(
          ResponseCode.NOT_PERMITTED_TO_TERMINAL.code(),
          c.type() + " not allowed for this merchant");
    }
    // limits bound the money a merchant takes in: voids and refunds give money back
    if (!LIMITED.contains(c.type())) return new CheckResult(null, null);
    if (p.singleLimitFen() > 0 && c.amountFen() > p.singleLimitFen()) {
      return new CheckResult(
          ResponseCode.EXCEEDS_LIMIT.code(), "amount above the single-transaction limit");
    }
    long today = c.day().equals(s.day()) ? s.dayApprovedFen() : 0;
    if (p.dailyLimitFen() > 0 && today + c.amountFen() > p.dailyLimitFen()) {
      return new CheckResult(ResponseCode.EXCEEDS_LIMIT.code(), "daily limit reached");
    }
    return new CheckResult(null, null);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return MerchantEntity::apply;
  }

  /** The event handler: recovery and the golden journals of the tests fold events with it. */
  static State apply(State s, Event event) {
    if (event instanceof Registered e) return new State(e.profile(), s.day(), s.dayApprovedFen());
    if (event instanceof StatusChanged e) {
      Profile p = s.profile();
      return new State(
          new Profile(
              p.merchantId(),
              p.name(),
              p.mcc(),
              e.status(),
              p.singleLimitFen(),
              p.dailyLimitFen(),
              p.allowedTypes()),
          s.day(),
          s.dayApprovedFen());
    }
    if (event instanceof Approved e) return apply(s, e);
    throw new IllegalStateException("no event handler for " + event.getClass().getName());
  }

  static State apply(State s, Approved e) {
    if (s.day() != null && e.day().isBefore(s.day())) return s; // a late approval of an earlier day
    return e.day().equals(s.day())
        ? new State(s.profile(), s.day(), s.dayApprovedFen() + e.amountFen())
        : new State(s.profile(), e.day(), e.amountFen());
  }
}
