package org.posp.sim.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads the load generator's JSON reports of a benchmark run and summarises them: per scenario the
 * saturation (the highest approved sales/s of its closed-loop runs), the latency of its open-loop
 * runs at fractions of that rate, and the ratio of its saturation to the first scenario's (the echo
 * server: what this machine does with this codec and no switch at all).
 *
 * <p>Layout: {@code DIR/<n>-<scenario>/closed-<concurrency>.json} and {@code
 * .../open-<percent>.json} (the bench script writes them). Usage: {@code BenchReport --saturation
 * DIR/<n>-<scenario>} prints the saturation as a number (for the script); {@code BenchReport DIR}
 * writes {@code DIR/report.md} and {@code DIR/summary.json} and prints the table.
 */
public final class BenchReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One scenario's figures. */
  record Scenario(
      String name,
      double saturation,
      int saturationConcurrency,
      double saturationP99,
      List<Open> open,
      List<Closed> closed,
      List<Open> fixed,
      String notes) {}

  record Closed(
      int concurrency, double approvedSalesPerSecond, double p50, double p99, long errors) {}

  record Open(
      int percent,
      double rate,
      double achieved,
      double p50,
      double p90,
      double p99,
      double p999,
      double max,
      long errors,
      long late) {}

  private BenchReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 2 && args[0].equals("--saturation")) {
      Scenario s = scenario(Path.of(args[1]));
      System.out.println(String.format(Locale.ROOT, "%.1f", s.saturation()));
      return;
    }
    if (args.length != 1) {
      System.err.println("usage: BenchReport DIR | BenchReport --saturation DIR/<n>-<scenario>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    List<Scenario> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isDirectory).sorted().toList()) all.add(scenario(p));
    }
    if (all.isEmpty()) throw new IOException("no scenario directories in " + dir);
    String md = markdown(dir, all);
    Files.writeString(dir.resolve("report.md"), md);
    Files.writeString(dir.resolve("summary.json"), JSON.writeValueAsString(summary(all)) + "\n");
    System.out.print(md);
  }

  static Scenario scenario(Path dir) throws IOException {
    List<Closed> closed = new ArrayList<>();
    List<Open> open = new ArrayList<>();
    List<Open> fixed = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
        String f = p.getFileName().toString();
        JsonNode r = JSON.readTree(p.toFile());
        JsonNode sale = r.path("latencyMs").path("sale");
        long errors = r.path("counts").path("errors").asLong() + nonApproved(r);
        if (f.startsWith("closed-")) {
          closed.add(
              new Closed(
                  r.path("concurrency").asInt(),
                  r.path("approvedSalesPerSecond").asDouble(),
                  sale.path("p50").asDouble(),
                  sale.path("p99").asDouble(),
                  errors));
        } else if (f.startsWith("open-") || f.startsWith("rate-")) {
          int n = Integer.parseInt(f.substring(5, f.length() - 5));
          Open o =
              new Open(
                  n,
                  r.path("rate").asDouble(),
                  r.path("approvedSalesPerSecond").asDouble(),
                  sale.path("p50").asDouble(),
                  sale.path("p90").asDouble(),
                  sale.path("p99").asDouble(),
                  sale.path("p999").asDouble(),
                  sale.path("max").asDouble(),
                  errors,
                  r.path("counts").path("late").asLong());
          (f.startsWith("open-") ? open : fixed).add(o);
        }
      }
    }
    closed.sort(Comparator.comparingInt(Closed::concurrency));
    open.sort(Comparator.comparingInt(Open::percent));
    fixed.sort(Comparator.comparingInt(Open::percent));
    Closed best =
        closed.stream()
            .max(Comparator.comparingDouble(Closed::approvedSalesPerSecond))
            .orElseThrow(() -> new IOException("no closed-loop report in " + dir));
    String name = dir.getFileName().toString().replaceFirst("^\\d+-", "");
    Path notes = dir.resolve("notes.txt");
    return new Scenario(
        name,
        best.approvedSalesPerSecond(),
        best.concurrency(),
        best.p99(),
        open,
        closed,
        fixed,
        Files.exists(notes) ? Files.readString(notes).trim() : "");
  }

  /** Sales answered with anything but 00 (a benchmark counts only approvals). */
  private static long nonApproved(JsonNode r) {
    long n = 0;
    var codes = r.path("codes").path("sale").fields();
    while (codes.hasNext()) {
      var e = codes.next();
      if (!e.getKey().equals("00")) n += e.getValue().asLong();
    }
    return n;
  }

  private static ObjectNode summary(List<Scenario> all) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", "posp-bench-summary/1");
    double base = all.get(0).saturation();
    ArrayNode arr = root.putArray("scenarios");
    for (Scenario s : all) {
      ObjectNode n = JSON.valueToTree(s);
      n.put("ratioToFirst", base > 0 ? s.saturation() / base : 0);
      arr.add(n);
    }
    return root;
  }

  static String markdown(Path dir, List<Scenario> all) {
    StringBuilder b = new StringBuilder();
    double base = all.get(0).saturation();
    b.append("# Benchmark ").append(dir.getFileName()).append("\n\n");
    b.append("| scenario | approved sales/s at saturation (concurrency) | ratio to ")
        .append(all.get(0).name())
        .append(
            " | p50 / p99 ms at 50% | p50 / p99 ms at 80% | errors |\n|---|---|---|---|---|---|\n");
    for (Scenario s : all) {
      long errors =
          s.closed().stream().mapToLong(Closed::errors).sum()
              + s.open().stream().mapToLong(Open::errors).sum()
              + s.fixed().stream().mapToLong(Open::errors).sum();
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f (%d) | %.3f | %s | %s | %d |%n",
              s.name(),
              s.saturation(),
              s.saturationConcurrency(),
              base > 0 ? s.saturation() / base : 0,
              at(s, 50),
              at(s, 80),
              errors));
    }
    b.append("\nClosed-loop sweeps (approved sales/s, p50 / p99 ms):\n\n");
    for (Scenario s : all) {
      b.append("- ").append(s.name()).append(": ");
      b.append(
          String.join(
              ", ",
              s.closed().stream()
                  .map(
                      c ->
                          String.format(
                              Locale.ROOT,
                              "c=%d %.0f/s %.1f/%.1f",
                              c.concurrency(),
                              c.approvedSalesPerSecond(),
                              c.p50(),
                              c.p99()))
                  .toList()));
      if (!s.notes().isEmpty()) b.append(" — ").append(s.notes());
      b.append('\n');
    }
    b.append("\nOpen loop (target rate, achieved, p50 / p90 / p99 / p99.9 / max ms, late):\n\n");
    for (Scenario s : all) {
      for (Open o : s.open()) {
        b.append(
            String.format(
                Locale.ROOT,
                "- %s at %d%%: %.0f/s -> %.0f/s, %.2f / %.2f / %.2f / %.2f / %.2f, late %d%n",
                s.name(),
                o.percent(),
                o.rate(),
                o.achieved(),
                o.p50(),
                o.p90(),
                o.p99(),
                o.p999(),
                o.max(),
                o.late()));
      }
      for (Open o : s.fixed()) {
        b.append(
            String.format(
                Locale.ROOT,
                "- %s at a fixed %.0f/s -> %.0f/s, %.2f / %.2f / %.2f / %.2f / %.2f, late %d%n",
                s.name(),
                o.rate(),
                o.achieved(),
                o.p50(),
                o.p90(),
                o.p99(),
                o.p999(),
                o.max(),
                o.late()));
      }
    }
    return b.toString();
  }

  private static String at(Scenario s, int pct) {
    return s.open().stream()
        .filter(o -> o.percent() == pct)
        .findFirst()
        .map(o -> String.format(Locale.ROOT, "%.1f / %.1f", o.p50(), o.p99()))
        .orElse("-");
  }
}
