package org.posp.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command line of {@link LocalCluster}. Every option has a default so that {@code java -jar
 * posp-local-cluster.jar} alone starts three nodes from the repository root.
 *
 * @param nodes number of switch nodes, 1..9 (node ids 1..n)
 * @param jar the demo assembly (posp-demo.jar: the switch node and the simulators), whose nodes and
 *     card-bus simulator are started as processes (never loaded into this JVM)
 * @param dataDir PostgreSQL data, node data directories, logs, the cluster's LMK file and restart
 *     scripts
 * @param basePort every port of the layout moves by {@code basePort - 5000} (see {@link PortPlan})
 * @param discovery how the nodes find each other: seed nodes, or cluster bootstrap with config
 *     discovery
 * @param heap maximum heap of each node JVM ({@code -Xmx})
 * @param readyTimeout how long to wait for each process's READY line
 * @param java the {@code java} executable for the children (default: the one running the launcher)
 * @param help {@code --help} was given: print the usage and start nothing
 * @param simulatorHeap maximum heap of the card-bus simulator ({@code -Xmx}); its ledger keeps
 *     every message, so a long load needs more
 */
record LaunchOptions(
    int nodes,
    Path jar,
    Path dataDir,
    int basePort,
    Discovery discovery,
    String heap,
    Duration readyTimeout,
    Path java,
    boolean help,
    String simulatorHeap) {

  static final int MAX_NODES = 9;
  static final Path DEFAULT_JAR = Path.of("demo", "target", "posp-demo.jar");
  static final Path DEFAULT_DATA_DIR = Path.of("data", "local-cluster");

  /** How the nodes form the cluster. */
  enum Discovery {
    /** {@code pekko.cluster.seed-nodes} = every node's remoting address (node 1 first). */
    SEEDS,
    /**
     * Pekko Management cluster bootstrap, {@code discovery-method = config} listing every
     * management port.
     */
    BOOTSTRAP
  }

  static final String USAGE =
      String.join(
          "\n",
          "usage: java -jar cluster-config/target/posp-local-cluster.jar [options]",
          "  Starts PostgreSQL (embedded), the card-bus simulator and N switch nodes on 127.0.0.1, each as its",
          "  own process, prints their ports and stays in the foreground; Ctrl-C stops everything.",
          "options:",
          "  --nodes N            switch nodes, 1.." + MAX_NODES + " (default 3)",
          "  --jar PATH           the node and simulator jar (default "
              + DEFAULT_JAR
              + "; build: ./mvnw -q -DskipTests package)",
          "  --data-dir PATH      PostgreSQL data, node data, logs (default "
              + DEFAULT_DATA_DIR
              + ")",
          "  --base-port P        moves every port by P-5000 (default 5000: node n terminal 5000+n, PostgreSQL 15432)",
          "  --discovery seeds|bootstrap   seed nodes (default) or cluster bootstrap with config discovery",
          "  --heap SIZE          -Xmx of each node (default 384m)",
          "  --simulator-heap SIZE  -Xmx of the card-bus simulator, whose ledger keeps every message (default 256m)",
          "  --ready-timeout S    seconds to wait for each READY line (default 300)",
          "  --java PATH          java executable for the children (default: this JVM's)",
          "  --help               this text");

  static LaunchOptions defaults() {
    return new LaunchOptions(
        3,
        DEFAULT_JAR,
        DEFAULT_DATA_DIR,
        PortPlan.DEFAULT_BASE,
        Discovery.SEEDS,
        "384m",
        Duration.ofSeconds(300),
        Path.of(System.getProperty("java.home"), "bin", "java"),
        false,
        "256m");
  }

  /**
   * Parses {@code --name value} and {@code --name=value}; throws {@link UsageException} naming what
   * is wrong.
   */
  static LaunchOptions parse(List<String> args) {
    LaunchOptions d = defaults();
    int nodes = d.nodes;
    Path jar = d.jar;
    Path dataDir = d.dataDir;
    int basePort = d.basePort;
    Discovery discovery = d.discovery;
    String heap = d.heap;
    String simulatorHeap = d.simulatorHeap;
    Duration readyTimeout = d.readyTimeout;
    Path java = d.java;
    boolean help = false;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--"))
        throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (name.equals("help")) {
        help = true;
        continue;
      }
      if (!OPTIONS.contains(name)) throw new UsageException("unknown option --" + name);
      if (!seen.add(name)) throw new UsageException("option --" + name + " given twice");
      if (value == null) {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
          throw new UsageException("option --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      switch (name) {
        case "nodes" -> nodes = intIn(name, value, 1, MAX_NODES);
        case "jar" -> jar = path(name, value);
        case "data-dir" -> dataDir = path(name, value);
        case "base-port" -> basePort = intIn(name, value, PortPlan.MIN_BASE, PortPlan.MAX_BASE);
        case "discovery" -> discovery = discovery(value);
        case "heap" -> heap = heap(value);
        case "simulator-heap" -> simulatorHeap = heap(value);
        case "ready-timeout" -> readyTimeout = Duration.ofSeconds(intIn(name, value, 10, 3600));
        case "java" -> java = path(name, value);
        default -> throw new IllegalStateException("option --" + name + " listed but not handled");
      }
    }
    return new LaunchOptions(
        nodes, jar, dataDir, basePort, discovery, heap, readyTimeout, java, help, simulatorHeap);
  }

  private static final Set<String> OPTIONS =
      Set.of(
          "nodes",
          "jar",
          "data-dir",
          "base-port",
          "discovery",
          "heap",
          "simulator-heap",
          "ready-timeout",
          "java");

  private static int intIn(String name, String value, int min, int max) {
    int v;
    try {
      v = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number, was '" + value + "'");
    }
    if (v < min || v > max)
      throw new UsageException(
          "--" + name + " must be between " + min + " and " + max + ", was " + v);
    return v;
  }

  private static Path path(String name, String value) {
    if (value.isBlank()) throw new UsageException("--" + name + " needs a path");
    return Path.of(value);
  }

  private static Discovery discovery(String value) {
    try {
      return Discovery.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--discovery must be seeds or bootstrap, was '" + value + "'");
    }
  }

  private static String heap(String value) {
    if (!value.matches("[1-9][0-9]*[mMgG]")) {
      throw new UsageException("--heap must be a size such as 384m or 1g, was '" + value + "'");
    }
    return value;
  }

  /** A command line that cannot be run; the message names the option and what it should be. */
  static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }
}
