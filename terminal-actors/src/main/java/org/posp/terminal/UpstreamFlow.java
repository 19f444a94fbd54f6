package org.posp.terminal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardOperation;
import org.posp.security.HsmException;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TransactionType;

/**
 * What comes back from upstream and what the switch sends by itself: the outcome of a recorded
 * transaction (approved, declined, not sent, or unknown and then reversed), the store-and-forward
 * reversals (冲正) with their retries, and after a recovery the transactions interrupted before their
 * outcome (reversed) and the reversals still pending (sent again).
 */
final class UpstreamFlow {
  private final TerminalDecider.Env env;

  UpstreamFlow(TerminalDecider.Env env) {
    this.env = env;
  }

  Decision onOutcome(TerminalState s, TerminalDecider.UpstreamAnswered in) {
    Optional<Txn> found = s.txn(in.key());
    if (found.isEmpty() || found.get().status() != TxnStatus.PENDING) {
      return Decision.builder().then(new Decision.Release(in.key())).build();
    }
    Txn t = found.get();
    Decision.Builder d = Decision.builder();
    CardBusResult res = in.result();
    // the outcome leaves the transaction approved (counted by the merchant) or with a reversal
    // pending
    boolean approved = false;
    boolean reversing = false;
    if (res instanceof CardBusResult.Answered a) {
      boolean hostApproved = TerminalCodes.approved(a);
      d.persist(
          hostApproved
              ? new TerminalEvent.TxnApproved(
                  t.key(), a.approvalCode(), a.settlementDate(), a.endpoint())
              : new TerminalEvent.TxnDeclined(t.key(), TerminalCodes.of(a), a.endpoint()));
      reversing = hostApproved && in.terminalGaveUp();
      approved = hostApproved && !reversing;
      if (reversing) {
        // the terminal gave up on it while it was upstream: approved, and reversed at once
        d.persist(ReversalFlow.newReversal(env, t.key(), ResponseCode.ERROR.code()));
        d.warn(
            t.type() + " rrn " + t.rrn() + " approved after the terminal gave up on it: reversing");
      }
    } else if (res instanceof CardBusResult.NotSent n) {
      d.persist(new TerminalEvent.TxnDeclined(t.key(), TerminalCodes.of(n).code(), n.endpoint()));
      d.warn(t.type() + " rrn " + t.rrn() + " not sent upstream: " + n.describe());
    } else {
      reversing = true;
      d.persist(new TerminalEvent.TxnUnanswered(t.key(), res.endpoint()))
          .persist(ReversalFlow.newReversal(env, t.key(), ResponseCode.NO_UPSTREAM_REPLY.code()));
      d.warn(t.type() + " rrn " + t.rrn() + " timed out at " + res.endpoint() + ": reversing");
    }
    if (approved && t.type() == TransactionType.SALE) {
      d.then(
          new Decision.RecordApproved(
              s.merchantId(), t.rrn(), t.amountFen(), env.now().toLocalDate()));
    }
    if (reversing) d.then(new Decision.TriggerReversal(t.key()));
    return d.then(new Decision.Release(t.key())).build();
  }

  /**
   * Sends the next attempt of a pending reversal (2420, then 2421 repeats with the same STAN and
   * time).
   */
  Decision onReversalDue(TerminalState s, TerminalDecider.ReversalDue in) {
    Optional<Txn> found = s.txn(in.key()).filter(Txn::reversalPending);
    if (found.isEmpty()) return Decision.NONE;
    Txn t = found.get();
    Decision.Builder d = Decision.builder();
    String pan = null;
    String expiry = null;
    try {
      String[] parts =
          new String(
                  env.hsm()
                      .decryptData(t.cardEnc(), FinancialFlow.cardBinding(env.entityId(), t.key())),
                  StandardCharsets.US_ASCII)
              .split("\\|", -1);
      pan = parts[0];
      expiry = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
    } catch (HsmException ex) {
      d.note(
          Decision.Level.ERROR,
          "cannot decrypt the card of " + t.key() + " for its reversal: " + ex.getMessage());
    }
    CardOperation reversed = TransactionKinds.reversedOperation(t.type());
    String origMti = reversed.mti();
    CardBusRequest up =
        CardBusRequest.builder(CardOperation.REVERSAL)
            .originalOperation(reversed)
            .ids(t.rrn(), t.reversal().stan(), t.reversal().localDateTime())
            .amountFen(t.amountFen())
            .card(pan, expiry, null, null)
            .terminal(s.terminalId(), s.merchantId())
            .original(
                new CardBusRequest.OriginalData(
                    origMti, t.upstreamStan(), t.localDateTime(), env.settings().acquirerId()))
            .repeat(in.attempts() > 0)
            .build();
    return d.then(new Decision.SendReversal(t.key(), up)).build();
  }

  /** Acknowledged (4000): recorded; anything else: retried with a doubling delay up to the cap. */
  Decision onReversalAnswered(TerminalState s, TerminalDecider.ReversalAnswered in) {
    Optional<Txn> found = s.txn(in.key()).filter(Txn::reversalPending);
    if (found.isEmpty()) return Decision.NONE;
    if (in.result() instanceof CardBusResult.Answered a && "4000".equals(a.actionCode())) {
      return Decision.builder()
          .then(new Decision.ReversalSettled(in.key()))
          .persist(new TerminalEvent.ReversalCompleted(in.key()))
          .info("reversal of rrn " + found.get().rrn() + " acknowledged by " + a.endpoint())
          .build();
    }
    int attempts = Math.max(1, in.attempts());
    Duration first = env.settings().reversalFirstRetry();
    Duration max = env.settings().reversalMaxBackoff();
    long ms = Math.min(max.toMillis(), first.toMillis() * (1L << Math.min(10, attempts - 1)));
    return Decision.builder()
        .then(new Decision.RetryReversal(in.key(), Duration.ofMillis(ms)))
        .warn(
            "reversal of rrn "
                + found.get().rrn()
                + " not acknowledged ("
                + describe(in.result())
                + "), attempt "
                + attempts
                + ", next in "
                + ms
                + " ms")
        .build();
  }

  /** After recovery: unknown outcomes become reversals, pending reversals are sent again. */
  Decision onRecovered(TerminalState s, TerminalDecider.Recovered in) {
    Decision.Builder d = Decision.builder();
    List<TerminalEvent> events = new ArrayList<>();
    for (Txn t : s.txns().values()) {
      if (t.status() == TxnStatus.PENDING && !in.inFlight().contains(t.key())) {
        d.warn(t.type() + " rrn " + t.rrn() + " was interrupted before its outcome: reversing");
        events.add(new TerminalEvent.TxnUnanswered(t.key(), null));
        events.add(ReversalFlow.newReversal(env, t.key(), ResponseCode.NO_UPSTREAM_REPLY.code()));
      }
    }
    d.persist(events);
    for (Txn t : TerminalEvents.applyAll(s, events).txns().values()) {
      if (t.reversalPending()) d.then(new Decision.TriggerReversal(t.key()));
    }
    return d.build();
  }

  static String describe(CardBusResult r) {
    if (r instanceof CardBusResult.Answered a) return "answered " + a.actionCode();
    if (r instanceof CardBusResult.NotSent n) return "not sent: " + n.describe();
    return "timed out";
  }
}
