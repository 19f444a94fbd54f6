package org.posp.node;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.Patterns;
import org.posp.terminal.TerminalEntity;
import org.posp.terminal.TerminalReplies;
import org.posp.terminal.TransactionKinds;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalFrame;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every front (TCP, TLS, HTTP) does with one request frame: unpack it, check what can be
 * checked without the terminal's keys, find the terminal's entity by 42 + 41, ask it, and frame its
 * reply (TPDU swapped, header echoed with the processing requirement).
 *
 * <p>The terminal network is hostile, so before anything reaches an entity: the MTI must be one a
 * terminal sends (docs/protocol/terminal.md §4; anything else cannot be answered and closes the
 * connection, see {@link UnanswerableFrame}), a body that cannot be unpacked is answered 30 (format
 * error), 41 and 42 must be digits and letters of their lengths (30), and the terminal must be
 * provisioned ({@link TerminalDirectory}; 97): an entity that is started is remembered, so an
 * unknown id never starts one. When the entity does not answer in time nothing is sent: the
 * terminal then reverses as it must, and the switch never contradicts an outcome that may still be
 * recorded.
 *
 * <p>Sharding delivers at most once: a message to a node that has just died, or buffered for a
 * shard being handed over, can be lost. The gateway therefore asks again after {@code
 * attemptTimeout}, until {@code askTimeout}, with the same delivery identifier: every request is
 * idempotent at the entity (a retransmission waits for or replays the first outcome; reversals and
 * settlements are idempotent), so a second ask never doubles a payment. The delivery identifier is
 * made here, one per received frame, and never comes from the frame: when the reply to a frame
 * cannot be delivered (its connection closed) the entity undoes an approval only if that frame is
 * the delivery that started the transaction, so a replay of a captured approved request never
 * reverses the approval that was delivered.
 */
public final class TerminalGateway {
  private static final Logger log = LoggerFactory.getLogger(TerminalGateway.class);
  private static final Pattern TERMINAL_ID = Pattern.compile("[0-9A-Za-z]{8}");
  private static final Pattern MERCHANT_ID = Pattern.compile("[0-9A-Za-z]{15}");

  /**
   * A frame that cannot be answered at all (its MTI is not one a terminal sends, so no reply MTI
   * exists): the TCP fronts close the connection, the HTTP front answers 400.
   */
  public static final class UnanswerableFrame extends RuntimeException {
    UnanswerableFrame(String message) {
      super(message, null, false, false);
    }
  }

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Duration attemptTimeout;
  private final ActorSystem<?> system;
  private final BooleanSupplier databaseDown;
  private final Function<String, CompletionStage<TerminalDirectory.Known>> directory;

  public TerminalGateway(
      ActorSystem<?> system,
      Duration askTimeout,
      Duration attemptTimeout,
      BooleanSupplier databaseDown) {
    this(
        system,
        askTimeout,
        attemptTimeout,
        databaseDown,
        id -> CompletableFuture.completedFuture(TerminalDirectory.Known.YES));
  }

  TerminalGateway(
      ActorSystem<?> system,
      Duration askTimeout,
      Duration attemptTimeout,
      BooleanSupplier databaseDown,
      TerminalDirectory directory) {
    this(system, askTimeout, attemptTimeout, databaseDown, directory::lookup);
  }

  private TerminalGateway(
      ActorSystem<?> system,
      Duration askTimeout,
      Duration attemptTimeout,
      BooleanSupplier databaseDown,
      Function<String, CompletionStage<TerminalDirectory.Known>> directory) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.attemptTimeout = attemptTimeout;
    this.databaseDown = databaseDown;
    this.directory = directory;
  }

  /** How long a request waits for its entity's answer, re-asks included. */
  public Duration askTimeout() {
    return askTimeout;
  }

  /**
   * Handles one frame (TPDU + header + body, no LEN); the stage holds the reply frame, or nothing.
   */
  public CompletionStage<Optional<TerminalFrame>> handle(TerminalFrame frame, String peer) {
    return handle(frame, peer, () -> false);
  }

  /**
   * As {@link #handle(TerminalFrame, String)}; when {@code connectionClosed} is true by the time an
   * approval comes back, the reply cannot be delivered and the entity is told so (it reverses the
   * approval when this frame is the delivery that started it). The stage fails with {@link
   * UnanswerableFrame} for a frame that cannot be answered.
   */
  public CompletionStage<Optional<TerminalFrame>> handle(
      TerminalFrame frame, String peer, BooleanSupplier connectionClosed) {
    return handle(frame, peer, connectionClosed, null);
  }

  /**
   * As {@link #handle(TerminalFrame, String, BooleanSupplier)} for a connection whose client
   * certificate names the terminal {@code certifiedTerminal} ({@code <42>:<41>}, null when the
   * connection has no certificate): a request of any other terminal is refused A0.
   */
  public CompletionStage<Optional<TerminalFrame>> handle(
      TerminalFrame frame,
      String peer,
      BooleanSupplier connectionClosed,
      String certifiedTerminal) {
    long start = System.nanoTime();
    SwitchMetrics.requestStarted();
    String mti = mtiOf(frame.body());
    if (!TransactionType.isRequestMti(mti)) {
      log.warn(
          "frame from {} with MTI {}: not a terminal request, cannot be answered",
          peer,
          LogSafe.of(mti));
      SwitchMetrics.requestEnded("FORMAT_ERROR", null, start);
      return CompletableFuture.failedFuture(
          new UnanswerableFrame("MTI " + LogSafe.of(mti) + " is not a request"));
    }
    TerminalMessage msg;
    try {
      msg = TerminalCodec.unpack(frame.body());
    } catch (TerminalFormatException e) {
      log.warn("format error from {}: {}", peer, LogSafe.of(e.getMessage()));
      Optional<TerminalFrame> reply = formatErrorReply(frame, mti);
      SwitchMetrics.requestEnded(
          "FORMAT_ERROR", reply.isPresent() ? ResponseCode.FORMAT_ERROR.code() : null, start);
      return CompletableFuture.completedFuture(reply);
    }
    String type = SwitchMetrics.type(msg);
    String delivery = TerminalEntity.newDelivery();
    return answer(frame, msg, peer, connectionClosed, delivery, certifiedTerminal)
        .handle(
            (res, err) -> {
              boolean sent = err == null && res != null && res.body() != null;
              SwitchMetrics.requestEnded(type, sent ? res.responseCode() : null, start);
              if (err != null) {
                log.error(
                    "terminal request {} from {} failed: {}", msg.mti(), peer, err.toString());
                return Optional.<TerminalFrame>empty();
              }
              return sent
                  ? Optional.of(frame.reply(res.body(), res.processingRequirement()))
                  : Optional.<TerminalFrame>empty();
            });
  }

  /**
   * The reply to a request that could be unpacked: its body (null = nothing to send) and field 39.
   */
  private CompletionStage<TerminalEntity.TerminalResponse> answer(
      TerminalFrame frame,
      TerminalMessage msg,
      String peer,
      BooleanSupplier connectionClosed,
      String delivery,
      String certifiedTerminal) {
    String tid = msg.has(41) ? msg.get(41) : null;
    String mid = msg.has(42) ? msg.get(42) : null;
    if (tid == null
        || mid == null
        || !TERMINAL_ID.matcher(tid).matches()
        || !MERCHANT_ID.matcher(mid).matches()) {
      log.warn(
          "request {} from {} with 41 {} / 42 {}: not a terminal and merchant id",
          msg.mti(),
          peer,
          LogSafe.of(tid),
          LogSafe.of(mid));
      return refused(msg, ResponseCode.FORMAT_ERROR);
    }
    String entityId = TerminalEntity.entityId(mid, tid);
    if (certifiedTerminal != null && !certifiedTerminal.equals(entityId)) {
      log.warn(
          "request {} from {} for terminal {} on a connection certified for {}: refused A0",
          msg.mti(),
          peer,
          entityId,
          LogSafe.of(certifiedTerminal));
      return refused(msg, ResponseCode.MAC_ERROR);
    }
    return directory
        .apply(entityId)
        .thenCompose(
            known ->
                switch (known) {
                  case YES -> ask(frame, msg, peer, connectionClosed, delivery, entityId);
                  case NO -> {
                    log.info(
                        "request {} from {} for terminal {}: not provisioned",
                        msg.mti(),
                        peer,
                        entityId);
                    yield refused(msg, ResponseCode.TERMINAL_NOT_PROVISIONED);
                  }
                  case UNAVAILABLE -> refused(msg, ResponseCode.SYSTEM_ERROR);
                });
  }

  private CompletionStage<TerminalEntity.TerminalResponse> ask(
      TerminalFrame frame,
      TerminalMessage msg,
      String peer,
      BooleanSupplier connectionClosed,
      String delivery,
      String entityId) {
    var ref = sharding.entityRefFor(TerminalEntity.TYPE_KEY, entityId);
    if (databaseDown.getAsBoolean())
      return CompletableFuture.completedFuture(databaseDownReply(frame, msg, ref, delivery));
    long deadline = System.nanoTime() + askTimeout.toNanos();
    return attempt(frame, msg, ref, deadline, delivery)
        .thenApply(
            res -> {
              if (res == null) {
                log.warn(
                    "terminal {}: no answer to {} within {} ms; nothing sent",
                    entityId,
                    msg.mti(),
                    askTimeout.toMillis());
                return TerminalEntity.TerminalResponse.none();
              }
              if (res.body() != null && connectionClosed.getAsBoolean())
                undelivered(ref, frame.body(), res, delivery, peer);
              return res;
            });
  }

  /**
   * Asks the entity; when an attempt times out, answers 96 if the database is down meanwhile (the
   * entity cannot record anything), else asks again until the deadline. Completes with null at the
   * deadline.
   */
  private CompletionStage<TerminalEntity.TerminalResponse> attempt(
      TerminalFrame frame,
      TerminalMessage msg,
      EntityRef<TerminalEntity.Command> ref,
      long deadline,
      String delivery) {
    return ref.<TerminalEntity.TerminalResponse>ask(
            replyTo -> new TerminalEntity.HandleRequest(frame.body(), replyTo, delivery),
            attemptTimeout)
        .handle(
            (res, err) -> {
              if (err == null) return CompletableFuture.completedFuture(res);
              if (databaseDown.getAsBoolean()) {
                return CompletableFuture.completedFuture(
                    databaseDownReply(frame, msg, ref, delivery));
              }
              if (System.nanoTime() + attemptTimeout.toNanos() / 2 > deadline) {
                return CompletableFuture.<TerminalEntity.TerminalResponse>completedFuture(null);
              }
              return attempt(frame, msg, ref, deadline, delivery);
            })
        .thenCompose(x -> x);
  }

  /**
   * While the journal database is down nothing can be recorded, so nothing is sent upstream: the
   * request is answered 96 at once. It may be the delivery whose approval was recorded just before
   * the outage, and a reversal (0400) answered 96 ends the terminal's retries: in both cases the
   * entity is told, as soon as it can write, that this delivery got 96. The entity acts on it only
   * for an authenticated request (MAC) matching what it recorded, and for a financial request only
   * when this delivery started the transaction: an unauthenticated frame never schedules anything.
   */
  private TerminalEntity.TerminalResponse databaseDownReply(
      TerminalFrame frame,
      TerminalMessage msg,
      EntityRef<TerminalEntity.Command> ref,
      String delivery) {
    if (TransactionKinds.undoable(msg)) compensateLater(ref, frame.body(), delivery);
    return TerminalReplies.refusedAtFront(msg, ResponseCode.SYSTEM_ERROR);
  }

  /**
   * Tells the entity, until it acknowledges (the database may be down for a while), that the
   * terminal did not get the outcome of this delivery.
   */
  private void compensateLater(
      EntityRef<TerminalEntity.Command> ref, byte[] body, String delivery) {
    Patterns.retry(
            () ->
                ref.<Done>ask(
                    r -> new TerminalEntity.ReplyUndelivered(body, delivery, r),
                    Duration.ofSeconds(5)),
            360,
            Duration.ofSeconds(5),
            system)
        .whenComplete(
            (d, e) -> {
              if (e != null)
                log.error(
                    "could not tell {} that a request was answered 96: {}",
                    ref.getEntityId(),
                    e.getMessage());
            });
  }

  /**
   * An approval whose connection is gone: the entity decides whether this delivery's approval is
   * undone.
   */
  private static void undelivered(
      EntityRef<TerminalEntity.Command> ref,
      byte[] requestBody,
      TerminalEntity.TerminalResponse res,
      String delivery,
      String peer) {
    try {
      TerminalMessage req = TerminalCodec.unpack(requestBody);
      if (!ResponseCode.APPROVED.is(res.responseCode())
          || !TransactionKinds.reversedByTerminalOnTimeout(req)) return;
      log.warn(
          "approval for {} could not be delivered: connection {} closed", ref.getEntityId(), peer);
      ref.tell(new TerminalEntity.ReplyUndelivered(requestBody, delivery));
    } catch (TerminalFormatException | RuntimeException e) {
      log.warn("cannot tell whether an undelivered reply needs a reversal: {}", e.getMessage());
    }
  }

  /** The front's refusal of a request, answered at once (docs/protocol/terminal.md §5.10). */
  private static CompletionStage<TerminalEntity.TerminalResponse> refused(
      TerminalMessage msg, ResponseCode code) {
    return CompletableFuture.completedFuture(TerminalReplies.refusedAtFront(msg, code));
  }

  /** The MTI of a body as four hex digits (BCD), or null when it has fewer than two bytes. */
  static String mtiOf(byte[] body) {
    return body.length < 2 ? null : String.format("%02X%02X", body[0], body[1]);
  }

  private static Optional<TerminalFrame> formatErrorReply(TerminalFrame frame, String mti) {
    try {
      TerminalEntity.TerminalResponse res =
          TerminalReplies.refusedAtFront(
              TerminalMessage.builder(mti).build(), ResponseCode.FORMAT_ERROR);
      return Optional.of(frame.reply(res.body(), res.processingRequirement()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
