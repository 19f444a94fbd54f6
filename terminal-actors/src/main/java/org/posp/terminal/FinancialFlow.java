package org.posp.terminal;

import java.nio.charset.StandardCharsets;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardOperation;
import org.posp.terminal.TerminalDecider.Request;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalMessage;

/**
 * A card transaction once its steps passed: its intent is recorded (the transaction, pending)
 * before anything leaves the node, then it goes upstream; the request waits for the outcome. A
 * balance inquiry records nothing and is answered with the card bus's answer.
 */
final class FinancialFlow {
  private final TerminalDecider.Env env;

  FinancialFlow(TerminalDecider.Env env) {
    this.env = env;
  }

  Decision start(RequestContext c, TransactionKinds.Kind kind) {
    Request r = c.request;
    TerminalMessage m = c.msg();
    String key = c.key();
    CardData card = c.card();
    UpstreamIds.UpstreamId id = env.ids().next();
    UpstreamTimes at = UpstreamTimes.of(r.receivedAt());
    String cardEnc =
        env.hsm()
            .encryptData(
                (card.pan() + "|" + (card.expiry() == null ? "" : card.expiry()))
                    .getBytes(StandardCharsets.US_ASCII),
                cardBinding(env.entityId(), key));
    RequestContext.Original original = c.original;
    var intent =
        new TerminalEvent.TxnRequested(
            key,
            r.type(),
            c.f60().batch(),
            c.stan(),
            c.amount(),
            c.requestHash(),
            new TerminalEvent.TxnIds(id.rrn(), id.stan(), at.localDateTime(), at.date(), at.time()),
            new TerminalEvent.Card(card.masked(), c.panHash(), cardEnc),
            original == null ? null : original.key(),
            env.clock().instant(),
            r.delivery());
    CardBusRequest up =
        CardBusRequest.builder(kind.operation())
            .originalOperation(kind.originalOperation())
            .ids(id.rrn(), id.stan(), at.localDateTime())
            .amountFen(c.amount())
            .card(card.pan(), card.expiry(), card.track2(), card.iccData())
            .pin(pin(c.state, m))
            .terminal(m.get(41), m.get(42))
            .original(original == null ? null : original.upstream())
            .build();
    return Decision.builder()
        .then(new Decision.Park(key, r))
        .persist(intent)
        .then(new Decision.SendUpstream(key, up))
        .build();
  }

  /** A balance inquiry goes upstream unrecorded, with an RRN of its own (returned in 37). */
  Decision balance(RequestContext c) {
    CardData card = c.card();
    UpstreamIds.UpstreamId id = env.ids().next();
    CardBusRequest up =
        CardBusRequest.builder(CardOperation.BALANCE)
            .ids(id.rrn(), id.stan(), UpstreamTimes.of(c.request.receivedAt()).localDateTime())
            .card(card.pan(), card.expiry(), card.track2(), card.iccData())
            .pin(pin(c.state, c.msg()))
            .terminal(c.msg().get(41), c.msg().get(42))
            .build();
    return Decision.builder().then(new Decision.SendBalance(c.request, id.rrn(), up)).build();
  }

  Decision onBalanceAnswered(TerminalState s, TerminalDecider.BalanceAnswered in) {
    Request r = in.request();
    String balance = null;
    String code;
    if (in.result() instanceof CardBusResult.Answered a) {
      code = TerminalCodes.of(a);
      balance = a.balance();
    } else if (in.result() instanceof CardBusResult.NotSent n) {
      code = TerminalCodes.of(n).code();
    } else {
      code = ResponseCode.NO_UPSTREAM_REPLY.code();
    }
    TerminalMessage reply =
        TerminalReplies.financial(
            r.msg(),
            r.type(),
            code,
            in.rrn(),
            null,
            null,
            balance,
            env.settings().acquirerId(),
            CardData.from(r.msg()).pan(),
            env.now());
    return TerminalDecider.reply(r, reply, true);
  }

  /**
   * The reply to a request of a recorded transaction: its outcome (a retransmission gets it again).
   */
  static TerminalMessage replyOf(TerminalDecider.Env env, Request r, Txn t, CardData card) {
    // a transaction the switch reversed (timeout, undelivered approval) is never answered 00 again
    boolean reversed =
        t.status() == TxnStatus.REVERSED && ResponseCode.APPROVED.is(t.responseCode());
    return TerminalReplies.financial(
        r.msg(),
        r.type(),
        reversed ? ResponseCode.NO_UPSTREAM_REPLY.code() : t.responseCode(),
        t.rrn(),
        reversed ? null : t.authCode(),
        t.settlementDate(),
        null,
        env.settings().acquirerId(),
        card.pan(),
        env.now());
  }

  static CardBusRequest.PinData pin(TerminalState s, TerminalMessage m) {
    if (!m.has(52) || s.keys() == null) return null;
    return new CardBusRequest.PinData(m.getBytes(52), s.keys().pik());
  }

  /**
   * What a transaction's encrypted card data is bound to (the data key's associated data): the
   * terminal and the transaction key, so a cryptogram copied into another record does not decrypt.
   */
  static byte[] cardBinding(String entityId, String txnKey) {
    return ("card|" + entityId + "|" + txnKey).getBytes(StandardCharsets.US_ASCII);
  }
}
