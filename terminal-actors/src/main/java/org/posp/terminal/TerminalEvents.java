package org.posp.terminal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.posp.terminal.TerminalEntity.BatchSettled;
import org.posp.terminal.TerminalEntity.BatchUploaded;
import org.posp.terminal.TerminalEntity.Event;
import org.posp.terminal.TerminalEntity.Provisioned;
import org.posp.terminal.TerminalEntity.ReversalCompleted;
import org.posp.terminal.TerminalEntity.ReversalRequested;
import org.posp.terminal.TerminalEntity.ReversedBeforeSeen;
import org.posp.terminal.TerminalEntity.SignOnRequired;
import org.posp.terminal.TerminalEntity.SignedOff;
import org.posp.terminal.TerminalEntity.SignedOn;
import org.posp.terminal.TerminalEntity.TxnCompleted;
import org.posp.terminal.TerminalEntity.TxnStarted;
import org.posp.terminal.TerminalState.Reversal;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.TransactionType;

/**
 * The terminal's event handler: how each event changes the state. Pure, and the same for recovery, for
 * the entity and for the decider (which applies its own events to foresee their result).
 */
public final class TerminalEvents {
  private TerminalEvents() {}

  /** The state after {@code events}, in order. */
  public static TerminalState applyAll(TerminalState s, List<? extends Event> events) {
    TerminalState next = s;
    for (Event e : events) next = apply(next, e);
    return next;
  }

  public static TerminalState apply(TerminalState s, Event event) {
    if (event instanceof Provisioned e) {
      return s.withProvisioning(e.merchantId(), e.terminalId(), e.tmk(), e.macAlgorithm());
    }
    if (event instanceof SignedOn e) return s.withKeys(e.keys(), e.batchNo());
    if (event instanceof SignedOff) return s.signedOff();
    if (event instanceof SignOnRequired) return s.requiringSignOn();
    if (event instanceof TxnStarted e) return s.withTxn(e.txn());
    if (event instanceof TxnCompleted e) return applyCompleted(s, e);
    if (event instanceof ReversalRequested e) return applyReversal(s, e);
    if (event instanceof ReversalCompleted e) {
      return s.txn(e.key())
          .map(t -> t.withReversal(new Reversal(t.reversal().reason(), t.reversal().stan(),
              t.reversal().localDateTime(), t.reversal().requestedAt(), true)))
          .map(s::withTxn).orElse(s);
    }
    if (event instanceof ReversedBeforeSeen e) return s.withReversedBeforeSeen(e.batchAndStan());
    if (event instanceof BatchSettled e) return applySettled(s, e);
    if (event instanceof BatchUploaded e) {
      return s.lastSettlement() != null && s.lastSettlement().batch().equals(e.batch())
          ? s.withLastSettlement(s.lastSettlement().withUpload(e.items(), e.icRecords(), e.ended())) : s;
    }
    throw new IllegalStateException("no event handler for " + event.getClass().getName());
  }

  static TerminalState applyCompleted(TerminalState s, TxnCompleted e) {
    Optional<Txn> found = s.txn(e.key());
    if (found.isEmpty()) return s;
    Txn t = found.get().withOutcome(e.status(), e.responseCode(), e.authCode(), e.settlementDate(), e.endpoint());
    if (e.reversal() != null) t = t.withReversal(e.reversal());
    TerminalState next = s.withTxn(t);
    if (e.status() == TxnStatus.APPROVED) {
      if (t.type() == TransactionType.SALE_VOID && t.originalKey() != null) {
        next = next.txn(t.originalKey()).map(o -> o.withStatus(TxnStatus.VOIDED)).map(next::withTxn).orElse(next);
      } else if (t.type() == TransactionType.REFUND && t.originalKey() != null) {
        next = refunded(next, t.originalKey(), t.amountFen());
      }
    }
    return next;
  }

  static TerminalState applyReversal(TerminalState s, ReversalRequested e) {
    Optional<Txn> found = s.txn(e.key());
    if (found.isEmpty()) return s;
    Txn t = found.get();
    boolean wasApproved = t.status() == TxnStatus.APPROVED;
    TerminalState next = s.withTxn(t.withStatus(TxnStatus.REVERSED).withReversal(e.reversal()));
    if (wasApproved && t.type() == TransactionType.SALE_VOID && t.originalKey() != null) {
      next = next.txn(t.originalKey()).filter(o -> o.status() == TxnStatus.VOIDED)
          .map(o -> o.withStatus(TxnStatus.APPROVED)).map(next::withTxn).orElse(next);
    } else if (wasApproved && t.type() == TransactionType.REFUND && t.originalKey() != null) {
      next = refunded(next, t.originalKey(), -t.amountFen());
    }
    return next;
  }

  /** Adds to the refunded amount of an original sale, in the open batch or among settled sales (by RRN). */
  private static TerminalState refunded(TerminalState s, String originalRrn, long deltaFen) {
    Optional<Txn> open = s.txnByRrn(originalRrn);
    if (open.isPresent()) return s.withTxn(open.get().withRefunded(open.get().refundedFen() + deltaFen));
    TerminalState.SaleRef ref = s.sales().get(originalRrn);
    return ref == null ? s : s.withSale(ref.withRefunded(ref.refundedFen() + deltaFen));
  }

  static TerminalState applySettled(TerminalState s, BatchSettled e) {
    String closed = e.settlement().batch();
    Map<String, Txn> remaining = new LinkedHashMap<>();
    Map<String, TerminalState.SaleRef> sales = new LinkedHashMap<>();
    for (TerminalState.SaleRef r : s.sales().values()) {
      if (r.approvedAt() == null || r.approvedAt().isAfter(e.retainSalesAfter())) sales.put(r.rrn(), r);
    }
    for (Txn t : s.txns().values()) {
      if (!t.batch().equals(closed) || t.reversalPending() || t.status() == TxnStatus.PENDING) {
        remaining.put(t.key(), t);
      }
      if (t.batch().equals(closed) && t.type() == TransactionType.SALE && t.status() == TxnStatus.APPROVED) {
        sales.put(t.rrn(), new TerminalState.SaleRef(t.rrn(), t.date(), t.batch(), t.amountFen(), t.refundedFen(),
            t.upstreamStan(), t.localDateTime(), t.panHash(), t.cardEnc(), t.startedAt()));
      }
    }
    return s.withSettlement(e.settlement(), remaining, sales);
  }
}
