package org.posp.sim.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * The result of a run, printed as the summary and written as JSON by {@code --report} (schema
 * {@value #SCHEMA}; every field is always present, {@code null} when it does not apply to the
 * mode). Latencies are in milliseconds with microsecond precision; rates are per second of measured
 * time.
 *
 * @param mode {@code closed}, {@code open} or {@code sign-on-only}
 * @param concurrency closed loop: terminals busy at once (else null)
 * @param rate open loop: requests per second asked for (else null)
 * @param maxConcurrency open loop: requests in flight at most (else null)
 * @param durationSeconds measured time (after the warm-up)
 * @param startedAt ISO-8601 instant the load (warm-up included) started
 * @param measureStartedAt ISO-8601 instant the measurement started
 * @param endedAt ISO-8601 instant the last request ended
 * @param approvedSalesPerSecond 39 = 00 replies to {@code sale} requests per second (reversed sales
 *     excluded)
 * @param latencyMs per request type and {@code overall}
 * @param codes per request type: response code (39) → count of verified replies
 * @param errors error kind → count, all types together
 * @param errorsByType per request type: error kind → count
 * @param errorSamples up to 20 distinct error reasons with their counts
 * @param startDelayMs open loop: how long after its due time each request was sent (else null)
 */
public record LoadReport(
    String schema,
    String mode,
    Integer concurrency,
    Double rate,
    Integer maxConcurrency,
    int terminals,
    List<String> nodes,
    Map<String, Integer> mix,
    String startedAt,
    String measureStartedAt,
    String endedAt,
    double durationSeconds,
    double warmupSeconds,
    Counts counts,
    Throughput throughput,
    double approvedSalesPerSecond,
    Map<String, Latency> latencyMs,
    Map<String, Map<String, Long>> codes,
    Map<String, Long> errors,
    Map<String, Map<String, Long>> errorsByType,
    Map<String, Long> errorSamples,
    Latency startDelayMs,
    Phase signOn,
    Phase provisioning,
    Phase settlement) {

  public static final String SCHEMA = "posp-load-report/1";

  /** This report with the settlement that followed the run. */
  public LoadReport withSettlement(Phase s) {
    return new LoadReport(
        schema,
        mode,
        concurrency,
        rate,
        maxConcurrency,
        terminals,
        nodes,
        mix,
        startedAt,
        measureStartedAt,
        endedAt,
        durationSeconds,
        warmupSeconds,
        counts,
        throughput,
        approvedSalesPerSecond,
        latencyMs,
        codes,
        errors,
        errorsByType,
        errorSamples,
        startDelayMs,
        signOn,
        provisioning,
        s);
  }

  /**
   * Request counts. {@code requests} = sum of all {@code codes} + sum of all {@code errors}; {@code
   * late}: open loop requests sent late (waited for a terminal or worker, or sent more than 10 ms
   * after their due time); {@code outstandingAtEnd}: requests still unanswered when the generator
   * stopped waiting; {@code voidsWithoutSale}: void picks that found no approved sale to void on
   * their terminal and sent a sale instead.
   */
  public record Counts(
      long requests,
      long approved,
      long errors,
      long warmupRequests,
      long late,
      long outstandingAtEnd,
      long reversalsPendingAtEnd,
      long voidsWithoutSale,
      int terminalsSignedOn,
      int workers) {}

  public record Throughput(double requestsPerSecond, double approvedPerSecond) {}

  /** Latency percentiles in ms (microsecond precision); zeros when {@code count} is 0. */
  public record Latency(
      long count, double p50, double p90, double p99, double p999, double max, double mean) {
    static Latency of(Histogram micros) {
      if (micros.getTotalCount() == 0) {
        return new Latency(0, 0, 0, 0, 0, 0, 0);
      }
      return new Latency(
          micros.getTotalCount(),
          ms(micros.getValueAtPercentile(50)),
          ms(micros.getValueAtPercentile(90)),
          ms(micros.getValueAtPercentile(99)),
          ms(micros.getValueAtPercentile(99.9)),
          ms(micros.getMaxValue()),
          Math.round(micros.getMean()) / 1000.0);
    }

    private static double ms(long micros) {
      return micros / 1000.0;
    }
  }

  /** Provisioning or sign-on of the fleet; {@code codes} is null for provisioning. */
  public record Phase(
      long attempted,
      long succeeded,
      long failed,
      double seconds,
      double perSecond,
      Map<String, Long> codes,
      List<String> failureSamples) {}

  static Map<String, Latency> latencies(LoadStats stats) {
    Map<String, Latency> m = new LinkedHashMap<>();
    m.put("overall", Latency.of(stats.overallLatency()));
    for (RequestKind k : RequestKind.values()) {
      m.put(k.label(), Latency.of(stats.kind(k).latency));
    }
    return m;
  }

  static Map<String, Map<String, Long>> codes(LoadStats stats) {
    Map<String, Map<String, Long>> m = new LinkedHashMap<>();
    for (RequestKind k : RequestKind.values()) {
      m.put(k.label(), stats.kind(k).codes());
    }
    return m;
  }

  static Map<String, Long> errors(LoadStats stats) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (ErrorKind e : ErrorKind.values()) {
      m.put(e.label(), 0L);
    }
    for (RequestKind k : RequestKind.values()) {
      stats.kind(k).errors().forEach((e, n) -> m.merge(e.label(), n, Long::sum));
    }
    return m;
  }

  static Map<String, Map<String, Long>> errorsByType(LoadStats stats) {
    Map<String, Map<String, Long>> m = new LinkedHashMap<>();
    for (RequestKind k : RequestKind.values()) {
      Map<String, Long> e = new LinkedHashMap<>();
      stats.kind(k).errors().forEach((kind, n) -> e.put(kind.label(), n));
      m.put(k.label(), e);
    }
    return m;
  }

  /** The report as indented JSON. */
  public String toJson() {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the report as JSON: " + e.getMessage(), e);
    }
  }

  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toJson() + "\n");
  }

  /** The human summary printed at the end of a run. */
  public String text() {
    StringBuilder b = new StringBuilder();
    b.append("== summary: ")
        .append(modeText())
        .append(", ")
        .append(terminals)
        .append(" terminals (")
        .append(counts.terminalsSignedOn())
        .append(" signed on), nodes ")
        .append(String.join(",", nodes))
        .append('\n');
    if (signOn != null) {
      b.append(
          String.format(
              "sign-on: %d/%d approved in %.2f s (%.1f/s)%s%n",
              signOn.succeeded(),
              signOn.attempted(),
              signOn.seconds(),
              signOn.perSecond(),
              signOn.failed() == 0 ? "" : ", " + signOn.failed() + " failed " + signOn.codes()));
    }
    if (settlement != null) {
      b.append(
          String.format(
              "settlement after the run: %d/%d batches closed in %.2f s%s%n",
              settlement.succeeded(),
              settlement.attempted(),
              settlement.seconds(),
              settlement.failed() == 0
                  ? ""
                  : ", " + settlement.failed() + " failed " + settlement.failureSamples()));
    }
    if ("sign-on-only".equals(mode)) {
      return b.toString();
    }
    b.append(
        String.format(
            "measured %.1f s after %.1f s warm-up (%s .. %s), mix %s%n",
            durationSeconds, warmupSeconds, measureStartedAt, endedAt, mixText()));
    b.append(
        String.format(
            "throughput: %.1f requests/s, %.1f approved/s, %.1f approved sales/s%n",
            throughput.requestsPerSecond(),
            throughput.approvedPerSecond(),
            approvedSalesPerSecond));
    b.append(
        String.format(
            "requests %d, approved %d, errors %d, warm-up requests %d, outstanding at end %d, "
                + "reversals pending at end %d%s%s%n",
            counts.requests(),
            counts.approved(),
            counts.errors(),
            counts.warmupRequests(),
            counts.outstandingAtEnd(),
            counts.reversalsPendingAtEnd(),
            counts.voidsWithoutSale() == 0
                ? ""
                : ", voids without a sale (sent as sales) " + counts.voidsWithoutSale(),
            rate == null ? "" : ", late " + counts.late()));
    b.append(
        String.format(
            "%-14s %9s %9s %9s %9s %9s %9s%n",
            "latency ms", "count", "p50", "p90", "p99", "p99.9", "max"));
    latencyMs.forEach(
        (type, l) -> {
          if (l.count() > 0 || "overall".equals(type)) {
            b.append(
                String.format(
                    "%-14s %9d %9.3f %9.3f %9.3f %9.3f %9.3f%n",
                    type, l.count(), l.p50(), l.p90(), l.p99(), l.p999(), l.max()));
          }
        });
    if (startDelayMs != null) {
      b.append(
          String.format(
              "send delay after due time: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
              startDelayMs.p50(), startDelayMs.p99(), startDelayMs.max()));
    }
    String codeText =
        codes.entrySet().stream()
            .filter(e -> !e.getValue().isEmpty())
            .map(
                e ->
                    e.getKey()
                        + " "
                        + e.getValue().entrySet().stream()
                            .map(c -> c.getKey() + "=" + c.getValue())
                            .collect(Collectors.joining(" ")))
            .collect(Collectors.joining("; "));
    b.append("codes: ").append(codeText.isEmpty() ? "none" : codeText).append('\n');
    String errorText =
        errors.entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
    b.append("errors: ").append(errorText.isEmpty() ? "none" : errorText).append('\n');
    errorSamples.forEach(
        (reason, n) -> b.append("  ").append(n).append(" x ").append(reason).append('\n'));
    return b.toString();
  }

  private String modeText() {
    return switch (mode) {
      case "closed" -> "closed loop, concurrency " + concurrency;
      case "open" ->
          String.format("open loop, %.1f requests/s, max concurrency %d", rate, maxConcurrency);
      default -> mode;
    };
  }

  private String mixText() {
    return mix.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
