package org.posp.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A local POSP cluster on one machine (本地集群): PostgreSQL (embedded binaries), the card-bus
 * simulator and N switch nodes, each its own process on 127.0.0.1, started from the demo assembly's
 * shaded jar ({@code posp-demo.jar}: the node and the simulators). Prints the ports, the commands
 * to try it, to kill a node and to start it again; stays in the foreground; Ctrl-C (or SIGTERM)
 * stops the nodes with SIGTERM (coordinated shutdown), then the simulator, then PostgreSQL.
 *
 * <p>Run from the repository root: {@code cluster-config/local/start-cluster.sh} (builds when
 * needed), or {@code java -jar cluster-config/target/posp-local-cluster.jar --help}.
 */
public final class LocalCluster {
  static final String NODE_READY = "POSP-NODE READY";
  static final String CARD_BUS_READY = "CARD-BUS-HOST READY";
  private static final Duration NODE_STOP_GRACE = Duration.ofSeconds(90);
  private static final Duration SIMULATOR_STOP_GRACE = Duration.ofSeconds(15);

  private final LaunchOptions options;
  private final Path cwd;
  private final Path home;
  private final PortPlan ports;
  private final Map<Integer, ChildProcess> nodes = new LinkedHashMap<>();
  private ChildProcess cardBus;
  private LocalPostgres postgres;
  private volatile boolean stopping;

  LocalCluster(LaunchOptions options, Path cwd) {
    this.options = options;
    this.cwd = cwd.toAbsolutePath().normalize();
    this.home = this.cwd.resolve(options.dataDir()).normalize();
    this.ports = new PortPlan(options.basePort());
  }

  public static void main(String[] args) {
    LaunchOptions options;
    try {
      options = LaunchOptions.parse(List.of(args));
    } catch (LaunchOptions.UsageException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(LaunchOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(LaunchOptions.USAGE);
      return;
    }
    LocalCluster cluster = new LocalCluster(options, Path.of(""));
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "local-cluster-stop"));
    try {
      cluster.start();
    } catch (Exception e) {
      System.err.println("error: the local cluster did not start: " + e.getMessage());
      cluster.stop();
      System.exit(1);
      return;
    }
    try {
      new CountDownLatch(1)
          .await(); // in the foreground until Ctrl-C / SIGTERM runs the shutdown hook
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts every process and prints the banner; throws (after printing why) when one does not come
   * up.
   */
  void start() throws Exception {
    Path jar = cwd.resolve(options.jar()).normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no demo jar (node and simulators) at "
              + jar
              + ": build it with ./mvnw -q -DskipTests package"
              + " (or give --jar PATH)");
    }
    if (!Files.isExecutable(options.java()))
      throw new IllegalStateException("no java executable at " + options.java());
    Files.createDirectories(home);
    stopLeftovers();
    requireFreePorts();
    Map<String, String> secrets = ClusterSecrets.loadOrCreate(home);
    Map<String, String> env = ProcessCommands.childEnvironment(System.getenv(), secrets);

    say(
        "starting PostgreSQL on 127.0.0.1:"
            + ports.postgres()
            + " (data "
            + ClusterBanner.display(home.resolve("postgres"), cwd)
            + ")");
    ProcessCommands commands =
        new ProcessCommands(
            options,
            ports,
            home,
            jar,
            LocalPostgres.jdbcUrl(ports.postgres(), LocalPostgres.DATABASE));
    postgres =
        LocalPostgres.start(commands.postgresDataDir(), ports.postgres(), commands.postgresLog());

    say("starting the card-bus simulator on 127.0.0.1:" + ports.cardBus());
    cardBus =
        ChildProcess.start("card-bus simulator", commands.cardBus(), env, commands.cardBusLog());
    cardBus.awaitLine(CARD_BUS_READY, options.readyTimeout());
    watch(cardBus, null, commands);

    for (int id = 1; id <= options.nodes(); id++) {
      Files.createDirectories(commands.nodeDataDir(id));
      Path script = commands.restartScript(id);
      Files.writeString(script, commands.restartScriptText(id), StandardCharsets.UTF_8);
      script.toFile().setExecutable(true, true);
      nodes.put(id, ChildProcess.start("node " + id, commands.node(id), env, commands.nodeLog(id)));
      if (id == 1 && options.nodes() > 1) {
        // node 1 applies the journal schema before anything else (its management port opens after
        // it): nodes creating the schema of a new database at the same moment deadlock in
        // PostgreSQL
        say("started node 1; waiting for it to prepare the journal schema");
        nodes.get(1).awaitListening(ports.node(1).management(), options.readyTimeout());
      }
    }
    say(
        "started "
            + options.nodes()
            + " node(s); waiting for their READY lines (a minute or two on a small machine)");
    for (var e : nodes.entrySet()) {
      String line = e.getValue().awaitLine(NODE_READY, options.readyTimeout());
      say("node " + e.getKey() + ": " + line);
      watch(e.getValue(), e.getKey(), commands);
    }
    Map<Integer, Long> pids = new LinkedHashMap<>();
    nodes.forEach((id, p) -> pids.put(id, p.pid()));
    System.out.println(
        ClusterBanner.render(
            commands, pids, cardBus.pid(), postgres.pid(), ProcessHandle.current().pid(), cwd));
    System.out.flush();
  }

  /**
   * Prints why a child ended (unless the launcher is stopping) and, for a node, how to start it
   * again.
   */
  private void watch(ChildProcess child, Integer nodeId, ProcessCommands commands) {
    child
        .process()
        .onExit()
        .thenAccept(
            p -> {
              if (stopping) return;
              String how =
                  p.exitValue() == 137 ? " (SIGKILL)" : p.exitValue() == 143 ? " (SIGTERM)" : "";
              say(
                  child.name
                      + " (pid "
                      + p.pid()
                      + ") exited with code "
                      + p.exitValue()
                      + how
                      + "; log "
                      + ClusterBanner.display(child.log, cwd));
              if (nodeId != null) {
                say(
                    "start it again: sh "
                        + ClusterBanner.display(commands.restartScript(nodeId), cwd));
                say(
                    "  its command line (POSP_LMK from "
                        + ClusterBanner.display(home.resolve(ClusterSecrets.FILE_NAME), cwd)
                        + "): "
                        + Shell.join(commands.node(nodeId)));
              }
            });
  }

  /**
   * Stops the cluster in order: every node of this data directory (also nodes started again by a
   * restart script) with SIGTERM, so that each drains its requests and hands its shards over while
   * the journal and the card bus are still there; then the simulator; then PostgreSQL. Safe to call
   * twice.
   */
  void stop() {
    synchronized (this) {
      if (stopping) return;
      stopping = true;
    }
    try {
      List<ProcessHandle> nodeHandles = new ArrayList<>();
      nodes.values().forEach(n -> nodeHandles.add(n.process().toHandle()));
      for (ClusterProcesses.Found f : ClusterProcesses.of(home)) {
        if (f.node() && nodeHandles.stream().noneMatch(h -> h.pid() == f.handle().pid()))
          nodeHandles.add(f.handle());
      }
      List<ProcessHandle> live = nodeHandles.stream().filter(ProcessHandle::isAlive).toList();
      if (!live.isEmpty()) {
        say(
            "stopping "
                + live.size()
                + " node(s) with SIGTERM (coordinated shutdown, up to "
                + NODE_STOP_GRACE.toSeconds()
                + " s)");
        live.forEach(ProcessHandle::destroy); // all at once: they leave the cluster together
        for (ProcessHandle h : live) {
          if (!ChildProcess.stop(h, NODE_STOP_GRACE))
            say("node pid " + h.pid() + " did not stop in time: killed");
        }
      }
      if (cardBus != null && cardBus.alive()) {
        say("stopping the card-bus simulator");
        cardBus.stop(SIMULATOR_STOP_GRACE);
      }
      for (ClusterProcesses.Found f : ClusterProcesses.of(home))
        ChildProcess.stop(f.handle(), SIMULATOR_STOP_GRACE);
      if (postgres != null) {
        say("stopping PostgreSQL");
        postgres.close();
      }
      say("stopped; data and logs stay in " + ClusterBanner.display(home, cwd));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      System.err.println("[local-cluster] error while stopping: " + e);
    }
  }

  /**
   * Processes of this data directory left by a launcher that was killed: stopped before anything
   * starts.
   */
  private void stopLeftovers() throws InterruptedException {
    List<ClusterProcesses.Found> left = ClusterProcesses.of(home);
    if (!left.isEmpty()) {
      say(
          "stopping "
              + left.size()
              + " process(es) left running by an earlier launcher of "
              + ClusterBanner.display(home, cwd)
              + ": "
              + left.stream().map(f -> f.role() + " pid " + f.handle().pid()).toList());
      left.stream().filter(ClusterProcesses.Found::node).forEach(f -> f.handle().destroy());
      for (ClusterProcesses.Found f : left)
        ChildProcess.stop(f.handle(), f.node() ? NODE_STOP_GRACE : SIMULATOR_STOP_GRACE);
    }
    Optional<ProcessHandle> pg =
        LocalPostgres.postmasterPid(home.resolve("postgres"))
            .flatMap(ProcessHandle::of)
            .filter(h -> h.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (pg.isPresent()) {
      say(
          "stopping the PostgreSQL left running by an earlier launcher (pid "
              + pg.get().pid()
              + ")");
      ChildProcess.stop(pg.get(), Duration.ofSeconds(60));
    }
  }

  private void requireFreePorts() {
    List<String> busy = new ArrayList<>();
    for (int port : ports.all(options.nodes())) {
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        busy.add(String.valueOf(port));
      }
    }
    if (!busy.isEmpty()) {
      throw new IllegalStateException(
          "port(s) "
              + String.join(", ", busy)
              + " on 127.0.0.1 are in use: stop what"
              + " listens there (ss -ltnp) or move the whole layout with --base-port (e.g. --base-port 6000)");
    }
  }

  static void say(String line) {
    System.out.println("[local-cluster] " + line);
    System.out.flush();
  }
}
