package org.posp.sim.load;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed loop (闭环): {@code concurrency} worker threads, each taking the longest-idle terminal,
 * running one mix operation on it, and putting it back; so {@code concurrency} terminals are busy
 * at once and every terminal of the fleet takes its turn. One thread per busy terminal: the
 * terminal client's blocking I/O needs it, and it is what a closed loop means.
 */
record ClosedLoop(int concurrency, Mix mix, long seed) implements LoadDriver {

  @Override
  public Result run(List<LoadTerminal> terminals, Timeline timeline, LoadStats stats)
      throws InterruptedException {
    BlockingQueue<LoadTerminal> idle = new ArrayBlockingQueue<>(terminals.size(), false, terminals);
    int workers = Math.min(concurrency, terminals.size());
    AtomicInteger busy = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      SplittableRandom random = new SplittableRandom(seed + i);
      Thread t = new Thread(() -> work(idle, timeline, stats, random, busy), "load-closed-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      long left = timeline.drainDeadlineNanos() - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
    }
    return new Result(workers, busy.get());
  }

  private void work(
      BlockingQueue<LoadTerminal> idle,
      Timeline timeline,
      LoadStats stats,
      SplittableRandom random,
      AtomicInteger busy) {
    try {
      while (!timeline.over(System.nanoTime())) {
        LoadTerminal t = idle.poll(50, TimeUnit.MILLISECONDS);
        if (t == null) {
          continue;
        }
        long start = System.nanoTime();
        if (timeline.over(start)) {
          idle.add(t);
          return;
        }
        busy.incrementAndGet();
        try {
          t.run(mix.pick(random.nextDouble() * 100), start, timeline.measured(start), stats);
        } finally {
          busy.decrementAndGet();
          idle.add(t);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
