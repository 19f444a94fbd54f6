package org.posp.sim.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.posp.sim.terminal.SignOnResult;

/**
 * 签到 of the whole fleet with at most {@code signOnParallelism} sign-ons (and so connections being
 * opened) at once. For a load run the signed-on terminals keep their connections; with {@code
 * keepConnections = false} (sign-on-only mode) each client is closed right after its sign-on, so
 * 100,000 terminals can be signed on from one process without 100,000 sockets.
 */
final class SignOnPhase {
  private static final int MAX_SAMPLES = 5;

  /**
   * What the sign-ons did; {@code terminals} holds the signed-on terminals (empty when not kept).
   */
  record Summary(
      int attempted,
      long approved,
      long failed,
      Duration elapsed,
      Map<String, Long> codes,
      List<String> failureSamples,
      List<LoadTerminal> terminals) {
    double perSecond() {
      return elapsed.isZero() ? 0 : attempted / (elapsed.toNanos() / 1e9);
    }
  }

  private final LoadOptions options;
  private final PrintStream out;

  SignOnPhase(LoadOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Summary signOnAll(boolean keepConnections) throws InterruptedException {
    int n = options.terminals();
    AtomicInteger next = new AtomicInteger();
    AtomicLong approved = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ConcurrentHashMap<String, LongAdder> codes = new ConcurrentHashMap<>();
    List<String> samples = Collections.synchronizedList(new ArrayList<>());
    AtomicReferenceArray<LoadTerminal> kept = new AtomicReferenceArray<>(keepConnections ? n : 0);
    long progressEvery = Math.max(1, options.progress().toNanos());
    AtomicLong nextProgress = new AtomicLong(System.nanoTime() + progressEvery);
    long t0 = System.nanoTime();
    int threads = Math.min(options.signOnParallelism(), n);
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      Thread t =
          new Thread(
              () -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                  LoadTerminal terminal =
                      new LoadTerminal(
                          options.terminalConfig(i), options.card(i), options.amountFen());
                  SignOnResult r;
                  try {
                    r = terminal.signOn();
                  } catch (RuntimeException e) {
                    r =
                        new SignOnResult(
                            null,
                            null,
                            null,
                            "client error: " + e.getMessage(),
                            Duration.ZERO,
                            null);
                  }
                  codes
                      .computeIfAbsent(
                          r.responseCode() == null ? "none" : r.responseCode(),
                          c -> new LongAdder())
                      .increment();
                  if (r.approved() && r.keysInstalled()) {
                    approved.incrementAndGet();
                    if (keepConnections) {
                      kept.set(i, terminal);
                    } else {
                      terminal.close();
                    }
                  } else {
                    failed.incrementAndGet();
                    terminal.close();
                    if (samples.size() < MAX_SAMPLES) {
                      samples.add(
                          "terminal "
                              + terminal.terminalId()
                              + ": "
                              + (r.failure() != null ? r.failure() : "39=" + r.responseCode()));
                    }
                  }
                  long now = System.nanoTime();
                  long due = nextProgress.get();
                  if (now - due >= 0 && nextProgress.compareAndSet(due, now + progressEvery)) {
                    out.printf(
                        "sign-on: %d/%d done, %d failed, %.0f/s%n",
                        approved.get() + failed.get(),
                        n,
                        failed.get(),
                        (approved.get() + failed.get()) / ((now - t0) / 1e9));
                  }
                }
              },
              "load-sign-on-" + w);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join(); // bounded: every sign-on ends within the connect and reply timeouts
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
    List<LoadTerminal> terminals = new ArrayList<>();
    for (int i = 0; i < kept.length(); i++) {
      if (kept.get(i) != null) {
        terminals.add(kept.get(i));
      }
    }
    Map<String, Long> codeCounts = new TreeMap<>();
    codes.forEach((c, v) -> codeCounts.put(c, v.sum()));
    return new Summary(
        n,
        approved.get(),
        failed.get(),
        elapsed,
        codeCounts,
        List.copyOf(samples),
        List.copyOf(terminals));
  }
}
