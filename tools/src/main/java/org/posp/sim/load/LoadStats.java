package org.posp.sim.load;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the load generator measured, recorded concurrently by the worker threads without locks:
 * latency per {@link RequestKind} in microseconds (HdrHistogram, 3 significant digits, up to 60 s;
 * longer values are clamped to 60 s), response codes per kind, errors per kind, and the
 * per-interval figures of the progress line. Only requests started (open loop: intended) after the
 * warm-up are recorded in the totals; the progress line counts every request.
 */
final class LoadStats {
  static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);
  private static final int MAX_ERROR_SAMPLES = 20;

  /** Everything recorded for one request kind. */
  static final class KindStats {
    final Histogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    final ConcurrentHashMap<String, LongAdder> codes = new ConcurrentHashMap<>();
    final EnumMap<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);
    final LongAdder requests = new LongAdder();

    KindStats() {
      for (ErrorKind e : ErrorKind.values()) {
        errors.put(e, new LongAdder());
      }
    }

    long requests() {
      return requests.sum();
    }

    long approved() {
      LongAdder a = codes.get("00");
      return a == null ? 0 : a.sum();
    }

    /** Response codes, sorted. */
    Map<String, Long> codes() {
      Map<String, Long> m = new TreeMap<>();
      codes.forEach((c, n) -> m.put(c, n.sum()));
      return m;
    }

    Map<ErrorKind, Long> errors() {
      Map<ErrorKind, Long> m = new EnumMap<>(ErrorKind.class);
      errors.forEach((e, n) -> m.put(e, n.sum()));
      return m;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }
  }

  /** The progress line's figures for one interval. */
  record Interval(long requests, long approved, long errors, Histogram latency) {}

  private final EnumMap<RequestKind, KindStats> kinds = new EnumMap<>(RequestKind.class);
  private final ConcurrentHashMap<String, LongAdder> errorSamples = new ConcurrentHashMap<>();
  private final LongAdder warmupRequests = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final Histogram startDelay = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final Recorder intervalLatency = new Recorder(HIGHEST_MICROS, 3);
  private final LongAdder intervalRequests = new LongAdder();
  private final LongAdder intervalApproved = new LongAdder();
  private final LongAdder intervalErrors = new LongAdder();
  private final LongAdder totalErrors = new LongAdder();

  LoadStats() {
    for (RequestKind k : RequestKind.values()) {
      kinds.put(k, new KindStats());
    }
  }

  /** Records one request; {@code measured} is false during the warm-up. */
  void record(RequestKind kind, Outcome outcome, long latencyNanos, boolean measured) {
    long micros =
        Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos)));
    intervalLatency.recordValue(micros);
    intervalRequests.increment();
    boolean approved = outcome instanceof Outcome.Replied r && "00".equals(r.responseCode());
    if (approved) {
      intervalApproved.increment();
    }
    if (outcome instanceof Outcome.Failed) {
      intervalErrors.increment();
    }
    if (!measured) {
      warmupRequests.increment();
      return;
    }
    KindStats s = kinds.get(kind);
    s.requests.increment();
    s.latency.recordValue(micros);
    if (outcome instanceof Outcome.Replied r) {
      s.codes
          .computeIfAbsent(r.responseCode() == null ? "--" : r.responseCode(), c -> new LongAdder())
          .increment();
    } else if (outcome instanceof Outcome.Failed f) {
      s.errors.get(f.error()).increment();
      totalErrors.increment();
      sample(f);
    }
  }

  private void sample(Outcome.Failed f) {
    String key = f.error().label() + ": " + (f.reason() == null ? "" : f.reason());
    LongAdder n = errorSamples.get(key);
    if (n == null && errorSamples.size() >= MAX_ERROR_SAMPLES) {
      return; // keep the first distinct reasons only; the counts per kind are complete
    }
    errorSamples.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /**
   * Open loop: how long after its intended time a measured request was sent, and whether it was
   * late.
   */
  void recordStart(long delayNanos, boolean wasLate, boolean measured) {
    if (!measured) {
      return;
    }
    startDelay.recordValue(
        Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(delayNanos))));
    if (wasLate) {
      late.increment();
    }
  }

  /** The figures since the previous call (for the progress line). */
  synchronized Interval interval() {
    Histogram h = intervalLatency.getIntervalHistogram();
    return new Interval(
        intervalRequests.sumThenReset(),
        intervalApproved.sumThenReset(),
        intervalErrors.sumThenReset(),
        h);
  }

  KindStats kind(RequestKind k) {
    return kinds.get(k);
  }

  long requests() {
    return kinds.values().stream().mapToLong(KindStats::requests).sum();
  }

  long approved() {
    return kinds.values().stream().mapToLong(KindStats::approved).sum();
  }

  long errors() {
    return totalErrors.sum();
  }

  long warmupRequests() {
    return warmupRequests.sum();
  }

  long late() {
    return late.sum();
  }

  Histogram startDelay() {
    return startDelay.copy();
  }

  /** Every measured request of every kind. */
  Histogram overallLatency() {
    Histogram all = new Histogram(HIGHEST_MICROS, 3);
    kinds.values().forEach(s -> all.add(s.latency));
    return all;
  }

  /** Distinct error reasons (at most 20) with their counts. */
  Map<String, Long> errorSamples() {
    Map<String, Long> m = new LinkedHashMap<>();
    new TreeMap<>(errorSamples).forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
