package org.posp.node;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.posp.terminal.TerminalEntity;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalFrame;
import org.posp.terminal.codec.TerminalMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every front (TCP, TLS, HTTP) does with one request frame: unpack it, find the terminal's entity
 * by 42 + 41, ask it, and frame its reply (TPDU swapped, header echoed with the processing
 * requirement). A request that cannot be unpacked is answered 30 (format error) when its MTI is
 * readable. When the entity does not answer in time nothing is sent: the terminal then reverses as it
 * must, and the switch never contradicts an outcome that may still be recorded.
 *
 * <p>Sharding delivers at most once: a message to a node that has just died, or buffered for a shard
 * being handed over, can be lost. The gateway therefore asks again after {@code attemptTimeout}, until
 * {@code askTimeout}: every request is idempotent at the entity (a retransmission waits for or replays
 * the first outcome; reversals and settlements are idempotent), so a second ask never doubles a payment.
 */
public final class TerminalGateway {
  private static final Logger log = LoggerFactory.getLogger(TerminalGateway.class);

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Duration attemptTimeout;
  private final ActorSystem<?> system;

  private final java.util.function.BooleanSupplier databaseDown;

  public TerminalGateway(ActorSystem<?> system, Duration askTimeout, Duration attemptTimeout,
      java.util.function.BooleanSupplier databaseDown) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.attemptTimeout = attemptTimeout;
    this.databaseDown = databaseDown;
  }

  /** Handles one frame (TPDU + header + body, no LEN); the stage holds the reply frame, or nothing. */
  public CompletionStage<Optional<TerminalFrame>> handle(TerminalFrame frame, String peer) {
    return handle(frame, peer, () -> false);
  }

  /**
   * As {@link #handle(TerminalFrame, String)}; when {@code connectionClosed} is true by the time an
   * approval comes back, the reply cannot be delivered and the entity is told to reverse it (the
   * terminal never saw the 00).
   */
  public CompletionStage<Optional<TerminalFrame>> handle(TerminalFrame frame, String peer,
      java.util.function.BooleanSupplier connectionClosed) {
    long start = System.nanoTime();
    SwitchMetrics.requestStarted();
    TerminalMessage msg;
    try {
      msg = TerminalCodec.unpack(frame.body());
    } catch (TerminalFormatException e) {
      log.warn("format error from {}: {}", peer, e.getMessage());
      Optional<TerminalFrame> reply = formatErrorReply(frame);
      SwitchMetrics.requestEnded("FORMAT_ERROR", reply.isPresent() ? "30" : null, start);
      return CompletableFuture.completedFuture(reply);
    }
    String type = SwitchMetrics.type(msg);
    return answer(frame, msg, peer, connectionClosed).handle((res, err) -> {
      boolean sent = err == null && res != null && res.body() != null;
      SwitchMetrics.requestEnded(type, sent ? res.responseCode() : null, start);
      if (err != null) {
        log.error("terminal request {} from {} failed: {}", msg.mti(), peer, err.toString());
        return Optional.<TerminalFrame>empty();
      }
      return sent ? Optional.of(frame.reply(res.body(), res.processingRequirement())) : Optional.<TerminalFrame>empty();
    });
  }

  /** The reply to a request that could be unpacked: its body (null = nothing to send) and field 39. */
  private CompletionStage<TerminalEntity.TerminalResponse> answer(TerminalFrame frame, TerminalMessage msg, String peer,
      java.util.function.BooleanSupplier connectionClosed) {
    if (!msg.has(41) || !msg.has(42)) {
      log.warn("request {} from {} without 41/42", msg.mti(), peer);
      return CompletableFuture.completedFuture(new TerminalEntity.TerminalResponse(reject(msg, "30"), 0, "30"));
    }
    String entityId = TerminalEntity.entityId(msg.get(42).trim(), msg.get(41).trim());
    var ref = sharding.entityRefFor(TerminalEntity.TYPE_KEY, entityId);
    if (databaseDown.getAsBoolean()) return CompletableFuture.completedFuture(databaseDownReply(msg, ref));
    long deadline = System.nanoTime() + askTimeout.toNanos();
    return attempt(frame.body(), msg, ref, deadline).thenApply(res -> {
      if (res == null) {
        log.warn("terminal {}: no answer to {} within {} ms; nothing sent", entityId, msg.mti(), askTimeout.toMillis());
        return TerminalEntity.TerminalResponse.none();
      }
      if (res.body() != null && connectionClosed.getAsBoolean()) undelivered(ref, msg, res.body(), peer);
      return res;
    });
  }

  /**
   * Asks the entity; when an attempt times out, answers 96 if the database is down meanwhile (the entity
   * cannot record anything), else asks again until the deadline. Completes with null at the deadline.
   */
  private CompletionStage<TerminalEntity.TerminalResponse> attempt(byte[] body, TerminalMessage msg,
      org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<TerminalEntity.Command> ref, long deadline) {
    return ref.<TerminalEntity.TerminalResponse>ask(
            replyTo -> new TerminalEntity.HandleRequest(body, replyTo), attemptTimeout)
        .handle((res, err) -> {
          if (err == null) return CompletableFuture.completedFuture(res);
          if (databaseDown.getAsBoolean()) return CompletableFuture.completedFuture(databaseDownReply(msg, ref));
          if (System.nanoTime() + attemptTimeout.toNanos() / 2 > deadline) {
            return CompletableFuture.<TerminalEntity.TerminalResponse>completedFuture(null);
          }
          return attempt(body, msg, ref, deadline);
        })
        .thenCompose(x -> x);
  }

  /**
   * While the journal database is down nothing can be recorded, so nothing is sent upstream: the request
   * is answered 96 at once. It may be the retransmission of an approval whose reply was lost, and a
   * reversal (0400) answered 96 ends the terminal's retries: in both cases the entity is told to reverse
   * the transaction as soon as it can write.
   */
  private TerminalEntity.TerminalResponse databaseDownReply(TerminalMessage msg,
      org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<TerminalEntity.Command> ref) {
    compensateLater(ref, msg.mti().equals("0400") ? reversedKey(msg) : txnKey(msg));
    return new TerminalEntity.TerminalResponse(reject(msg, "96"), 0, "96");
  }

  /**
   * Tells the entity, until it acknowledges (the database may be down for a while), that the terminal
   * did not get the outcome of this request: an approval recorded before the outage is reversed.
   */
  private void compensateLater(org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<TerminalEntity.Command> ref,
      String key) {
    if (key == null) return;
    org.apache.pekko.pattern.Patterns.retry(
        () -> ref.<org.apache.pekko.Done>ask(r -> new TerminalEntity.ReplyUndelivered(key, r), Duration.ofSeconds(5)),
        360, Duration.ofSeconds(5), system)
        .whenComplete((d, e) -> {
          if (e != null) log.error("could not tell {} that {} was answered 96: {}", ref.getEntityId(), key, e.getMessage());
        });
  }

  /** The entity's transaction key of a financial request the terminal reverses on timeout, else null. */
  static String txnKey(TerminalMessage req) {
    try {
      var type = org.posp.terminal.codec.TransactionType.classify(req);
      if (type.isEmpty() || !type.get().terminalReversesOnTimeout()
          || type.get() == org.posp.terminal.codec.TransactionType.REVERSAL) {
        return null;
      }
      String batch = org.posp.terminal.codec.Field60.parse(req.get(60)).batch();
      return TerminalEntity.txnKey(req.mti(), batch, req.get(11));
    } catch (TerminalFormatException | RuntimeException e) {
      return null;
    }
  }

  /** The entity's key of the transaction a reversal (0400) names, else null. */
  static String reversedKey(TerminalMessage reversal) {
    try {
      var type = org.posp.terminal.codec.TransactionType.reversedType(reversal);
      if (type.isEmpty()) return null;
      String batch = org.posp.terminal.codec.Field60.parse(reversal.get(60)).batch();
      return TerminalEntity.txnKey(type.get().requestMti(), batch, reversal.get(11));
    } catch (TerminalFormatException | RuntimeException e) {
      return null;
    }
  }

  /** An approved financial reply whose connection is gone: the entity reverses it. */
  private static void undelivered(org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<TerminalEntity.Command> ref,
      TerminalMessage req, byte[] replyBody, String peer) {
    try {
      TerminalMessage reply = TerminalCodec.unpack(replyBody);
      String key = txnKey(req);
      if (!"00".equals(reply.get(39)) || key == null) return;
      log.warn("approval {} for {} could not be delivered: connection {} closed", key, ref.getEntityId(), peer);
      ref.tell(new TerminalEntity.ReplyUndelivered(key));
    } catch (TerminalFormatException | RuntimeException e) {
      log.warn("cannot tell whether an undelivered reply needs a reversal: {}", e.getMessage());
    }
  }

  private static Optional<TerminalFrame> formatErrorReply(TerminalFrame frame) {
    byte[] b = frame.body();
    if (b.length < 2) return Optional.empty();
    String mti = String.format("%02X%02X", b[0], b[1]);
    if (!mti.matches("0[1-8][0-9]0")) return Optional.empty();
    try {
      return Optional.of(frame.reply(reject(TerminalMessage.builder(mti).build(), "30"), 0));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static byte[] reject(TerminalMessage req, String code) {
    int mti = Integer.parseInt(req.mti()) + 10;
    TerminalMessage.Builder b = TerminalMessage.builder(String.format("%04d", mti));
    for (int f : new int[] {3, 4, 11, 25, 41, 42, 49}) {
      if (req.has(f)) b.set(f, req.get(f));
    }
    b.set(39, code);
    try {
      return TerminalCodec.pack(b.build());
    } catch (TerminalFormatException e) {
      throw new IllegalStateException("cannot pack a " + code + " reply: " + e.getMessage(), e);
    }
  }
}
