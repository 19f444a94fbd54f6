package org.posp.sim.terminal;

import java.time.Duration;

/**
 * Outcome of settlement (批结算) and the batch upload (批上送) that follows it.
 *
 * @param settledBatch the batch that was settled
 * @param newBatch the batch the terminal uses now (60.2 of the 0510), or null when it did not move
 * @param terminalTotals what the terminal sent in field 48
 * @param switchReply field 48 of the 0510, parsed, or null
 * @param reconciliationCode 1 balanced, 2 not balanced, 3 error (null without a reply)
 * @param uploadedRecords number of transaction records sent in 201 messages
 * @param uploadEndCode 202 or 207 when the end message was acknowledged, else null
 */
public record SettlementResult(
    String settledBatch,
    String newBatch,
    SettlementTotals terminalTotals,
    SettlementTotals.Reply switchReply,
    String responseCode,
    String reconciliationCode,
    int uploadedRecords,
    String uploadEndCode,
    String failure,
    Duration elapsed)
    implements TerminalResult {

  public boolean balanced() {
    return "1".equals(reconciliationCode);
  }
}
