package org.posp.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A switch node in its own JVM, started from this test's class path (the packaged node's classes and
 * dependencies), with its output in a log file. {@link #kill()} is SIGKILL: no shutdown hook, no
 * coordinated shutdown, nothing flushed.
 */
final class NodeProcess implements AutoCloseable {
  final int terminalPort;
  final int httpPort;
  final int managementPort;
  final int remotePort;
  final Path log;
  private final Path dataDir;
  private final Map<String, String> properties;
  private Process process;

  NodeProcess(Path dataDir, Path log, Map<String, String> properties) throws IOException {
    this.dataDir = dataDir;
    this.log = log;
    this.properties = properties;
    this.terminalPort = freePort();
    this.httpPort = freePort();
    this.managementPort = freePort();
    this.remotePort = freePort();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts the JVM and waits for its READY line. */
  void start(Duration timeout) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-Dposp.data-dir=" + dataDir);
    cmd.add("-Dposp.terminal-front.host=127.0.0.1");
    cmd.add("-Dposp.terminal-front.port=" + terminalPort);
    cmd.add("-Dposp.terminal-front.tls-port=0");
    cmd.add("-Dposp.http.host=127.0.0.1");
    cmd.add("-Dposp.http.port=" + httpPort);
    cmd.add("-Dpekko.management.http.port=" + managementPort);
    cmd.add("-Dpekko.remote.artery.canonical.port=" + remotePort);
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.posp.node.SwitchNode");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("POSP_LMK");
    process = pb.start();
    CountDownLatch ready = new CountDownLatch(1);
    Process p = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
              java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true)) {
        String line;
        while ((line = in.readLine()) != null) {
          out.println(line);
          if (line.contains("POSP-NODE READY")) ready.countDown();
        }
      } catch (IOException e) {
        // the process died: the log has what it wrote
      }
    }, "node-log-" + terminalPort);
    reader.setDaemon(true);
    reader.start();
    if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("node did not become ready within " + timeout + "; see " + log);
    }
  }

  /** SIGKILL. */
  void kill() throws Exception {
    if (process == null) return;
    process.destroyForcibly();
    process.onExit().get(30, TimeUnit.SECONDS);
    process = null;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() throws Exception {
    kill();
  }
}
