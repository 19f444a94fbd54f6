package org.posp.terminal;

import java.util.Optional;
import org.posp.terminal.TerminalDecider.Request;
import org.posp.terminal.TerminalDecider.Undelivered;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.Field60;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * A front could not deliver the outcome of one delivery of a request (the connection closed first,
 * or the node answered 96 by itself while the database was down). Only an authenticated request
 * (valid MAC) whose content matches the recorded intent and whose delivery started the transaction
 * is acted on: its approval is reversed (after its outcome, when still in flight); an authenticated
 * request never recorded is remembered as reversed before seen; a reversal answered 96 has its
 * original reversed.
 */
final class UndeliveredFlow {
  private final TerminalDecider.Env env;

  UndeliveredFlow(TerminalDecider.Env env) {
    this.env = env;
  }

  Decision decide(TerminalState s, Undelivered in) {
    TerminalMessage m;
    try {
      m = TerminalCodec.unpack(in.body());
    } catch (TerminalFormatException ex) {
      return ignored(in, "unparseable request: " + ex.getMessage());
    }
    Optional<TransactionType> type = TransactionType.classify(m);
    Field60 f60 = RequestContext.field60(m);
    if (type.isEmpty() || f60 == null || !m.has(11) || !s.signedOn()) {
      return ignored(in, "not a financial request of a signed-on terminal");
    }
    Request r = new Request(m, in.body(), type.get(), null, env.now(), in.delivery());
    if (type.get() == TransactionType.REVERSAL) return reversalUndelivered(s, in, r, f60);
    if (!type.get().terminalReversesOnTimeout())
      return ignored(in, "nothing to undo for " + type.get());
    String key = TxnKeys.of(m.mti(), f60.batch(), m.get(11));
    Optional<Txn> recorded = s.txn(key);
    if (recorded.isEmpty()) {
      if (!RequestContext.macValid(env, s, r, s.keys().mak())) {
        return ignored(in, key + ": unknown and MAC missing or wrong");
      }
      // an authenticated request the entity has not recorded (answered 96 while the database was
      // down): it may still arrive (held in a mailbox during a restart); it is refused then
      return rememberReversedBeforeSeen(s, in, TxnKeys.batchAndStan(f60.batch(), m.get(11)));
    }
    Txn t = recorded.get();
    if (!t.requestHash().equals(RequestContext.requestHash(env, r))) {
      return ignored(in, key + ": other content than recorded");
    }
    if (t.origin() != null && !t.origin().equals(in.delivery())) {
      // a retransmission or replay: the delivery that started the transaction decides, not this one
      return ignored(in, key + ": not the delivery that started it");
    }
    if (!RequestContext.authenticatedFor(env, s, r, t))
      return ignored(in, key + ": MAC missing or wrong");
    return undo(
        in,
        t,
        ResponseCode.ERROR.code(),
        "approval rrn " + t.rrn() + " could not be delivered: reversing");
  }

  /**
   * A reversal answered 96 by the node (database down): its original is reversed once the entity
   * can write.
   */
  private Decision reversalUndelivered(TerminalState s, Undelivered in, Request r, Field60 f60) {
    if (!RequestContext.macValid(env, s, r, s.keys().mak()))
      return ignored(in, "reversal: MAC missing or wrong");
    Optional<Txn> orig = s.txnByStan(f60.batch(), r.msg().get(11));
    if (orig.isEmpty()) {
      if (!f60.batch().equals(s.batchNo())) return ignored(in, "reversal of a closed batch");
      return rememberReversedBeforeSeen(s, in, TxnKeys.batchAndStan(f60.batch(), r.msg().get(11)));
    }
    Txn t = orig.get();
    String reason = r.msg().has(39) ? r.msg().get(39) : ResponseCode.ERROR.code();
    return undo(
        in, t, reason, "reversal of rrn " + t.rrn() + " was answered 96 by the node: reversing");
  }

  /**
   * Reverses {@code t} when approved; when still in flight, once approved (not acknowledged
   * meanwhile: the sender asks again until the outcome is in and undone).
   */
  private Decision undo(Undelivered in, Txn t, String reason, String why) {
    if (t.status() == TxnStatus.PENDING)
      return Decision.builder().then(new Decision.ReverseWhenDone(t.key())).build();
    if (t.status() != TxnStatus.APPROVED)
      return ignored(in, t.key() + ": " + t.status() + ", nothing to undo");
    return Decision.builder()
        .persist(ReversalFlow.newReversal(env, t.key(), reason))
        .then(new Decision.TriggerReversal(t.key()))
        .then(new Decision.Acknowledge(in.replyTo()))
        .warn(why)
        .build();
  }

  private Decision rememberReversedBeforeSeen(TerminalState s, Undelivered in, String ref) {
    Decision.Builder d = Decision.builder();
    if (!s.reversedBeforeSeen().contains(ref)) d.persist(new TerminalEvent.ReversedBeforeSeen(ref));
    return d.then(new Decision.Acknowledge(in.replyTo())).build();
  }

  private Decision ignored(Undelivered in, String why) {
    return Decision.builder()
        .then(new Decision.Acknowledge(in.replyTo()))
        .info("undelivered reply not acted on: " + why)
        .build();
  }
}
