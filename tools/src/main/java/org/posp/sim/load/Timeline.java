package org.posp.sim.load;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The run's clock in {@link System#nanoTime()} terms: warm-up from {@code startNanos}, measurement
 * from {@code warmupEndNanos} to {@code endNanos}; after the end the drivers wait up to {@code
 * drain} for the requests still in flight. {@link #stop()} ends the run early (Ctrl-C).
 */
record Timeline(
    long startNanos, long warmupEndNanos, long endNanos, Duration drain, AtomicBoolean stopFlag) {

  static Timeline starting(long startNanos, Duration warmup, Duration duration, Duration drain) {
    long warmupEnd = startNanos + warmup.toNanos();
    return new Timeline(
        startNanos, warmupEnd, warmupEnd + duration.toNanos(), drain, new AtomicBoolean());
  }

  /** True when no new request may start at {@code nowNanos}. */
  boolean over(long nowNanos) {
    return nowNanos - endNanos >= 0 || stopFlag.get();
  }

  boolean measured(long startNanos) {
    return startNanos - warmupEndNanos >= 0;
  }

  long drainDeadlineNanos() {
    return endNanos + drain.toNanos();
  }

  void stop() {
    stopFlag.set(true);
  }

  boolean stopped() {
    return stopFlag.get();
  }
}
