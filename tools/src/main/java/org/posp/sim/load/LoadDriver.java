package org.posp.sim.load;

import java.util.List;

/** Paces the requests of a run: {@link ClosedLoop} or {@link OpenLoop}. */
sealed interface LoadDriver permits ClosedLoop, OpenLoop {

  /** What the driver saw besides the statistics. */
  record Result(int workers, long outstandingAtEnd) {}

  /**
   * Runs the terminals until {@code timeline} ends, then waits (at most until the drain deadline)
   * for the requests in flight; returns how many were still outstanding when it stopped waiting.
   */
  Result run(List<LoadTerminal> terminals, Timeline timeline, LoadStats stats)
      throws InterruptedException;
}
