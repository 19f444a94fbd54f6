package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * grafana/posp-switch-dashboard.json (监控大盘) is a valid Grafana dashboard that reads only metrics
 * the switch exports, in their exported form: rename a metric in the code and this list, or the
 * dashboard, must follow.
 */
class GrafanaDashboardTest {
  private static final Path DASHBOARD = Path.of("grafana/posp-switch-dashboard.json");

  /** Gauges and counters as exported by Kamon's Prometheus reporter. */
  private static final Set<String> PLAIN =
      Set.of(
          "posp_terminal_requests_total",
          "posp_terminal_requests_in_flight",
          "posp_terminal_connections",
          "posp_card_bus_requests_total",
          "posp_card_bus_link_up",
          "posp_card_bus_breaker_open",
          "posp_store_forward_queue_depth",
          "posp_store_forward_oldest_age_seconds",
          "http_server_requests_total");

  /**
   * Histograms (_bucket, _sum, _count). Kamon exports its range samplers and sampled gauges (hosted
   * entities, active actors, heap, CPU, pool usage, queue size) as histograms too: a bare name
   * would read nothing.
   */
  private static final Set<String> HISTOGRAMS =
      Set.of(
          "posp_terminal_request_latency_seconds",
          "posp_card_bus_request_latency_seconds",
          "posp_persistence_latency_seconds",
          "pekko_cluster_sharding_region_hosted_entities",
          "pekko_cluster_sharding_region_hosted_shards",
          "pekko_system_active_actors",
          "pekko_group_time_in_mailbox_seconds",
          "jdbc_pool_connections_borrowed",
          "jdbc_pool_borrow_time_seconds",
          "jvm_memory_used_bytes",
          "jvm_gc_seconds",
          "process_cpu_usage",
          "executor_queue_size");

  /** What the dashboard may call: also exactly what render-dashboard.py evaluates. */
  private static final Set<String> FUNCTIONS =
      Set.of("sum", "max", "min", "avg", "rate", "histogram_quantile");

  private static final List<String> ROWS =
      List.of("Traffic", "Latency", "Channels", "Store and forward", "Cluster", "JVM and database");

  private static Map<String, Object> dashboard;

  @BeforeAll
  static void load() throws IOException {
    dashboard =
        map(MiniJson.parse(Files.readString(DASHBOARD, StandardCharsets.UTF_8)), "dashboard");
  }

  static Set<String> exportedMetrics() {
    Set<String> names = new TreeSet<>(PLAIN);
    HISTOGRAMS.forEach(h -> Stream.of("_bucket", "_sum", "_count").forEach(s -> names.add(h + s)));
    return names;
  }

  /** Every problem of one expression against the exported metrics; empty when it is fine. */
  static List<String> problems(String expr) {
    List<String> problems = new ArrayList<>();
    PromQlReading reading = PromQlReading.of(expr);
    if (reading.selectors().isEmpty()) {
      problems.add("reads no metric");
    }
    for (String f : reading.functions()) {
      if (!FUNCTIONS.contains(f)) {
        problems.add("calls " + f + "(), outside " + new TreeSet<>(FUNCTIONS));
      }
    }
    for (PromQlReading.Selector s : reading.selectors()) {
      if (!exportedMetrics().contains(s.metric())) {
        problems.add("reads " + s.metric() + ", which the switch does not export");
      }
      if (!s.matchers().contains("instance=~\"$instance\"")) {
        problems.add(s.metric() + " is not filtered by instance=~\"$instance\"");
      }
      boolean cumulative = s.metric().matches(".*_(total|bucket|sum|count)");
      if (cumulative && !s.enclosing().equals("rate")) {
        problems.add(s.metric() + " is cumulative: read it through rate()");
      }
      if (!cumulative && s.enclosing().equals("rate")) {
        problems.add(s.metric() + " is a gauge: rate() of it means nothing");
      }
    }
    boolean buckets = reading.metrics().stream().anyMatch(m -> m.endsWith("_bucket"));
    if (buckets
        && !expr.matches("histogram_quantile\\(0?\\.\\d+, sum by \\(le, [^)]+\\) \\(rate\\(.*")) {
      problems.add(
          "buckets must be read as histogram_quantile(q, sum by (le, ...) (rate(..._bucket[...])))");
    }
    return problems;
  }

  @Test
  void isASchema39DashboardWithTheDatasourceAndInstanceVariables() {
    assertEquals(39L, dashboard.get("schemaVersion"));
    assertEquals("posp-switch", dashboard.get("uid"));
    Map<String, Object> input =
        map(list(dashboard.get("__inputs"), "__inputs").get(0), "__inputs[0]");
    assertEquals("DS_PROMETHEUS", input.get("name"));
    assertEquals("prometheus", input.get("pluginId"));

    Map<String, Map<String, Object>> variables = new HashMap<>();
    for (Object v :
        list(map(dashboard.get("templating"), "templating").get("list"), "templating.list")) {
      Map<String, Object> variable = map(v, "variable");
      variables.put((String) variable.get("name"), variable);
    }
    Map<String, Object> datasource = variables.get("datasource");
    assertEquals("datasource", datasource.get("type"));
    assertEquals("prometheus", datasource.get("query"));
    assertEquals(
        "${DS_PROMETHEUS}",
        map(datasource.get("current"), "datasource.current").get("value"),
        "a UI import fills the datasource variable from the DS_PROMETHEUS input");

    Map<String, Object> instance = variables.get("instance");
    assertEquals("query", instance.get("type"));
    assertEquals(true, instance.get("multi"));
    assertEquals(true, instance.get("includeAll"));
    assertEquals("label_values(posp_terminal_connections, instance)", instance.get("definition"));
    assertEquals(
        "label_values(posp_terminal_connections, instance)",
        map(instance.get("query"), "instance.query").get("query"));
    assertEquals(
        "${datasource}", map(instance.get("datasource"), "instance.datasource").get("uid"));
    assertTrue(exportedMetrics().contains("posp_terminal_connections"));
  }

  @Test
  void everyPanelHasThePrometheusDatasourceAUniqueIdAndAPlaceOnTheGrid() {
    Set<Object> ids = new HashSet<>();
    boolean[][] cells = new boolean[500][24];
    for (Map<String, Object> p : panels()) {
      String where = "panel " + p.get("id") + " '" + p.get("title") + "'";
      assertTrue(p.get("id") instanceof Long, where + ": id");
      assertTrue(ids.add(p.get("id")), where + ": duplicate id");
      assertTrue(p.get("title") instanceof String t && !t.isBlank(), where + ": title");
      Map<String, Object> grid = map(p.get("gridPos"), where + " gridPos");
      long x = (Long) grid.get("x");
      long y = (Long) grid.get("y");
      long w = (Long) grid.get("w");
      long h = (Long) grid.get("h");
      assertTrue(
          x >= 0 && w >= 1 && x + w <= 24 && y >= 0 && h >= 1 && y + h <= cells.length,
          where + ": " + grid);
      for (long r = y; r < y + h; r++) {
        for (long c = x; c < x + w; c++) {
          assertFalse(
              cells[(int) r][(int) c],
              where + " overlaps another panel at row " + r + " column " + c);
          cells[(int) r][(int) c] = true;
        }
      }
      if (p.get("type").equals("row")) {
        assertEquals(24L, w, where + ": a row spans the width");
        continue;
      }
      Map<String, Object> ds = map(p.get("datasource"), where + " datasource");
      assertEquals("prometheus", ds.get("type"), where);
      assertEquals("${datasource}", ds.get("uid"), where);
      assertTrue(
          Set.of("timeseries", "stat", "state-timeline").contains(p.get("type")), where + ": type");
      Object unit = map(map(p.get("fieldConfig"), where).get("defaults"), where).get("unit");
      assertTrue(unit instanceof String u && !u.isBlank(), where + ": every panel states its unit");
    }
    assertTrue(ids.size() > ROWS.size(), "panels besides the rows");
  }

  @Test
  void everyTargetReadsOnlyExportedMetricsInTheirExportedForm() {
    int expressions = 0;
    for (Map<String, Object> p : panels()) {
      if (p.get("type").equals("row")) {
        continue;
      }
      String where = "panel " + p.get("id") + " '" + p.get("title") + "'";
      List<Object> targets = list(p.get("targets"), where + " targets");
      assertFalse(targets.isEmpty(), where + ": at least one target");
      Set<Object> refIds = new HashSet<>();
      for (Object o : targets) {
        Map<String, Object> t = map(o, where + " target");
        assertTrue(refIds.add(t.get("refId")), where + ": duplicate refId " + t.get("refId"));
        assertEquals(
            "${datasource}",
            map(t.get("datasource"), where + " target datasource").get("uid"),
            where);
        String expr = (String) t.get("expr");
        assertTrue(expr != null && !expr.isBlank(), where + ": expr");
        assertEquals(List.of(), problems(expr), where + " " + t.get("refId") + ": " + expr);
        expressions++;
      }
    }
    assertTrue(expressions >= 25, "expressions checked: " + expressions);
  }

  @Test
  void theSixRowsComeInOrderEachWithPanels() {
    List<String> rows = new ArrayList<>();
    Map<String, Integer> panelsBelow = new HashMap<>();
    String current = null;
    for (Map<String, Object> p : panels()) {
      if (p.get("type").equals("row")) {
        current = (String) p.get("title");
        rows.add(current);
        assertEquals(false, p.get("collapsed"), current + ": expanded, its panels follow it");
      } else {
        assertTrue(current != null, "panel " + p.get("title") + " above the first row");
        panelsBelow.merge(current, 1, Integer::sum);
      }
    }
    assertEquals(ROWS, rows);
    ROWS.forEach(r -> assertTrue(panelsBelow.getOrDefault(r, 0) >= 2, r + ": at least two panels"));
  }

  @Test
  void stateTimelinesMapBothStates() {
    int timelines = 0;
    for (Map<String, Object> p : panels()) {
      if (p.get("type").equals("state-timeline")) {
        timelines++;
        Map<String, Object> defaults =
            map(map(p.get("fieldConfig"), "fieldConfig").get("defaults"), "defaults");
        Map<String, Object> options =
            map(
                map(list(defaults.get("mappings"), "mappings").get(0), "mapping").get("options"),
                "mapping options");
        assertEquals(Set.of("0", "1"), options.keySet(), "panel " + p.get("title"));
      }
    }
    assertEquals(2, timelines, "link state and breaker state");
  }

  @Test
  void aRenamedOrMisusedMetricIsReported() {
    String good = "sum by (type) (rate(posp_terminal_requests_total{instance=~\"$instance\"}[1m]))";
    assertEquals(List.of(), problems(good));
    assertEquals(
        List.of("reads posp_terminal_request_total, which the switch does not export"),
        problems(good.replace("requests_total", "request_total")));
    assertEquals(
        List.of("posp_terminal_requests_total is not filtered by instance=~\"$instance\""),
        problems(good.replace("instance=~\"$instance\"", "")));
    assertEquals(
        List.of("posp_terminal_requests_total is cumulative: read it through rate()"),
        problems("sum(posp_terminal_requests_total{instance=~\"$instance\"})"));
    assertEquals(
        List.of(
            "calls irate(), outside [avg, histogram_quantile, max, min, rate, sum]",
            "posp_terminal_requests_total is cumulative: read it through rate()"),
        problems(good.replace("(rate(", "(irate(")));
    assertEquals(
        List.of("reads pekko_system_active_actors, which the switch does not export"),
        problems("sum(pekko_system_active_actors{instance=~\"$instance\"})"),
        "Kamon exports it as a histogram only");
    assertEquals(
        List.of(
            "buckets must be read as histogram_quantile(q, sum by (le, ...) (rate(..._bucket[...])))"),
        problems(
            "histogram_quantile(0.99, sum by (type) (rate(posp_terminal_request_latency_seconds_bucket"
                + "{instance=~\"$instance\"}[1m])))"));
  }

  @Test
  void theJsonReaderRejectsWhatGrafanaWouldSilentlyMisread() {
    assertEquals(
        Map.of("a", List.of(1L, 2.5, "x", true)), MiniJson.parse("{\"a\": [1, 2.5, \"x\", true]}"));
    IllegalArgumentException duplicate =
        assertThrows(
            IllegalArgumentException.class, () -> MiniJson.parse("{\"id\": 1,\n \"id\": 2}"));
    assertEquals("JSON line 2 column 2: duplicate key \"id\"", duplicate.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("[1, 2,]"));
    assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("{\"a\": 1} x"));
    assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("{\"a\": 01}"));
  }

  /** Top-level panels and the panels of collapsed rows, in file order. */
  private static List<Map<String, Object>> panels() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : list(dashboard.get("panels"), "panels")) {
      Map<String, Object> p = map(o, "panel");
      out.add(p);
      Object nested = p.get("panels");
      if (nested != null) {
        list(nested, "row panels").forEach(n -> out.add(map(n, "row panel")));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String what) {
    if (!(o instanceof Map)) {
      fail(what + " is not a JSON object: " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o, String what) {
    if (!(o instanceof List)) {
      fail(what + " is not a JSON array: " + o);
    }
    return (List<Object>) o;
  }
}
