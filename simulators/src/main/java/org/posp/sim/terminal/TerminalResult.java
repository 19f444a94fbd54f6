package org.posp.sim.terminal;

import java.time.Duration;

/**
 * Outcome of one terminal operation. Failures are reported here, never thrown: {@link #failure()}
 * says why the reply could not be used (no reply, connection lost, MAC, echo mismatch, refused key
 * block, a reversal still pending, ...).
 */
public sealed interface TerminalResult
    permits TxnResult, SignOnResult, AdminResult, SettlementResult, ReversalResult {

  /** Field 39 of the reply, or null when there was none. */
  String responseCode();

  /** Null when the reply was received and verified, else the reason. */
  String failure();

  Duration elapsed();

  /** 39 = 00 and nothing failed. */
  default boolean approved() {
    return "00".equals(responseCode()) && failure() == null;
  }
}
