package org.posp.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.posp.sim.cardbus.CardBusHostConfig;
import org.posp.sim.cardbus.HostMessage;
import org.posp.sim.cardbus.Operation;
import org.posp.sim.cardbus.TerminalTotals;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.TxnRecord;

/**
 * One chaos scenario end to end: its own database in the shared PostgreSQL, a card-bus host
 * process, the switch nodes, {@link LoadDriver} load; the scenario injects its fault in between;
 * then {@link #finish} stops the load, lets the terminals send their pending reversals, waits
 * (bounded) for the three records to agree, checks the invariants, settles every terminal and
 * writes the report.
 */
final class ChaosRun implements AutoCloseable {
  /**
   * How many nodes the cluster scenarios run: {@code -Dposp.chaos.nodes=1} runs them on one node.
   */
  static final int NODES = Integer.getInteger("posp.chaos.nodes", 3);

  static final Duration NODE_START =
      Duration.ofSeconds(Integer.getInteger("posp.chaos.node-start-seconds", 150));
  static final Path LOGS = Path.of("target", "chaos-logs");

  /**
   * Orphans must be reversed within this after the load stopped (target: 60 s after the cluster is
   * stable).
   */
  static final Duration ORPHAN_BOUND = Duration.ofSeconds(60);

  /** Every terminal must be served again within this after the fault ended. */
  static final double SERVED_BOUND_SECONDS = 90;

  private static EmbeddedDatabase database;

  /** The scenario's shape. */
  record Settings(
      int nodes,
      int spares,
      int terminals,
      LoadDriver.Options load,
      Map<String, String> nodeProperties) {
    static Settings cluster(int spares) {
      return new Settings(
          NODES, NODES > 1 ? spares : 0, 30, LoadDriver.Options.defaults(), Map.of());
    }

    static Settings singleNode() {
      return new Settings(1, 0, 30, LoadDriver.Options.defaults(), Map.of());
    }

    Settings with(String key, String value) {
      Map<String, String> p = new LinkedHashMap<>(nodeProperties);
      p.put(key, value);
      return new Settings(nodes, spares, terminals, load, p);
    }
  }

  final ChaosReport report;
  final Settings settings;
  final String dbName;
  final CardBusHostProcess host;
  final Cluster cluster;
  LoadDriver load;

  /** The PostgreSQL every scenario of this JVM shares (one database each), started on first use. */
  static synchronized EmbeddedDatabase database() throws IOException {
    if (database == null || !database.running()) {
      if (database == null) {
        Path parent = Path.of("target", "chaos-pg").toAbsolutePath();
        removeDeadRuns(parent);
        Path dir = parent.resolve("run-" + ProcessHandle.current().pid());
        database = EmbeddedDatabase.start(dir, LOGS.resolve("postgresql.log"));
      } else {
        database.start();
      }
    }
    return database;
  }

  /**
   * Deletes the data directories of earlier test JVMs (run-&lt;pid&gt;) whose JVM and postmaster
   * are gone; one whose postmaster still runs (an earlier run killed hard) is left alone.
   */
  private static void removeDeadRuns(Path parent) throws IOException {
    if (!Files.isDirectory(parent)) return;
    try (var dirs = Files.list(parent)) {
      for (Path d : dirs.toList()) {
        String name = d.getFileName().toString();
        if (!name.matches("run-\\d+")
            || ProcessHandle.of(Long.parseLong(name.substring(4))).isPresent()) continue;
        Path pid = d.resolve("postmaster.pid");
        if (Files.exists(pid)) {
          String first = Files.readAllLines(pid).stream().findFirst().orElse("").trim();
          if (first.matches("\\d+") && ProcessHandle.of(Long.parseLong(first)).isPresent())
            continue;
        }
        try (var walk = Files.walk(d)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
      }
    }
  }

  ChaosRun(String scenario, String description, Path workDir, Settings settings) throws Exception {
    this.report = new ChaosReport(scenario, description);
    this.settings = settings;
    Files.createDirectories(LOGS);
    EmbeddedDatabase db = database();
    this.dbName = scenario.replace('-', '_');
    db.createDatabase(dbName);
    CardBusHostProcess h =
        CardBusHostProcess.start(
            LOGS.resolve(scenario + "-card-bus-host.log"),
            CardBusHostConfig.DEMO_ZPK,
            Duration.ofSeconds(25),
            Duration.ofSeconds(60));
    Cluster c = null;
    try {
      Map<String, String> props = new LinkedHashMap<>(db.nodeProperties(dbName));
      props.put("posp.demo", "on");
      props.put("posp.demo-data.card-bus-simulator", "off");
      props.put("posp.card-bus.endpoints.cups.addresses.0", "127.0.0.1:" + h.tcpPort());
      props.put("posp.card-bus.endpoints.cups.zpk.clear", CardBusHostConfig.DEMO_ZPK);
      props.put("posp.card-bus.routes.default", "cups");
      props.put("posp.metrics.enabled", "off");
      // store-and-forward reversals retried quickly so that the orphan check fits a CI run
      props.put("posp.terminal.reversal-first-retry", "2s");
      props.put("posp.terminal.reversal-max-backoff", "10s");
      props.putAll(settings.nodeProperties());
      c =
          new Cluster(
              workDir,
              LOGS,
              scenario,
              settings.nodes(),
              settings.spares(),
              settings.nodes() > 1,
              props,
              Map.of("POSP_LMK", DemoTerminals.CLUSTER_LMK, "POSP_LOG_LEVEL", "INFO"),
              List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    } catch (Exception | Error e) {
      h.close();
      throw e;
    }
    this.host = h;
    this.cluster = c;
    report.setup.put("nodes", settings.nodes());
    report.setup.put("mode", settings.nodes() > 1 ? "cluster" : "single");
    report.setup.put("terminals", settings.terminals());
    report.setup.put("thinkTimeMs", settings.load().thinkTime().toMillis());
    report.setup.put("terminalReplyTimeoutS", settings.load().replyTimeout().toSeconds());
    report.setup.put("journal", "PostgreSQL (embedded), database " + dbName);
    if (!settings.nodeProperties().isEmpty())
      report.setup.put("nodeProperties", settings.nodeProperties());
  }

  /** Starts the nodes, then the load; returns when every terminal had an approval (bounded). */
  void start() throws Exception {
    long t0 = System.nanoTime();
    cluster.startAll(NODE_START);
    report.setup.put("clusterStartS", ChaosReport.round((System.nanoTime() - t0) / 1e9));
    load =
        new LoadDriver(
            DemoTerminals.MERCHANT,
            DemoTerminals.ids(0, settings.terminals()),
            cluster.terminalAddresses(),
            settings.nodes(),
            settings.load().withTerminals(settings.terminals()));
    load.start();
    mark("load started");
    if (!awaitAllServedSince(load.startNanos, Duration.ofSeconds(90))) {
      throw new IllegalStateException(
          "not every terminal got an approval within 90 s of the load start; served: "
              + load.servedAgain(load.startNanos)
              + "; logs in "
              + LOGS.toAbsolutePath());
    }
    mark("all terminals served");
  }

  /** Records an event at the current time; returns that time (nanos). */
  long mark(String event) {
    long now = System.nanoTime();
    report.event(event, load == null ? 0 : load.secondsSinceStart(now));
    return now;
  }

  double seconds(long nanos) {
    return load.secondsSinceStart(nanos);
  }

  /** Waits until every terminal had an approval of a request sent after {@code sinceNanos}. */
  boolean awaitAllServedSince(long sinceNanos, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (load.allServedSince(sinceNanos)) return true;
      Thread.sleep(200);
    }
    return load.allServedSince(sinceNanos);
  }

  static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  /**
   * Stops the load and decides every invariant; {@code faultNanos} is when the fault began and
   * {@code recoveredNanos} when it ended (the same for an instant fault).
   */
  ChaosReport finish(long faultNanos, long recoveredNanos) throws Exception {
    Map<String, Optional<Double>> served = load.servedAgain(faultNanos);
    double faultSeconds = (recoveredNanos - faultNanos) / 1e9;
    long allServedNanos =
        faultNanos
            + (long)
                (served.values().stream()
                        .flatMap(Optional::stream)
                        .mapToDouble(Double::doubleValue)
                        .max()
                        .orElse(0)
                    * 1e9);
    load.stop();
    long stopped = mark("load stopped");
    List<String> pending = load.flushPendingReversals(Duration.ofSeconds(60));
    mark("terminal reversals flushed");

    // 2. no orphan debits: poll the host until it agrees with the terminals (bounded)
    List<TxnRecord> journal = load.journal().all();
    long deadline = stopped + ORPHAN_BOUND.toNanos();
    List<HostMessage> hostMessages = host.messages();
    List<String> orphans = Invariants.orphans(journal, hostMessages, null);
    while (!orphans.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      hostMessages = host.messages();
      orphans = Invariants.orphans(journal, hostMessages, null);
    }
    double orphanSeconds = (System.nanoTime() - stopped) / 1e9;
    mark("host agrees with terminals");

    Map<String, JsonNode> views = new TreeMap<>();
    for (String tid : load.terminalIds()) {
      cluster.terminalView(DemoTerminals.MERCHANT, tid).ifPresent(v -> views.put(tid, v));
    }
    List<String> remaining = new ArrayList<>(Invariants.orphans(journal, hostMessages, views));
    pending.forEach(tid -> remaining.add("terminal " + tid + " could not deliver its reversals"));
    int hostReversalMessages =
        (int) hostMessages.stream().filter(m -> m.operation() == Operation.REVERSAL).count();

    report.checks.add(Invariants.durableApprovals(journal, views));
    report.checks.add(
        Invariants.noOrphans(
            remaining, orphanSeconds, ORPHAN_BOUND.toSeconds(), hostReversalMessages));
    report.checks.add(Invariants.noDoubleDebits(hostMessages, new HashSet<>(load.terminalIds())));

    Map<String, SettlementResult> settled = settleAll();
    mark("terminals settled");
    Map<String, TerminalTotals> hostTotals = new TreeMap<>();
    for (TerminalTotals t : host.terminals()) {
      if (DemoTerminals.MERCHANT.equals(t.merchantId())) hostTotals.put(t.terminalId(), t);
    }
    hostMessages = host.messages();
    report.checks.add(Invariants.balanced(settled, hostTotals, load.journal().all(), hostMessages));
    if (faultNanos > 0)
      report.checks.add(Invariants.boundedFailover(served, faultSeconds, SERVED_BOUND_SECONDS));
    List<String> pans = new ArrayList<>(LoadDriver.CARDS);
    pans.add(LoadDriver.LOST_REPLY_CARD);
    report.checks.add(Invariants.noClearPanInLogs(cluster.logs(), pans));
    if ("json".equals(settings.nodeProperties().get("POSP_LOG_FORMAT")))
      report.checks.add(Invariants.jsonLogs(cluster.logs()));
    if (!load.errors().isEmpty()) {
      report.checks.add(
          Invariants.Check.of(
              "H",
              "load harness",
              "terminal threads ended by exceptions",
              load.errors().entrySet().stream()
                  .map(e -> e.getKey() + ": " + e.getValue())
                  .toList()));
    }

    report.traffic(
        load,
        faultNanos > 0 ? faultNanos : stopped,
        faultNanos > 0 ? allServedNanos : stopped,
        settings.load().replyTimeout().toSeconds());
    if (faultNanos > 0) report.servedAgain(served, load.attempts(), faultNanos);
    int terminalReversed = (int) journal.stream().filter(TxnRecord::reversed).count();
    report.reversals.put("terminalReversalsSent", load.reversalsSent());
    report.reversals.put("terminalTransactionsReversed", terminalReversed);
    report.reversals.put("hostReversalMessages", hostReversalMessages);
    report.reversals.put(
        "hostDebitsReversed",
        hostMessages.stream()
            .filter(m -> m.operation() == Operation.SALE && m.approved() && m.reversed())
            .count());
    report.reversals.put("orphansClearedAfterS", ChaosReport.round(orphanSeconds));
    report.reversals.put(
        "switchTxnsReversed",
        views.values().stream()
            .flatMap(v -> StreamSupport.stream(v.path("transactions").spliterator(), false))
            .filter(t -> "REVERSED".equals(t.path("status").asText()))
            .count());
    report.reversals.put(
        "switchReversalsStillPending",
        views.values().stream()
            .flatMap(v -> StreamSupport.stream(v.path("transactions").spliterator(), false))
            .filter(t -> t.path("reversalPending").asBoolean())
            .count());
    report.reversals.put("switchViewsRead", views.size() + "/" + load.terminalIds().size());
    try {
      report.setup.put(
          "journalRows", database().queryLong(dbName, "SELECT count(*) FROM event_journal"));
    } catch (SQLException e) {
      report.setup.put("journalRows", "unreadable: " + e.getMessage());
    }
    report.write();
    return report;
  }

  private Map<String, SettlementResult> settleAll() throws Exception {
    return load.settleAll(Duration.ofSeconds(120));
  }

  @Override
  public void close() throws Exception {
    try {
      if (load != null) load.close();
    } finally {
      try {
        cluster.close();
      } finally {
        host.close();
      }
    }
  }
}
