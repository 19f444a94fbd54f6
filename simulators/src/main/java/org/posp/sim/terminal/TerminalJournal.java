package org.posp.sim.terminal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Thread-safe list of {@link TxnRecord}s: what the terminal(s) sent and received. One journal may
 * be shared by many {@link TerminalClient}s (chaos tests read it as "what the terminals received");
 * records are keyed by terminal id, batch, STAN and type.
 */
public final class TerminalJournal {
  private final List<TxnRecord> records = new ArrayList<>();

  public synchronized void add(TxnRecord record) {
    records.add(record);
  }

  /** Replaces the record of the same transaction, or adds it. */
  public synchronized void update(TxnRecord record) {
    for (int i = records.size() - 1; i >= 0; i--) {
      if (records.get(i).sameTxn(record)) {
        records.set(i, record);
        return;
      }
    }
    records.add(record);
  }

  public synchronized List<TxnRecord> all() {
    return List.copyOf(records);
  }

  public synchronized List<TxnRecord> select(Predicate<TxnRecord> filter) {
    return records.stream().filter(filter).toList();
  }

  /** Records of one terminal. */
  public List<TxnRecord> ofTerminal(String terminalId) {
    return select(r -> r.terminalId().equals(terminalId));
  }

  /** Records of one terminal's batch. */
  public List<TxnRecord> ofBatch(String terminalId, String batch) {
    return select(r -> r.terminalId().equals(terminalId) && r.batch().equals(batch));
  }

  /** The latest record of a terminal with this STAN (in any batch, newest first). */
  public synchronized Optional<TxnRecord> findByStan(String terminalId, String stan) {
    for (int i = records.size() - 1; i >= 0; i--) {
      TxnRecord r = records.get(i);
      if (r.terminalId().equals(terminalId) && r.stan().equals(stan)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Reversals still to be acknowledged for a terminal, oldest first. */
  public List<TxnRecord> pendingReversals(String terminalId) {
    return select(r -> r.terminalId().equals(terminalId) && r.reversalPending()).stream()
        .sorted(Comparator.comparingLong(TxnRecord::sentAtMillis))
        .toList();
  }

  /** Removes the records of one terminal's batch except those with a pending reversal. */
  public synchronized void dropBatch(String terminalId, String batch) {
    records.removeIf(
        r -> r.terminalId().equals(terminalId) && r.batch().equals(batch) && !r.reversalPending());
  }

  public synchronized int size() {
    return records.size();
  }
}
