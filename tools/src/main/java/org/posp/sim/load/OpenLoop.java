package org.posp.sim.load;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open loop (开环): request {@code k} is due at {@code start + k / rate} whatever the switch's
 * latency. The dispatcher gives each request to a free terminal and a free worker (at most {@code
 * maxConcurrency} in flight); when none is free the request waits, and since its latency is
 * measured from its due time the wait is counted (no coordinated omission). A request sent more
 * than {@link #LATE_NANOS} after its due time, or that had to wait for a terminal or worker, is
 * late.
 */
record OpenLoop(double rate, int maxConcurrency, Mix mix, long seed) implements LoadDriver {
  /**
   * Dispatch delay beyond which a request counts as late although a terminal and worker were free.
   */
  static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  @Override
  public Result run(List<LoadTerminal> terminals, Timeline timeline, LoadStats stats)
      throws InterruptedException {
    int workers = Math.min(maxConcurrency, terminals.size());
    BlockingQueue<LoadTerminal> idle = new ArrayBlockingQueue<>(terminals.size(), false, terminals);
    Semaphore slots = new Semaphore(workers);
    AtomicInteger threadNo = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, "load-open-" + threadNo.getAndIncrement());
              t.setDaemon(true);
              return t;
            });
    SplittableRandom random = new SplittableRandom(seed);
    double intervalNanos = 1e9 / rate;
    try {
      for (long k = 0; ; k++) {
        long due = timeline.startNanos() + (long) (k * intervalNanos);
        if (timeline.over(due) || !sleepUntil(due, timeline)) {
          break;
        }
        boolean waited = false;
        if (!slots.tryAcquire()) {
          waited = true;
          if (!acquire(slots, timeline)) {
            break;
          }
        }
        LoadTerminal t = idle.poll();
        if (t == null) {
          waited = true;
          t = take(idle, timeline);
          if (t == null) {
            slots.release();
            break;
          }
        }
        long delay = System.nanoTime() - due;
        boolean measured = timeline.measured(due);
        stats.recordStart(delay, waited || delay > LATE_NANOS, measured);
        LoadOperation op = mix.pick(random.nextDouble() * 100);
        LoadTerminal terminal = t;
        pool.execute(
            () -> {
              try {
                terminal.run(op, due, measured, stats);
              } finally {
                idle.add(terminal);
                slots.release();
              }
            });
      }
      long left = Math.max(0, timeline.drainDeadlineNanos() - System.nanoTime());
      if (slots.tryAcquire(workers, left, TimeUnit.NANOSECONDS)) {
        return new Result(workers, 0);
      }
      return new Result(workers, workers - slots.availablePermits());
    } finally {
      pool.shutdown();
    }
  }

  /** Sleeps until {@code due}; false when the run was stopped meanwhile. */
  private static boolean sleepUntil(long due, Timeline timeline) {
    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
      if (timeline.stopped()) {
        return false;
      }
      LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
    }
    return true;
  }

  /** Waits for a worker slot until the drain deadline; false when stopped or past it. */
  private static boolean acquire(Semaphore slots, Timeline timeline) throws InterruptedException {
    while (!timeline.stopped() && System.nanoTime() - timeline.drainDeadlineNanos() < 0) {
      if (slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  private static LoadTerminal take(BlockingQueue<LoadTerminal> idle, Timeline timeline)
      throws InterruptedException {
    while (!timeline.stopped() && System.nanoTime() - timeline.drainDeadlineNanos() < 0) {
      LoadTerminal t = idle.poll(100, TimeUnit.MILLISECONDS);
      if (t != null) {
        return t;
      }
    }
    return null;
  }
}
