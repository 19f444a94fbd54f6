package org.posp.sim.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints one line every {@code --progress}: time since the start, requests/s and approved/s in the
 * last interval, the interval's p99 over all types, errors in the interval and measured so far.
 * Intervals during the warm-up are marked and are not part of the totals.
 */
final class ProgressReporter implements AutoCloseable {
  private final LoadStats stats;
  private final Timeline timeline;
  private final Duration every;
  private final PrintStream out;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "load-progress");
            t.setDaemon(true);
            return t;
          });
  private long last;

  ProgressReporter(LoadStats stats, Timeline timeline, Duration every, PrintStream out) {
    this.stats = stats;
    this.timeline = timeline;
    this.every = every;
    this.out = out;
  }

  void start() {
    last = timeline.startNanos();
    stats.interval(); // forget what sign-on left behind
    long ms = every.toMillis();
    scheduler.scheduleAtFixedRate(this::print, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void print() {
    long now = System.nanoTime();
    LoadStats.Interval iv = stats.interval();
    double seconds = Math.max(1e-9, (now - last) / 1e9);
    last = now;
    out.printf(
        "[%7.1fs]%s %9.1f req/s %9.1f approved/s  p99 %9.3f ms  errors %d (measured total %d)%n",
        (now - timeline.startNanos()) / 1e9,
        now - timeline.warmupEndNanos() < 0 ? " warm-up" : "",
        iv.requests() / seconds,
        iv.approved() / seconds,
        iv.latency().getValueAtPercentile(99.0) / 1000.0,
        iv.errors(),
        stats.errors());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
