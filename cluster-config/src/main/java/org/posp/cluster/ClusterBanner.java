package org.posp.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the launcher prints once every process is ready: the ports of each process, the commands to
 * try the cluster with the terminal simulator, and how to kill and restart a node.
 */
final class ClusterBanner {
  static final String DEMO_MID = "898100012340001";
  static final String DEMO_TID = "10000001";
  static final String DEMO_TMK = "0123456789ABCDEFFEDCBA9876543210";
  static final String DEMO_PAN = "6222020600000001";
  static final String DEMO_PIN = "123456";

  private ClusterBanner() {}

  /**
   * @param nodePids pid of each node by node id
   * @param cwd the directory the operator runs the printed commands from (paths under it are shown
   *     relative)
   */
  static String render(
      ProcessCommands c,
      Map<Integer, Long> nodePids,
      long cardBusPid,
      Optional<Long> postgresPid,
      long launcherPid,
      Path cwd) {
    PortPlan ports = c.ports();
    int n = c.options().nodes();
    List<String> out = new ArrayList<>();
    out.add("");
    out.add(
        "POSP local cluster is up: "
            + n
            + " node"
            + (n == 1 ? "" : "s")
            + " ("
            + (c.options().discovery() == LaunchOptions.Discovery.SEEDS
                ? "seed nodes"
                : "cluster bootstrap, config discovery")
            + "), data in "
            + display(c.home(), cwd));
    out.add("");
    out.add(
        String.format(
            "  %-12s %8s %9s %6s %6s %11s %9s %8s  %s",
            "process",
            "pid",
            "terminal",
            "tls",
            "http",
            "management",
            "remoting",
            "metrics",
            "log"));
    for (int id = 1; id <= n; id++) {
      PortPlan.NodePorts p = ports.node(id);
      out.add(
          String.format(
              "  %-12s %8s %9d %6d %6d %11d %9d %8d  %s",
              "node " + id,
              pid(nodePids.get(id)),
              p.terminal(),
              p.tls(),
              p.http(),
              p.management(),
              p.remote(),
              p.metrics(),
              display(c.nodeLog(id), cwd)));
    }
    out.add(
        String.format(
            "  %-12s %8d %9s  %-44s %s",
            "card-bus sim",
            cardBusPid,
            ports.cardBus(),
            "(ledger http " + ports.cardBusHttp() + ")",
            display(c.cardBusLog(), cwd)));
    out.add(
        String.format(
            "  %-12s %8s %9s  %-44s %s",
            "PostgreSQL",
            pid(postgresPid.orElse(null)),
            ports.postgres(),
            "(database " + LocalPostgres.DATABASE + ", user " + ProcessCommands.DB_USER + ")",
            display(c.postgresLog(), cwd)));
    out.add("");
    out.add(
        "Try it (demo merchant "
            + DEMO_MID
            + ", terminal "
            + DEMO_TID
            + "; sign-on, balance, sale, void, refund, settle):");
    out.add("  " + terminalCli(c, 1, cwd, "demo"));
    if (n >= 2) out.add("  " + terminalCli(c, 2, cwd, "demo"));
    int saleNode = n >= 3 ? 3 : 1;
    out.add("A single sale through node " + saleNode + ":");
    out.add(
        "  "
            + terminalCli(
                c, saleNode, cwd, "sale --pan " + DEMO_PAN + " --amount 12.34 --pin " + DEMO_PIN));
    out.add("");
    PortPlan.NodePorts first = ports.node(1);
    out.add(
        "Cluster members:  curl -s http://127.0.0.1:" + first.management() + "/cluster/members");
    out.add("Readiness:        curl -si http://127.0.0.1:" + first.management() + "/ready");
    out.add(
        "Card-bus ledger:  curl -s http://127.0.0.1:" + ports.cardBusHttp() + "/ledger/terminals");
    out.add("");
    int victim = n >= 2 ? 2 : 1;
    out.add(
        "Kill a node:      kill -9 "
            + pid(nodePids.get(victim))
            + "      (node "
            + victim
            + "; pids above)");
    out.add(
        "Start it again:   sh "
            + display(c.restartScript(victim), cwd)
            + "   (same ports, data and LMK; start-node-<n>.sh for node n)");
    out.add(
        "Stop everything:  Ctrl-C here, or kill "
            + launcherPid
            + " (nodes get SIGTERM first, then the simulator and PostgreSQL)");
    out.add("");
    return String.join("\n", out);
  }

  /** The terminal simulator's command line against node {@code nodeId}. */
  static String terminalCli(ProcessCommands c, int nodeId, Path cwd, String command) {
    return "java -cp "
        + Shell.quote(display(c.jar(), cwd))
        + " org.posp.sim.terminal.TerminalCli --host 127.0.0.1 --port "
        + c.ports().node(nodeId).terminal()
        + " --mid "
        + DEMO_MID
        + " --tid "
        + DEMO_TID
        + " --tmk "
        + DEMO_TMK
        + " --state-dir "
        + Shell.quote(display(c.terminalStateDir(), cwd))
        + " "
        + command;
  }

  /** {@code path} relative to {@code cwd} when it is below it, else absolute. */
  static String display(Path path, Path cwd) {
    Path abs = path.toAbsolutePath().normalize();
    Path base = cwd.toAbsolutePath().normalize();
    return abs.startsWith(base) && !abs.equals(base)
        ? base.relativize(abs).toString()
        : abs.toString();
  }

  private static String pid(Long pid) {
    return pid == null ? "-" : String.valueOf(pid);
  }
}
