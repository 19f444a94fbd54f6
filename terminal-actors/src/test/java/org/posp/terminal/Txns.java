package org.posp.terminal;

import java.time.Instant;
import org.posp.terminal.TerminalState.Reversal;
import org.posp.terminal.TerminalState.SaleRef;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.TransactionType;

/**
 * Builds {@link Txn}s for the state and totals tests; only what a test names differs between them.
 */
final class Txns {
  static final Instant STARTED = Instant.parse("2025-03-14T07:08:09Z");

  private Txns() {}

  /**
   * A transaction of {@code batch} with terminal STAN {@code stan}; its key follows the entity's
   * rule.
   */
  static Txn txn(
      TransactionType type,
      String batch,
      String stan,
      long amountFen,
      String rrn,
      TxnStatus status,
      String originalKey) {
    String key = TxnKeys.of(type.requestMti(), batch, stan);
    String code =
        switch (status) {
          case PENDING -> null;
          case DECLINED -> "51";
          default -> "00";
        };
    return new Txn(
        key,
        type,
        batch,
        stan,
        amountFen,
        "HASH-" + key,
        rrn,
        "5240900" + stan.substring(1),
        "20250314150809",
        "0314",
        "150809",
        "621488****1234",
        "PANHASH",
        "CARDENC",
        originalKey,
        status,
        code,
        status == TxnStatus.PENDING || status == TxnStatus.DECLINED
            ? null
            : "A" + stan.substring(1),
        status == TxnStatus.PENDING ? null : "0314",
        status == TxnStatus.PENDING ? null : "cups",
        0,
        null,
        STARTED);
  }

  static Txn sale(String batch, String stan, long amountFen, String rrn, TxnStatus status) {
    return txn(TransactionType.SALE, batch, stan, amountFen, rrn, status, null);
  }

  static Reversal pendingReversal(String reason) {
    return new Reversal(reason, "524100100001", "20250314150810", STARTED.plusSeconds(1), false);
  }

  /** The event that starts {@link #pendingReversal}. */
  static TerminalEvent.ReversalRequested reversalRequested(String key, String reason) {
    Reversal r = pendingReversal(reason);
    return new TerminalEvent.ReversalRequested(
        key, reason, r.stan(), r.localDateTime(), r.requestedAt());
  }

  /** The event of a settlement as the state records it. */
  static TerminalEvent.BatchSettled settled(TerminalState.Settlement st, Instant retainSalesAfter) {
    return TerminalEvent.BatchSettled.of(st, retainSalesAfter);
  }

  static SaleRef saleRef(String rrn, long amountFen, long refundedFen, Instant approvedAt) {
    return new SaleRef(
        rrn,
        "0301",
        "000007",
        amountFen,
        refundedFen,
        "000001000001",
        "20250301101010",
        "PANHASH",
        "CARDENC",
        approvedAt);
  }
}
