package org.posp.terminal;

import java.util.Optional;
import org.posp.terminal.TerminalDecider.Request;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalMessage;

/**
 * A terminal's reversal (冲正, 0400) of a request whose reply it did not get: the original (60.2 +
 * 11) approved and not reversed is reversed upstream, store-and-forward, and the reply is 00; an
 * original declined or already reversed is answered 00 with nothing else; one in flight is waited
 * for; one not seen yet is remembered, so that it is refused if it still arrives. Idempotent.
 */
final class ReversalFlow {
  private final TerminalDecider.Env env;

  ReversalFlow(TerminalDecider.Env env) {
    this.env = env;
  }

  Decision decide(RequestContext c) {
    TerminalState s = c.state;
    String batch = c.f60().batch();
    Optional<Txn> orig = s.txnByStan(batch, c.stan());
    boolean settledApproval =
        orig.isPresent()
            && orig.get().status() == TxnStatus.APPROVED
            && orig.get().reversal() == null;
    if ((orig.isEmpty() || settledApproval) && !batch.equals(s.batchNo())) {
      // a closed (settled) batch, or one never opened: its transactions were settled as the
      // terminal and the switch counted them; nothing is reversed, the terminal is told so (77, as
      // every financial request of a closed batch), and operators handle it as a refund or a
      // settlement difference
      return c.reject(
              ResponseCode.SIGN_ON_AGAIN, "reversal of batch " + batch + ", which is not open")
          .withNote(
              Decision.Note.warn(
                  "reversal of stan "
                      + c.stan()
                      + " in batch "
                      + batch
                      + ", open batch is "
                      + s.batchNo()
                      + ": refused 77, nothing reversed"));
    }
    if (orig.isEmpty()) {
      // remembered: if the original still arrives (delayed by a failover), it is refused
      String ref = TxnKeys.batchAndStan(batch, c.stan());
      if (s.reversedBeforeSeen().contains(ref))
        return nothingToReverse(c.request, null, "original unknown, already remembered");
      return Decision.builder()
          .persist(new TerminalEvent.ReversedBeforeSeen(ref))
          .reply(new Decision.ToTerminal(c.request, reply(c.request, null), true))
          .info("reversal of stan " + c.stan() + " before its original was seen: remembered")
          .build();
    }
    Txn t = orig.get();
    if (t.status() == TxnStatus.PENDING) return TerminalDecider.park(t.key(), c.request);
    if (t.status() != TxnStatus.APPROVED)
      return nothingToReverse(c.request, t, "original " + t.status());
    String reason = c.msg().has(39) ? c.msg().get(39) : ResponseCode.ERROR.code();
    return Decision.builder()
        .persist(newReversal(env, t.key(), reason))
        .then(new Decision.TriggerReversal(t.key()))
        .reply(new Decision.ToTerminal(c.request, reply(c.request, t), true))
        .build();
  }

  private Decision nothingToReverse(Request r, Txn t, String why) {
    return TerminalDecider.reply(r, reply(r, t), true)
        .withNote(
            Decision.Note.info(
                "reversal of stan " + r.msg().get(11) + ": " + why + ", nothing to reverse"));
  }

  private TerminalMessage reply(Request r, Txn t) {
    TerminalMessage.Builder b =
        TerminalReplies.base(r.msg(), ResponseCode.APPROVED, r.receivedAt());
    String acq = env.settings().acquirerId();
    if (r.msg().has(2)) b.set(2, r.msg().get(2));
    b.set(15, UpstreamTimes.of(r.receivedAt()).date());
    b.set(32, acq);
    if (t != null && t.rrn() != null) b.set(37, t.rrn());
    b.set(44, TerminalReplies.pad(acq, 11) + TerminalReplies.pad(acq, 11));
    return b.build();
  }

  /**
   * A new store-and-forward reversal of {@code key} with its own upstream STAN and time, kept for
   * every repeat.
   */
  static TerminalEvent.ReversalRequested newReversal(
      TerminalDecider.Env env, String key, String reason) {
    var id = env.ids().next();
    return new TerminalEvent.ReversalRequested(
        key, reason, id.stan(), env.now().format(UpstreamTimes.UPSTREAM), env.clock().instant());
  }
}
