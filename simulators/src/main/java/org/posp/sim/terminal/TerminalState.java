package org.posp.sim.terminal;

import java.util.List;

/**
 * What a terminal keeps across power cycles (the CLI stores it in a file): current batch, last STAN
 * and its journal of the current batch plus pending reversals. No keys: the terminal signs on
 * again.
 */
public record TerminalState(String batch, int lastStan, List<TxnRecord> records) {

  public TerminalState {
    if (batch == null || !batch.matches("\\d{6}")) {
      throw new IllegalArgumentException("batch must be 6 digits");
    }
    if (lastStan < 0 || lastStan > 999_999) {
      throw new IllegalArgumentException("last STAN must be 0..999999");
    }
    records = records == null ? List.of() : List.copyOf(records);
  }
}
