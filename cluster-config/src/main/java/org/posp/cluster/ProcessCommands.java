package org.posp.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command lines of the local cluster's processes and where their files go. Configuration is
 * passed as {@code -D} options (before {@code -jar}, where the JVM reads them), so that the printed
 * restart command shows every setting; the only secret, the LMK, travels in the environment.
 *
 * @param options the launcher's options
 * @param ports the port layout
 * @param home the cluster's data directory, absolute
 * @param jar the node jar, absolute
 * @param jdbcUrl the journal database (PostgreSQL)
 */
record ProcessCommands(LaunchOptions options, PortPlan ports, Path home, Path jar, String jdbcUrl) {
  /**
   * Test ZPK of the {@code cups} endpoint, shared with the simulator (demo and test systems only).
   */
  static final String DEMO_ZPK = "1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A";

  static final String DB_USER = "postgres";
  static final String DB_PASSWORD = "postgres";

  /**
   * System property on every child: which cluster it belongs to (found again after a launcher
   * crash).
   */
  static final String HOME_MARKER = "local-cluster.home";

  /**
   * System property on every child: which process of the cluster it is ({@code node-2}, {@code
   * card-bus}).
   */
  static final String ROLE_MARKER = "local-cluster.process";

  static final String CARD_BUS_ROLE = "card-bus";

  ProcessCommands {
    if (!home.isAbsolute() || !jar.isAbsolute())
      throw new IllegalArgumentException("home and jar must be absolute");
  }

  static String nodeRole(int nodeId) {
    return "node-" + nodeId;
  }

  Path nodeDataDir(int nodeId) {
    return home.resolve("node-" + nodeId);
  }

  Path nodeLog(int nodeId) {
    return home.resolve("node-" + nodeId + ".log");
  }

  Path restartScript(int nodeId) {
    return home.resolve("start-node-" + nodeId + ".sh");
  }

  Path cardBusLog() {
    return home.resolve("card-bus.log");
  }

  Path postgresDataDir() {
    return home.resolve("postgres");
  }

  Path postgresLog() {
    return home.resolve("postgres.log");
  }

  Path terminalStateDir() {
    return home.resolve("terminal");
  }

  /** Remoting address of a node, as the seed-node list and {@code /cluster/members} name it. */
  String remotingAddress(int nodeId) {
    return "pekko://posp@127.0.0.1:" + ports.node(nodeId).remote();
  }

  /**
   * The card-bus simulator: the host side of the {@code cups} endpoint, with its ledger over HTTP.
   */
  List<String> cardBus() {
    return List.of(
        options.java().toString(),
        "-Xmx" + options.simulatorHeap(),
        marker(HOME_MARKER, home.toString()),
        marker(ROLE_MARKER, CARD_BUS_ROLE),
        "-cp",
        jar.toString(),
        "org.posp.sim.cardbus.CardBusHost",
        "--bind",
        "127.0.0.1",
        "--port",
        String.valueOf(ports.cardBus()),
        "--http-port",
        String.valueOf(ports.cardBusHttp()),
        "--zpk",
        DEMO_ZPK,
        "--late-delay-ms",
        "25000");
  }

  /**
   * Node {@code nodeId}: cluster mode on the shared PostgreSQL journal, demo merchants and
   * terminals.
   */
  List<String> node(int nodeId) {
    PortPlan.NodePorts p = ports.node(nodeId);
    Map<String, String> d = new LinkedHashMap<>();
    d.put(HOME_MARKER, home.toString());
    d.put(ROLE_MARKER, nodeRole(nodeId));
    d.put("posp.mode", "cluster");
    d.put("posp.node-id", String.valueOf(nodeId));
    // demo data (merchant 898100012340001, terminal 10000001) provisioned by every node,
    // idempotently; the simulator is the separate process above, shared by all nodes
    d.put("posp.demo", "on");
    d.put("posp.demo-data.card-bus-simulator", "off");
    d.put("posp.card-bus.endpoints.cups.addresses.0", "127.0.0.1:" + ports.cardBus());
    d.put("posp.card-bus.endpoints.cups.zpk.clear", DEMO_ZPK);
    d.put("posp.card-bus.routes.default", "cups");
    d.put("posp.db.url", jdbcUrl);
    d.put("posp.db.user", DB_USER);
    d.put("posp.db.password", DB_PASSWORD);
    d.put("posp.db.driver", "org.postgresql.Driver");
    d.put("posp.db.profile", "slick.jdbc.PostgresProfile$");
    d.put("posp.data-dir", nodeDataDir(nodeId).toString());
    d.put("posp.terminal-front.host", "127.0.0.1");
    d.put("posp.terminal-front.port", String.valueOf(p.terminal()));
    d.put("posp.terminal-front.tls-port", String.valueOf(p.tls()));
    d.put("posp.http.host", "127.0.0.1");
    d.put("posp.http.port", String.valueOf(p.http()));
    d.put("pekko.management.http.hostname", "127.0.0.1");
    d.put("pekko.management.http.port", String.valueOf(p.management()));
    d.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
    d.put("pekko.remote.artery.canonical.port", String.valueOf(p.remote()));
    d.put("kamon.prometheus.embedded-server.hostname", "127.0.0.1");
    d.put("kamon.prometheus.embedded-server.port", String.valueOf(p.metrics()));
    int n = options.nodes();
    switch (options.discovery()) {
      case SEEDS -> {
        // the same list on every node, node 1 first: node 1 forms the cluster when nobody answers,
        // a restarted node 1 joins the running ones
        for (int i = 1; i <= n; i++)
          d.put("pekko.cluster.seed-nodes." + (i - 1), remotingAddress(i));
      }
      case BOOTSTRAP -> {
        String base = "pekko.management.cluster.bootstrap.contact-point-discovery.";
        d.put(base + "discovery-method", "config");
        d.put(base + "required-contact-point-nr", String.valueOf(n));
        // config discovery never changes: no need to wait for it to settle
        d.put(base + "stable-margin", "1s");
        for (int i = 1; i <= n; i++) {
          d.put("pekko.discovery.config.services.posp.endpoints." + (i - 1) + ".host", "127.0.0.1");
          d.put(
              "pekko.discovery.config.services.posp.endpoints." + (i - 1) + ".port",
              String.valueOf(ports.node(i).management()));
        }
      }
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(options.java().toString());
    cmd.add("-Xmx" + options.heap());
    d.forEach((k, v) -> cmd.add(marker(k, v)));
    cmd.add("-jar");
    cmd.add(jar.toString());
    return cmd;
  }

  /**
   * The children's environment: the launcher's, without the node's own variables ({@code POSP_*},
   * {@code CONFIG_FORCE_*}: they would override the {@code -D} options), plus the cluster's
   * secrets. {@code POSP_LOG_LEVEL} is kept so that an operator can raise the nodes' log level.
   */
  static Map<String, String> childEnvironment(
      Map<String, String> parent, Map<String, String> secrets) {
    Map<String, String> env = new LinkedHashMap<>();
    parent.forEach(
        (k, v) -> {
          if (k.equals("POSP_LOG_LEVEL")
              || !(k.startsWith("POSP_") || k.startsWith("CONFIG_FORCE_"))) env.put(k, v);
        });
    env.putAll(secrets);
    return env;
  }

  /**
   * A script that starts node {@code nodeId} again with the same ports, data and LMK (after a
   * {@code kill -9}), appends to its log and waits for its READY line.
   */
  String restartScriptText(int nodeId) {
    String log = Shell.quote(nodeLog(nodeId).toString());
    String env = Shell.quote(home.resolve(ClusterSecrets.FILE_NAME).toString());
    return String.join(
        "\n",
        "#!/bin/sh",
        "# Starts node "
            + nodeId
            + " of the local cluster again (same ports, data directory and LMK), in the",
        "# background, and waits for its READY line. Written by org.posp.cluster.LocalCluster.",
        "set -e",
        "for v in $(env | sed -n 's/^\\(POSP_[A-Za-z0-9_]*\\|CONFIG_FORCE_[A-Za-z0-9_]*\\)=.*/\\1/p'); do",
        "  [ \"$v\" = POSP_LOG_LEVEL ] || unset \"$v\"",
        "done",
        "set -a; . " + env + "; set +a",
        "log=" + log,
        "touch \"$log\"",
        "start=$(wc -c < \"$log\")",
        "echo \"==== node " + nodeId + " started again by $0 ====\" >> \"$log\"",
        "nohup " + Shell.join(node(nodeId)) + " >> \"$log\" 2>&1 < /dev/null &",
        "pid=$!",
        "echo \"node " + nodeId + ": pid $pid, log $log; waiting for its READY line\"",
        "i=0",
        "while [ $i -lt " + options.readyTimeout().toSeconds() + " ]; do",
        "  if tail -c +$((start + 1)) \"$log\" | grep -q '^POSP-NODE READY'; then",
        "    tail -c +$((start + 1)) \"$log\" | grep '^POSP-NODE READY' | head -n 1",
        "    exit 0",
        "  fi",
        "  kill -0 $pid 2>/dev/null || { echo \"node "
            + nodeId
            + " exited: see $log\" >&2; exit 1; }",
        "  sleep 1",
        "  i=$((i + 1))",
        "done",
        "echo \"node "
            + nodeId
            + " is not ready after "
            + options.readyTimeout().toSeconds()
            + " s: see $log\" >&2",
        "exit 1",
        "");
  }

  private static String marker(String key, String value) {
    return "-D" + key + "=" + value;
  }
}
