package org.posp.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A switch node in its own JVM, started from this test's class path (the packaged node's classes
 * and dependencies), with its output in a log file. {@link #kill()} is SIGKILL: no shutdown hook,
 * no coordinated shutdown, nothing flushed; {@link #stop(Duration)} is SIGTERM (coordinated
 * shutdown: the node leaves its cluster); {@link #suspend()} / {@link #resume()} are SIGSTOP /
 * SIGCONT.
 *
 * <p>The ports are chosen once, so that a node started again (after a kill) listens where the
 * terminals and the other nodes expect it. Every started JVM is registered with {@link
 * ChildProcesses} so that none survives a failing test.
 */
final class NodeProcess implements AutoCloseable {
  /** The four ports of one node, free when chosen. */
  record Ports(int terminal, int http, int management, int remote) {
    static Ports free() throws IOException {
      return new Ports(freePort(), freePort(), freePort(), freePort());
    }
  }

  final String name;
  final int terminalPort;
  final int httpPort;
  final int managementPort;
  final int remotePort;
  final Path log;
  private final Path dataDir;
  private final Map<String, String> properties;
  private final Map<String, String> environment;
  private final List<String> jvmOptions;
  private volatile Process process;
  private volatile boolean suspended;

  /**
   * The first start of this object truncates its log (a file left by an earlier test run); restarts
   * append.
   */
  private boolean startedBefore;

  /**
   * A node with free ports, the given system properties and no POSP_LMK (demo mode makes its own).
   */
  NodeProcess(Path dataDir, Path log, Map<String, String> properties) throws IOException {
    this("node", dataDir, log, Ports.free(), properties, Map.of(), List.of());
  }

  /**
   * @param environment variables added to the child's environment (POSP_LMK of a cluster); the
   *     parent's POSP_LMK is never inherited
   * @param jvmOptions extra JVM options (before the class path)
   */
  NodeProcess(
      String name,
      Path dataDir,
      Path log,
      Ports ports,
      Map<String, String> properties,
      Map<String, String> environment,
      List<String> jvmOptions) {
    this.name = name;
    this.dataDir = dataDir;
    this.log = log;
    this.properties = new LinkedHashMap<>(properties);
    this.environment = Map.copyOf(environment);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.terminalPort = ports.terminal();
    this.httpPort = ports.http();
    this.managementPort = ports.management();
    this.remotePort = ports.remote();
  }

  /**
   * A free loopback port below the kernel's ephemeral range (32768-60999): a port picked from that
   * range and released can be taken by any outgoing connection (to PostgreSQL, between nodes)
   * before the node binds it. Each port is handed out once per test JVM.
   */
  static synchronized int freePort() throws IOException {
    for (int tries = 0; tries < 2_000; tries++) {
      int port = 20_000 + RANDOM.nextInt(12_000);
      if (!HANDED_OUT.add(port)) continue;
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new IOException("no free port found in 20000-31999");
  }

  private static final Random RANDOM = new Random();
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  /** Starts the JVM and waits for its READY line. */
  void start(Duration timeout) throws Exception {
    awaitReady(startAsync(), timeout);
  }

  /**
   * Starts the JVM; the latch opens on its READY line (several nodes can then start side by side).
   */
  CountDownLatch startAsync() throws IOException {
    if (alive())
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(jvmOptions);
    cmd.add("-Dposp.data-dir=" + dataDir);
    cmd.add("-Dposp.terminal-front.host=127.0.0.1");
    cmd.add("-Dposp.terminal-front.port=" + terminalPort);
    cmd.add("-Dposp.terminal-front.tls-port=0");
    cmd.add("-Dposp.http.host=127.0.0.1");
    cmd.add("-Dposp.http.port=" + httpPort);
    cmd.add("-Dpekko.management.http.port=" + managementPort);
    cmd.add("-Dpekko.remote.artery.canonical.port=" + remotePort);
    // the node logs as in production (switch-node's logback.xml), not with this module's test
    // logging
    cmd.add("-Dlogback.configurationFile=logback.xml");
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.posp.node.SwitchNode");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("POSP_LMK");
    pb.environment().putAll(environment);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p = ChildProcesses.register(pb.start());
    process = p;
    suspended = false;
    OpenOption mode =
        startedBefore ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    startedBefore = true;
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter out =
                      new PrintWriter(
                          Files.newBufferedWriter(
                              log,
                              StandardCharsets.UTF_8,
                              StandardOpenOption.CREATE,
                              StandardOpenOption.WRITE,
                              mode),
                          true)) {
                out.println("==== " + name + " started, pid " + p.pid() + " ====");
                String line;
                while ((line = in.readLine()) != null) {
                  out.println(line);
                  if (line.contains("POSP-NODE READY")) ready.countDown();
                }
                out.println("==== " + name + " pid " + p.pid() + " exited ====");
              } catch (IOException e) {
                // the process died: the log has what it wrote
              }
            },
            "node-log-" + name);
    reader.setDaemon(true);
    reader.start();
    return ready;
  }

  /**
   * Waits for the READY line of {@link #startAsync()}; kills the JVM when it does not come in time.
   */
  void awaitReady(CountDownLatch ready, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.await(200, TimeUnit.MILLISECONDS)) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited before it was ready"
                + (p == null ? "" : " (exit code " + p.exitValue() + ")")
                + "; see "
                + log.toAbsolutePath());
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException(
            name + " did not become ready within " + timeout + "; see " + log.toAbsolutePath());
      }
    }
  }

  /** SIGKILL. */
  void kill() throws Exception {
    Process p = process;
    if (p == null) return;
    p.destroyForcibly();
    p.onExit().get(30, TimeUnit.SECONDS);
    process = null;
    suspended = false;
  }

  /**
   * SIGTERM: coordinated shutdown (drain, hand shards over, leave the cluster). Waits for the exit;
   * SIGKILL when it takes longer than {@code timeout}. True when the node exited by itself.
   */
  boolean stop(Duration timeout) throws Exception {
    Process p = process;
    if (p == null) return true;
    if (suspended) resume();
    p.destroy();
    boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      p.destroyForcibly();
      p.onExit().get(30, TimeUnit.SECONDS);
    }
    process = null;
    return exited;
  }

  /** SIGSTOP: the JVM freezes, its sockets stay open (the kernel still accepts connections). */
  void suspend() {
    Process p = requireRunning();
    if (!ChildProcesses.signal(p.pid(), "STOP"))
      throw new IllegalStateException("kill -STOP " + p.pid() + " failed");
    suspended = true;
  }

  /** SIGCONT. */
  void resume() {
    Process p = requireRunning();
    if (!ChildProcesses.signal(p.pid(), "CONT"))
      throw new IllegalStateException("kill -CONT " + p.pid() + " failed");
    suspended = false;
  }

  boolean suspended() {
    return suspended;
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Waits (bounded) until the JVM has exited by itself, e.g. after its cluster downed it. */
  boolean awaitExit(Duration timeout) throws InterruptedException {
    Process p = process;
    return p == null || p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  long pid() {
    return requireRunning().pid();
  }

  private Process requireRunning() {
    Process p = process;
    if (p == null || !p.isAlive()) throw new IllegalStateException(name + " is not running");
    return p;
  }

  @Override
  public void close() throws Exception {
    Process p = process;
    if (p != null && suspended) ChildProcesses.signal(p.pid(), "CONT");
    kill();
  }

  @Override
  public String toString() {
    Process p = process;
    return name
        + "[terminal="
        + terminalPort
        + ", http="
        + httpPort
        + ", remote="
        + remotePort
        + (p == null ? ", stopped" : ", pid=" + p.pid() + (suspended ? " SUSPENDED" : ""))
        + "]";
  }
}
