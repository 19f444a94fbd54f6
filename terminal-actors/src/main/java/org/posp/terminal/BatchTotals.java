package org.posp.terminal;

import java.util.Collection;
import org.posp.persistence.CborSerializable;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.TransactionType;

/**
 * Settlement totals of a batch (docs/protocol/terminal.md §6.4): debit = approved sales,
 * completions and completion notices; credit = approved refunds, sale voids and completion voids; a
 * voided sale counts in both; reversed transactions count nowhere.
 */
public record BatchTotals(long debitFen, int debitCount, long creditFen, int creditCount)
    implements CborSerializable {

  public static final BatchTotals ZERO = new BatchTotals(0, 0, 0, 0);

  public static BatchTotals of(Collection<Txn> txns) {
    long debit = 0, credit = 0;
    int debits = 0, credits = 0;
    for (Txn t : txns) {
      boolean counts = t.status() == TxnStatus.APPROVED || t.status() == TxnStatus.VOIDED;
      if (!counts) continue;
      if (isDebit(t.type())) {
        debit += t.amountFen();
        debits++;
      } else if (isCredit(t.type())) {
        credit += t.amountFen();
        credits++;
      }
    }
    return new BatchTotals(debit, debits, credit, credits);
  }

  static boolean isDebit(TransactionType type) {
    return type == TransactionType.SALE
        || type == TransactionType.COMPLETION
        || type == TransactionType.COMPLETION_NOTICE;
  }

  static boolean isCredit(TransactionType type) {
    return type == TransactionType.REFUND
        || type == TransactionType.SALE_VOID
        || type == TransactionType.COMPLETION_VOID;
  }
}
