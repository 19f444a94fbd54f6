package org.posp.sim.terminal;

import java.time.Duration;

/**
 * Outcome of sending the reversal (冲正) of one transaction, possibly several attempts.
 *
 * @param original the reversed transaction's record as it now stands
 * @param reason 39 of the 0400 (98, 96, A0, 06)
 * @param acknowledged an 0410 was received and verified (any 39): the reversal is done
 */
public record ReversalResult(
    TxnRecord original,
    String reason,
    String responseCode,
    boolean acknowledged,
    int attempts,
    String failure,
    Duration elapsed)
    implements TerminalResult {

  @Override
  public boolean approved() {
    return acknowledged && "00".equals(responseCode);
  }
}
