package org.posp.terminal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.posp.terminal.TerminalEvent.BatchSettled;
import org.posp.terminal.TerminalEvent.BatchUploaded;
import org.posp.terminal.TerminalEvent.Provisioned;
import org.posp.terminal.TerminalEvent.ReversalCompleted;
import org.posp.terminal.TerminalEvent.ReversalRequested;
import org.posp.terminal.TerminalEvent.ReversedBeforeSeen;
import org.posp.terminal.TerminalEvent.SignOnRequired;
import org.posp.terminal.TerminalEvent.SignedOff;
import org.posp.terminal.TerminalEvent.SignedOn;
import org.posp.terminal.TerminalEvent.TxnApproved;
import org.posp.terminal.TerminalEvent.TxnCompletedV1;
import org.posp.terminal.TerminalEvent.TxnDeclined;
import org.posp.terminal.TerminalEvent.TxnRequested;
import org.posp.terminal.TerminalEvent.TxnUnanswered;
import org.posp.terminal.TerminalState.Reversal;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TransactionType;

/**
 * The terminal's event handler: how each event changes the state. Pure, and the same for recovery,
 * for the entity and for the decider (which applies its own events to foresee their result).
 */
public final class TerminalEvents {
  private TerminalEvents() {}

  /** The state after {@code events}, in order. */
  public static TerminalState applyAll(TerminalState s, List<? extends TerminalEvent> events) {
    TerminalState next = s;
    for (TerminalEvent e : events) next = apply(next, e);
    return next;
  }

  public static TerminalState apply(TerminalState s, TerminalEvent event) {
    if (event instanceof Provisioned e) {
      return s.withProvisioning(e.merchantId(), e.terminalId(), e.tmk(), e.macAlgorithm());
    }
    if (event instanceof SignedOn e) return signedOn(s, e);
    if (event instanceof SignedOff) return s.signedOff();
    if (event instanceof SignOnRequired) return s.requiringSignOn();
    if (event instanceof TxnRequested e) return s.withTxn(requested(e));
    if (event instanceof TxnApproved e) {
      return completed(
          s,
          e.key(),
          TxnStatus.APPROVED,
          ResponseCode.APPROVED.code(),
          e.authCode(),
          e.settlementDate(),
          e.endpoint(),
          null);
    }
    if (event instanceof TxnDeclined e) {
      return completed(
          s, e.key(), TxnStatus.DECLINED, e.responseCode(), null, null, e.endpoint(), null);
    }
    if (event instanceof TxnUnanswered e) {
      return completed(
          s,
          e.key(),
          TxnStatus.REVERSED,
          ResponseCode.NO_UPSTREAM_REPLY.code(),
          null,
          null,
          e.endpoint(),
          null);
    }
    if (event instanceof ReversalRequested e) return applyReversal(s, e.key(), e.reversal());
    if (event instanceof ReversalCompleted e) {
      return s.txn(e.key())
          .map(t -> t.withReversal(t.reversal().acknowledged()))
          .map(s::withTxn)
          .orElse(s);
    }
    if (event instanceof ReversedBeforeSeen e) return s.withReversedBeforeSeen(e.batchAndStan());
    if (event instanceof BatchSettled e) return applySettled(s, e);
    if (event instanceof BatchUploaded e) {
      return s.lastSettlement() != null && s.lastSettlement().batch().equals(e.batch())
          ? s.withLastSettlement(s.lastSettlement().withUpload(e.items(), e.icRecords(), e.ended()))
          : s;
    }
    if (event instanceof TxnCompletedV1 e) {
      return completed(
          s,
          e.key(),
          e.status(),
          e.responseCode(),
          e.authCode(),
          e.settlementDate(),
          e.endpoint(),
          e.reversal());
    }
    throw new IllegalStateException("no event handler for " + event.getClass().getName());
  }

  /** New working keys; the MAK they replace stays as the previous one. */
  private static TerminalState signedOn(TerminalState s, SignedOn e) {
    var previousMak = s.keys() == null ? null : s.keys().mak();
    return s.withKeys(
        new TerminalState.Keys(
            e.scheme(), e.pik(), e.mak(), e.tdk(), e.at(), e.stan(), e.requestHash(), previousMak),
        e.batch());
  }

  /** The pending transaction a request starts. */
  static Txn requested(TxnRequested e) {
    TerminalEvent.TxnIds ids = e.ids();
    Txn.Builder b =
        Txn.started(e.key(), e.type(), e.batch(), e.stan(), e.amountFen(), e.requestHash())
            .original(e.originalKey())
            .at(e.at(), e.origin());
    if (ids != null)
      b.upstream(ids.rrn(), ids.upstreamStan(), ids.localDateTime(), ids.date(), ids.time());
    if (e.card() != null) b.card(e.card().panMasked(), e.card().panHash(), e.card().cardEnc());
    return b.build();
  }

  /**
   * The outcome of a pending transaction; an approved void voids its sale, an approved refund adds
   * to its sale's refunds.
   */
  private static TerminalState completed(
      TerminalState s,
      String key,
      TxnStatus status,
      String responseCode,
      String authCode,
      String settlementDate,
      String endpoint,
      Reversal reversal) {
    Optional<Txn> found = s.txn(key);
    if (found.isEmpty()) return s;
    Txn t = found.get().withOutcome(status, responseCode, authCode, settlementDate, endpoint);
    if (reversal != null) t = t.withReversal(reversal);
    TerminalState next = s.withTxn(t);
    if (status == TxnStatus.APPROVED) {
      if (t.type() == TransactionType.SALE_VOID && t.originalKey() != null) {
        next =
            next.txn(t.originalKey())
                .map(o -> o.withStatus(TxnStatus.VOIDED))
                .map(next::withTxn)
                .orElse(next);
      } else if (t.type() == TransactionType.REFUND && t.originalKey() != null) {
        next = refunded(next, t.originalKey(), t.amountFen());
      }
    }
    return next;
  }

  private static TerminalState applyReversal(TerminalState s, String key, Reversal reversal) {
    Optional<Txn> found = s.txn(key);
    if (found.isEmpty()) return s;
    Txn t = found.get();
    boolean wasApproved = t.status() == TxnStatus.APPROVED;
    TerminalState next = s.withTxn(t.withStatus(TxnStatus.REVERSED).withReversal(reversal));
    if (wasApproved && t.type() == TransactionType.SALE_VOID && t.originalKey() != null) {
      next =
          next.txn(t.originalKey())
              .filter(o -> o.status() == TxnStatus.VOIDED)
              .map(o -> o.withStatus(TxnStatus.APPROVED))
              .map(next::withTxn)
              .orElse(next);
    } else if (wasApproved && t.type() == TransactionType.REFUND && t.originalKey() != null) {
      next = refunded(next, t.originalKey(), -t.amountFen());
    }
    return next;
  }

  /**
   * Adds to the refunded amount of an original sale, in the open batch or among settled sales (by
   * RRN).
   */
  private static TerminalState refunded(TerminalState s, String originalRrn, long deltaFen) {
    Optional<Txn> open = s.txnByRrn(originalRrn);
    if (open.isPresent())
      return s.withTxn(open.get().withRefunded(open.get().refundedFen() + deltaFen));
    TerminalState.SaleRef ref = s.sales().get(originalRrn);
    return ref == null ? s : s.withSale(ref.withRefunded(ref.refundedFen() + deltaFen));
  }

  private static TerminalState applySettled(TerminalState s, BatchSettled e) {
    String closed = e.batch();
    Map<String, Txn> remaining = new LinkedHashMap<>();
    Map<String, TerminalState.SaleRef> sales = new LinkedHashMap<>();
    for (TerminalState.SaleRef r : s.sales().values()) {
      if (r.approvedAt() == null || r.approvedAt().isAfter(e.retainSalesAfter()))
        sales.put(r.rrn(), r);
    }
    for (Txn t : s.txns().values()) {
      if (!t.batch().equals(closed) || t.reversalPending() || t.status() == TxnStatus.PENDING) {
        remaining.put(t.key(), t);
      }
      if (t.batch().equals(closed)
          && t.type() == TransactionType.SALE
          && t.status() == TxnStatus.APPROVED) {
        sales.put(
            t.rrn(),
            new TerminalState.SaleRef(
                t.rrn(),
                t.date(),
                t.batch(),
                t.amountFen(),
                t.refundedFen(),
                t.upstreamStan(),
                t.localDateTime(),
                t.panHash(),
                t.cardEnc(),
                t.startedAt()));
      }
    }
    var settlement =
        new TerminalState.Settlement(
            e.batch(),
            e.stan(),
            e.requestHash(),
            e.resultCode(),
            e.field48(),
            e.nextBatch(),
            e.rrn(),
            e.date(),
            e.time(),
            e.totals(),
            e.at(),
            e.items(),
            Map.of(),
            0,
            false);
    return s.withSettlement(settlement, remaining, sales);
  }
}
