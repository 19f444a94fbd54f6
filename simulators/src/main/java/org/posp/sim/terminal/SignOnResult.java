package org.posp.sim.terminal;

import java.time.Duration;

/**
 * Outcome of a sign-on (签到).
 *
 * @param batch 60.2 of the 0810: the batch the terminal now uses (null when not approved)
 * @param keyCheckValues check values of the installed keys (no key bytes), or null when none were
 *     installed
 */
public record SignOnResult(
    String responseCode,
    String batch,
    String keyCheckValues,
    String failure,
    Duration elapsed,
    Exchange exchange)
    implements TerminalResult {

  public boolean keysInstalled() {
    return keyCheckValues != null;
  }
}
