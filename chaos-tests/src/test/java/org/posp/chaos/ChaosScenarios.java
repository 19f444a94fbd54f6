package org.posp.chaos;

import java.time.Duration;

/**
 * Durations shared by the chaos scenarios, sized so that all of them run in a few minutes on 2
 * cores.
 */
final class ChaosScenarios {
  /** Load before the fault. */
  static final Duration BASELINE =
      Duration.ofSeconds(Integer.getInteger("posp.chaos.baseline-seconds", 6));

  /** Load after recovery, before the run is finished. */
  static final Duration TAIL = Duration.ofSeconds(Integer.getInteger("posp.chaos.tail-seconds", 5));

  /**
   * Longest wait for every terminal to be served again (the invariant's bound is checked on the
   * report).
   */
  static final Duration SERVED_WAIT = Duration.ofSeconds(90);

  private ChaosScenarios() {}
}
