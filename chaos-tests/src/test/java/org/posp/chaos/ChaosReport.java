package org.posp.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one chaos run measured and decided, written as {@code target/chaos-reports/<scenario>.json}
 * and {@code .txt} (a short table) and printed: requests, approvals, declines by code, requests
 * failed by the fault, time until every terminal was served again, reversals, and every invariant's
 * result.
 */
final class ChaosReport {
  static final Path DIR = Path.of("target", "chaos-reports");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A moment of the run, seconds after the load started. */
  record Event(String name, double atSeconds) {}

  final String scenario;
  final String description;
  final Map<String, Object> setup = new LinkedHashMap<>();
  final List<Event> events = new ArrayList<>();
  final Map<String, Object> traffic = new LinkedHashMap<>();
  final Map<String, Object> fault = new LinkedHashMap<>();
  final Map<String, Object> reversals = new LinkedHashMap<>();
  final Map<String, Object> extra = new LinkedHashMap<>();
  final List<Invariants.Check> checks = new ArrayList<>();

  ChaosReport(String scenario, String description) {
    this.scenario = scenario;
    this.description = description;
  }

  void event(String name, double atSeconds) {
    events.add(new Event(name, round(atSeconds)));
  }

  boolean passed() {
    return checks.stream().allMatch(Invariants.Check::passed);
  }

  /**
   * Traffic figures from the load's attempts: requests sent, approvals, declines by code, failures
   * by kind; the fault window starts {@code inFlightBefore} seconds before the fault (requests
   * already in flight then are failed by it) and ends when every terminal was served again.
   */
  void traffic(LoadDriver load, long faultNanos, long servedNanos, double inFlightBeforeSeconds) {
    List<LoadDriver.Attempt> all = load.attempts();
    long windowStart = faultNanos - (long) (inFlightBeforeSeconds * 1e9);
    int sent = 0;
    int approvals = 0;
    int signOns = 0;
    int failedByFault = 0;
    int failedOutsideFault = 0;
    Map<String, Integer> declines = new TreeMap<>();
    Map<String, Integer> failures = new TreeMap<>();
    List<Double> latencies = new ArrayList<>();
    for (LoadDriver.Attempt a : all) {
      if (!a.financial()) {
        signOns++;
        continue;
      }
      if (a.outcome() != LoadDriver.Outcome.REFUSED
          && a.outcome() != LoadDriver.Outcome.NOT_CONNECTED) sent++;
      boolean failed;
      if (a.outcome() == LoadDriver.Outcome.REPLIED) {
        latencies.add(a.latencySeconds());
        if (a.approved()) {
          approvals++;
          failed = false;
        } else {
          declines.merge(a.code(), 1, Integer::sum);
          failed = true;
        }
      } else {
        failures.merge(a.outcome().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
        failed = true;
      }
      if (failed) {
        boolean inWindow = a.doneAtNanos() >= windowStart && a.sentAtNanos() <= servedNanos;
        if (inWindow) failedByFault++;
        else failedOutsideFault++;
      }
    }
    latencies.sort(Double::compare);
    traffic.put("requests", sent);
    traffic.put("approvals", approvals);
    traffic.put("declinesByCode", declines);
    traffic.put("failuresByKind", failures);
    traffic.put("signOns", signOns);
    traffic.put("failedByTheFault", failedByFault);
    traffic.put("failedOutsideTheFault", failedOutsideFault);
    traffic.put("latencyP50s", round(percentile(latencies, 0.50)));
    traffic.put("latencyP99s", round(percentile(latencies, 0.99)));
    traffic.put(
        "latencyMaxs", round(latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1)));
    traffic.put("tps", round(sent / Math.max(1e-9, load.secondsSinceStart(System.nanoTime()))));
    traffic.put("nodeSwitchesAfterNoReply", load.nodeSwitches());
    traffic.put("reconnectionsAfterDrop", load.reconnections());
    traffic.put("signOnsAfterA0", load.signOnsAfterMacRefusal());
  }

  /**
   * Served-again figures: seconds from the fault until each terminal's first approval after it
   * (this includes the terminal's own reply timeout when its request hung), and when the last
   * request that failed was sent (closer to when the switch itself recovered).
   */
  void servedAgain(
      Map<String, Optional<Double>> served, List<LoadDriver.Attempt> attempts, long faultNanos) {
    double lastFailed =
        attempts.stream()
            .filter(a -> a.financial() && !a.approved() && a.sentAtNanos() >= faultNanos)
            .mapToDouble(a -> (a.sentAtNanos() - faultNanos) / 1e9)
            .max()
            .orElse(0);
    fault.put("lastFailedRequestSentAfterS", round(lastFailed));
    List<Double> s = served.values().stream().flatMap(Optional::stream).sorted().toList();
    fault.put("terminalsServedAgain", s.size() + "/" + served.size());
    fault.put(
        "allServedAgainAfterS",
        s.size() == served.size() && !s.isEmpty() ? round(s.get(s.size() - 1)) : null);
    fault.put("medianServedAgainAfterS", round(percentile(s, 0.5)));
    Map<String, Double> slowest = new LinkedHashMap<>();
    served.entrySet().stream()
        .filter(e -> e.getValue().isPresent())
        .sorted((a, b) -> Double.compare(b.getValue().get(), a.getValue().get()))
        .limit(3)
        .forEach(e -> slowest.put(e.getKey(), round(e.getValue().get())));
    fault.put("slowestTerminals", slowest);
  }

  static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) return 0;
    int i = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", scenario);
    m.put("description", description);
    m.put("passed", passed());
    m.put("setup", setup);
    m.put("events", events);
    m.put("traffic", traffic);
    m.put("fault", fault);
    m.put("reversals", reversals);
    if (!extra.isEmpty()) m.put("extra", extra);
    m.put("invariants", checks);
    return m;
  }

  /** The short text table. */
  String text() {
    StringBuilder b = new StringBuilder();
    b.append("== chaos scenario ")
        .append(scenario)
        .append(": ")
        .append(passed() ? "PASSED" : "FAILED")
        .append(" ==\n");
    b.append(description).append('\n');
    b.append("setup     ").append(setup).append('\n');
    b.append("timeline  ");
    for (Event e : events) b.append(e.name()).append('@').append(e.atSeconds()).append("s  ");
    b.append('\n');
    b.append(
        String.format(
            Locale.ROOT,
            "requests  %s sent, %s approved, declines %s, failures %s, %s sign-ons%n",
            traffic.get("requests"),
            traffic.get("approvals"),
            traffic.get("declinesByCode"),
            traffic.get("failuresByKind"),
            traffic.get("signOns")));
    b.append(
        String.format(
            Locale.ROOT,
            "          %s failed by the fault, %s outside it; latency p50 %ss p99 %ss max %ss; %s tps%n",
            traffic.get("failedByTheFault"),
            traffic.get("failedOutsideTheFault"),
            traffic.get("latencyP50s"),
            traffic.get("latencyP99s"),
            traffic.get("latencyMaxs"),
            traffic.get("tps")));
    b.append(
        String.format(
            Locale.ROOT,
            "terminals %s moves to the next node (no reply, no node, refused), %s reconnections after a drop, %s sign-ons after A0%n",
            traffic.get("nodeSwitchesAfterNoReply"),
            traffic.get("reconnectionsAfterDrop"),
            traffic.get("signOnsAfterA0")));
    b.append("fault     ").append(fault).append('\n');
    b.append("reversals ").append(reversals).append('\n');
    if (!extra.isEmpty()) b.append("extra     ").append(extra).append('\n');
    b.append(
        String.format(Locale.ROOT, "%-3s %-22s %-6s %s%n", "#", "invariant", "result", "detail"));
    for (Invariants.Check c : checks) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-3s %-22s %-6s %s%n",
              c.id(),
              c.name(),
              c.passed() ? "PASS" : "FAIL",
              c.detail()));
      for (String v : c.violations()) b.append("      - ").append(v).append('\n');
    }
    return b.toString();
  }

  /** Writes both files and prints the table; returns the text. */
  String write() throws IOException {
    Files.createDirectories(DIR);
    String text = text();
    Files.writeString(DIR.resolve(scenario + ".txt"), text, StandardCharsets.UTF_8);
    Files.writeString(
        DIR.resolve(scenario + ".json"), JSON.writeValueAsString(asMap()), StandardCharsets.UTF_8);
    System.out.println(text);
    return text;
  }
}
