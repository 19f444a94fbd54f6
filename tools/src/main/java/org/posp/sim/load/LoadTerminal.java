package org.posp.sim.load;

import java.util.List;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.ReversalResult;
import org.posp.sim.terminal.SignOnResult;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TerminalJournal;
import org.posp.sim.terminal.TxnRecord;
import org.posp.sim.terminal.TxnResult;

/**
 * One simulated terminal of the load: a {@link TerminalClient} with its test card and its last
 * approved sale (for voids). Used by one worker thread at a time (the drivers hand terminals out
 * through a queue), so a terminal never has two requests outstanding, as the protocol requires of a
 * real POS.
 */
final class LoadTerminal implements AutoCloseable {
  /**
   * The terminal's journal is pruned past this many records (it is only needed for pending
   * reversals).
   */
  private static final int JOURNAL_LIMIT = 16;

  private final TerminalClient client;
  private final Card card;
  private final long amountFen;
  private TxnRecord lastApprovedSale;
  private long voidsWithoutSale;

  LoadTerminal(TerminalConfig config, Card card, long amountFen) {
    this.client = new TerminalClient(config, new TerminalJournal());
    this.card = card;
    this.amountFen = amountFen;
  }

  String terminalId() {
    return client.config().terminalId();
  }

  SignOnResult signOn() {
    return client.signOn();
  }

  /**
   * Settles the terminal's batch; null when the switch closed it (answered 00 with a new batch,
   * balanced or not: the terminal keeps only its last records, so the totals need not agree), else
   * why not.
   */
  String settle() {
    try {
      var r = client.settle();
      if (r.failure() != null) return r.failure();
      if (!"00".equals(r.responseCode())) return "0510 answered " + r.responseCode();
      return null;
    } catch (RuntimeException e) {
      return "settlement failed: " + e.getMessage();
    }
  }

  /**
   * Runs one operation and records its request(s). The first request's latency counts from {@code
   * startNanos} (the intended send time in the open loop, so that waiting for a free terminal
   * counts); a second request (the 0400 of a reversal) counts from its own start.
   */
  void run(LoadOperation op, long startNanos, boolean measured, LoadStats stats) {
    try {
      runOperation(op, startNanos, measured, stats);
    } catch (RuntimeException e) {
      // the client throws only on programming errors (e.g. no keys with auto sign-on off): count,
      // go on
      RequestKind kind =
          switch (op) {
            case SALE -> RequestKind.SALE;
            case VOID -> RequestKind.VOID;
            case BALANCE -> RequestKind.BALANCE;
            case REVERSAL -> RequestKind.REVERSED_SALE;
          };
      stats.record(
          kind,
          new Outcome.Failed(ErrorKind.REFUSED, "client error: " + e.getMessage()),
          System.nanoTime() - startNanos,
          measured);
    }
    prune();
  }

  private void runOperation(LoadOperation op, long startNanos, boolean measured, LoadStats stats) {
    switch (op) {
      case SALE -> sale(RequestKind.SALE, startNanos, measured, stats);
      case BALANCE -> {
        TxnResult r = client.balance(card);
        stats.record(RequestKind.BALANCE, Outcome.of(r), System.nanoTime() - startNanos, measured);
      }
      case VOID -> {
        TxnRecord original = lastApprovedSale;
        if (original == null) {
          // nothing to void yet on this terminal: a sale keeps the terminal busy as the mix intends
          voidsWithoutSale++;
          sale(RequestKind.SALE, startNanos, measured, stats);
        } else {
          lastApprovedSale = null; // voided (or tried): a second void would only get 12
          TxnResult r = client.voidSale(card, original);
          stats.record(RequestKind.VOID, Outcome.of(r), System.nanoTime() - startNanos, measured);
        }
      }
      case REVERSAL -> {
        TxnResult sale = client.sale(card, amountFen);
        stats.record(
            RequestKind.REVERSED_SALE, Outcome.of(sale), System.nanoTime() - startNanos, measured);
        if (sale.record() != null && sale.exchange() != null) {
          long t0 = System.nanoTime();
          ReversalResult rv = client.reversal(sale.record(), "98");
          stats.record(RequestKind.REVERSAL, Outcome.of(rv), System.nanoTime() - t0, measured);
        }
      }
    }
  }

  private void sale(RequestKind kind, long startNanos, boolean measured, LoadStats stats) {
    TxnResult r = client.sale(card, amountFen);
    stats.record(kind, Outcome.of(r), System.nanoTime() - startNanos, measured);
    if (r.approved()) {
      lastApprovedSale = r.record();
    }
  }

  /**
   * The client keeps every transaction in its journal (for settlement); a load run settles nothing,
   * and the journal is scanned on every transaction, so it is emptied of all but pending reversals.
   */
  private void prune() {
    TerminalJournal j = client.journal();
    if (j.size() <= JOURNAL_LIMIT) {
      return;
    }
    j.select(r -> !r.reversalPending()).stream()
        .map(TxnRecord::batch)
        .distinct()
        .forEach(b -> j.dropBatch(terminalId(), b));
  }

  /** Reversals the switch has not acknowledged yet. */
  int pendingReversals() {
    List<TxnRecord> p = client.pendingReversals();
    return p.size();
  }

  long voidsWithoutSale() {
    return voidsWithoutSale;
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "LoadTerminal[" + terminalId() + ", card " + card.maskedPan() + "]";
  }
}
