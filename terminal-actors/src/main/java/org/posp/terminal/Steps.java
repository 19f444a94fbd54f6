package org.posp.terminal;

import java.util.Optional;
import java.util.function.Function;
import org.posp.channel.CardOperation;
import org.posp.terminal.TerminalState.SaleRef;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.Field61;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TransactionType;

/**
 * The checks of a terminal request, each one rule of the terminal protocol (in the spirit of jPOS
 * participants): a step answers the request (a rejection, a replayed reply, or "wait") or lets it
 * go on ({@code null}). {@link TransactionKinds} lists the steps of each transaction type, in
 * order.
 */
final class Steps {
  private Steps() {}

  /** A named check. */
  record Step(String name, Function<RequestContext, Decision> check) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** 77: the terminal has no working keys. */
  static final Step SIGNED_ON =
      new Step(
          "signed-on",
          c -> c.state.signedOn() ? null : c.reject(ResponseCode.SIGN_ON_AGAIN, "not signed on"));

  /**
   * A retransmission (same key, same content) is answered its recorded outcome, before the batch
   * check (a retry held behind its in-flight original gets that outcome even when a settlement
   * closed the batch meanwhile), and only when authenticated: under the current MAK, or under the
   * one before for a transaction recorded before the keys were renewed (else A0 would answer an
   * approval the terminal never saw). A retransmission of an in-flight transaction waits for its
   * outcome.
   */
  static final Step RETRANSMISSION =
      new Step(
          "retransmission",
          c -> {
            if (c.key() == null) return null;
            Optional<Txn> earlier =
                c.recorded().filter(t -> t.requestHash().equals(c.requestHash()));
            if (earlier.isEmpty()) return null;
            Txn t = earlier.get();
            if (!c.macOk() && !RequestContext.macUnderPreviousKeys(c.env, c.state, c.request, t))
              return null;
            if (t.status() == TxnStatus.PENDING) return TerminalDecider.park(t.key(), c.request);
            return TerminalDecider.reply(
                    c.request, FinancialFlow.replyOf(c.env, c.request, t, c.card()), true)
                .withNote(
                    new Decision.Note(
                        Decision.Level.DEBUG, t.key() + " answered from the journal"));
          });

  /** 77: 60.2 is not the open batch. */
  static final Step OPEN_BATCH =
      new Step(
          "open-batch",
          c ->
              c.f60() != null && c.state.batchNo().equals(c.f60().batch())
                  ? null
                  : c.reject(
                      ResponseCode.SIGN_ON_AGAIN,
                      "batch "
                          + (c.f60() == null ? "?" : c.f60().batch())
                          + " is not the open batch "
                          + c.state.batchNo()));

  /** A0: the MAC is missing or wrong under the current MAK. */
  static final Step MAC =
      new Step(
          "mac", c -> c.macOk() ? null : c.reject(ResponseCode.MAC_ERROR, "MAC missing or wrong"));

  /** 30: a mandatory field of the type is missing, or the currency is not 156. */
  static final Step MANDATORY =
      new Step(
          "mandatory",
          c -> {
            String missing = Mandatory.missing(c.type(), c.msg());
            return missing == null
                ? null
                : c.reject(
                    ResponseCode.FORMAT_ERROR, "mandatory field missing or malformed: " + missing);
          });

  /** 30: 11 or a readable 60 is missing (the key of the request cannot be formed). */
  static final Step KEY_FIELDS =
      new Step(
          "key-fields",
          c ->
              c.key() != null
                  ? null
                  : c.reject(ResponseCode.FORMAT_ERROR, c.type() + " without 11 or 60"));

  /** 30: neither 2 nor 35 gives a usable PAN. */
  static final Step CARD =
      new Step(
          "card",
          c ->
              c.card().hasPan()
                  ? null
                  : c.reject(ResponseCode.FORMAT_ERROR, "no usable PAN in 2 or 35"));

  /**
   * 94: the key is recorded with other content (the same content was answered by {@link
   * #RETRANSMISSION}).
   */
  static final Step NEW_KEY =
      new Step(
          "new-key",
          c ->
              c.recorded().isEmpty()
                  ? null
                  : c.reject(
                      ResponseCode.DUPLICATE, "same key " + c.key() + ", different content"));

  /**
   * 12: the terminal reversed this request before it reached the entity (it gave up waiting): it
   * must never be sent upstream now.
   */
  static final Step NOT_REVERSED_BEFORE =
      new Step(
          "not-reversed-before",
          c ->
              !c.state
                      .reversedBeforeSeen()
                      .contains(TxnKeys.batchAndStan(c.f60().batch(), c.stan()))
                  ? null
                  : c.reject(
                      ResponseCode.INVALID_TRANSACTION,
                      "the terminal already reversed stan " + c.stan()));

  /** 13: the amount is not a positive number of fen. */
  static final Step POSITIVE_AMOUNT =
      new Step(
          "positive-amount",
          c ->
              c.amount() > 0
                  ? null
                  : c.reject(ResponseCode.INVALID_AMOUNT, "amount must be positive"));

  /** A void's original: an approved sale of the open batch with the same RRN, card and amount. */
  static final Step VOID_ORIGINAL =
      new Step(
          "void-original",
          c -> {
            Field61 f61 = c.f61();
            if (f61 == null)
              return c.reject(ResponseCode.FORMAT_ERROR, "void without a readable 61");
            Optional<Txn> o =
                c.state
                    .txnByStan(f61.originalBatch(), f61.originalStan())
                    .filter(t -> t.type() == TransactionType.SALE);
            if (o.isEmpty()
                || !o.get().batch().equals(c.state.batchNo())
                || !o.get().rrn().equals(c.msg().get(37).trim())
                || !o.get().panHash().equals(c.panHash())) {
              return c.reject(
                  ResponseCode.ORIGINAL_NOT_FOUND, "original sale not found in the open batch");
            }
            Txn orig = o.get();
            Decision unusable = unusableOriginal(c, orig.status());
            if (unusable != null) return unusable;
            if (orig.amountFen() != c.amount()) {
              return c.reject(
                  ResponseCode.VOID_AMOUNT_MISMATCH, "void amount differs from the original");
            }
            c.original =
                new RequestContext.Original(
                    orig.key(),
                    c.originalData(CardOperation.SALE, orig.upstreamStan(), orig.localDateTime()));
            return null;
          });

  /**
   * A refund's original: an approved sale with the RRN of 37, the date of 61.3 and the same card,
   * in the open batch or among the settled sales; the refunds (recorded and in flight) stay within
   * its amount.
   */
  static final Step REFUND_ORIGINAL =
      new Step(
          "refund-original",
          c -> {
            Field61 f61 = c.f61();
            if (f61 == null || f61.originalDate() == null)
              return c.reject(ResponseCode.FORMAT_ERROR, "refund without 61.3");
            String origRrn = c.msg().get(37).trim();
            Optional<Txn> open =
                c.state.txnByRrn(origRrn).filter(t -> t.type() == TransactionType.SALE);
            SaleRef ref;
            if (open.isPresent()) {
              Txn o = open.get();
              if (!o.date().equals(f61.originalDate()) || !o.panHash().equals(c.panHash())) {
                return c.reject(ResponseCode.ORIGINAL_NOT_FOUND, "original sale not found");
              }
              Decision unusable = unusableOriginal(c, o.status());
              if (unusable != null) return unusable;
              ref =
                  new SaleRef(
                      o.rrn(),
                      o.date(),
                      o.batch(),
                      o.amountFen(),
                      o.refundedFen(),
                      o.upstreamStan(),
                      o.localDateTime(),
                      o.panHash(),
                      o.cardEnc(),
                      o.startedAt());
            } else {
              ref = c.state.sales().get(origRrn);
              if (ref == null
                  || !ref.date().equals(f61.originalDate())
                  || !ref.panHash().equals(c.panHash())) {
                return c.reject(ResponseCode.ORIGINAL_NOT_FOUND, "original sale not found");
              }
            }
            long pendingRefunds =
                c.state.txns().values().stream()
                    .filter(
                        t ->
                            t.type() == TransactionType.REFUND
                                && origRrn.equals(t.originalKey())
                                && t.status() == TxnStatus.PENDING)
                    .mapToLong(Txn::amountFen)
                    .sum();
            if (c.amount() > ref.amountFen() - ref.refundedFen() - pendingRefunds) {
              return c.reject(ResponseCode.INVALID_AMOUNT, "refund above the refundable rest");
            }
            c.original =
                new RequestContext.Original(
                    origRrn,
                    c.originalData(CardOperation.SALE, ref.upstreamStan(), ref.localDateTime()));
            return null;
          });

  /** 12 for an original already voided or reversed, 25 for one not approved, else null. */
  private static Decision unusableOriginal(RequestContext c, TxnStatus status) {
    if (status == TxnStatus.VOIDED || status == TxnStatus.REVERSED) {
      return c.reject(ResponseCode.INVALID_TRANSACTION, "original already voided or reversed");
    }
    if (status != TxnStatus.APPROVED)
      return c.reject(ResponseCode.ORIGINAL_NOT_FOUND, "original was not approved");
    return null;
  }
}
