package org.posp.cluster;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One process of the local cluster, its output appended straight to its log file (not through a
 * pipe of the launcher: a node keeps logging normally if the launcher dies, and a node started
 * again by its restart script appends to the same file).
 *
 * <p>Where {@code setsid} exists the child runs in a session of its own, so that the Ctrl-C of the
 * launcher's terminal reaches only the launcher, which then stops the children in order (nodes
 * first, while the journal and the card bus are still there). {@code setsid} replaces itself with
 * the program, so the pid is the program's.
 */
final class ChildProcess {
  private static final Path SETSID =
      List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid")).stream()
          .filter(Files::isExecutable)
          .findFirst()
          .orElse(null);

  /** What the JVM prints when {@code main} ends with an exception. */
  static final String MAIN_DIED = "Exception in thread \"main\"";

  final String name;
  final Path log;
  private final Process process;
  private final long logOffset;

  private ChildProcess(String name, Path log, Process process, long logOffset) {
    this.name = name;
    this.log = log;
    this.process = process;
    this.logOffset = logOffset;
  }

  /**
   * Starts {@code command} with exactly {@code environment}, output and errors appended to {@code
   * log}.
   */
  static ChildProcess start(
      String name, List<String> command, Map<String, String> environment, Path log)
      throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    Files.writeString(
        log,
        "==== " + name + " started by the local-cluster launcher at " + Instant.now() + " ====\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    long offset = Files.size(log);
    List<String> cmd = new ArrayList<>();
    if (SETSID != null) cmd.add(SETSID.toString());
    cmd.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(environment);
    return new ChildProcess(name, log, pb.start(), offset);
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  Process process() {
    return process;
  }

  /**
   * Waits for the first line written since the start that begins with {@code marker} (the line the
   * program prints on stdout, not its copy in a log line) and returns it. Fails when the process
   * exits first or the time is up (then the process is killed), with the end of the log in the
   * message.
   */
  String awaitLine(String marker, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    LogTail tail = new LogTail(log, logOffset);
    while (true) {
      String line = tail.find(marker, MAIN_DIED);
      if (line != null && line.startsWith(MAIN_DIED)) {
        // the start-up failed but non-daemon threads (metrics, pools) may keep the JVM alive: do
        // not wait
        process.destroyForcibly();
        throw new IllegalStateException(
            name
                + " failed to start ("
                + line
                + "); last lines of "
                + log
                + ":\n"
                + lastLines(log, 15));
      }
      if (line != null) return line;
      if (!process.isAlive()) {
        line = tail.find(marker, MAIN_DIED); // the line may have been written just before the exit
        if (line != null && !line.startsWith(MAIN_DIED)) return line;
        throw new IllegalStateException(
            name
                + " exited with code "
                + process.exitValue()
                + " before it was ready;"
                + " last lines of "
                + log
                + ":\n"
                + lastLines(log, 15));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException(
            name
                + " printed no '"
                + marker
                + "' line within "
                + timeout.toSeconds()
                + " s (killed); last lines of "
                + log
                + ":\n"
                + lastLines(log, 15));
      }
      Thread.sleep(200);
    }
  }

  /**
   * Waits until something accepts TCP connections on 127.0.0.1:{@code port}; fails like {@link
   * #awaitLine} when the process exits, its {@code main} dies or the time is up.
   */
  void awaitListening(int port, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    LogTail tail = new LogTail(log, logOffset);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return;
      } catch (IOException notYet) {
        // not listening yet
      }
      String died = tail.find(MAIN_DIED);
      if (died != null || !process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException(
            name
                + " is not listening on port "
                + port
                + " ("
                + (died != null
                    ? died
                    : process.isAlive()
                        ? "timed out after " + timeout.toSeconds() + " s"
                        : "exited with code " + process.waitFor())
                + "); last lines of "
                + log
                + ":\n"
                + lastLines(log, 15));
      }
      Thread.sleep(200);
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}. True when the process ended by itself. */
  boolean stop(Duration grace) throws InterruptedException {
    return stop(process.toHandle(), grace);
  }

  /**
   * SIGTERM to any process (also one this launcher did not start), then SIGKILL after {@code
   * grace}.
   */
  static boolean stop(ProcessHandle handle, Duration grace) throws InterruptedException {
    if (!handle.isAlive()) return true;
    handle.destroy();
    try {
      handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      handle.destroyForcibly();
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e2) {
        // reported by the caller through isAlive()
      }
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    }
  }

  /** The last {@code n} lines of a file (for error messages), or a note when it cannot be read. */
  static String lastLines(Path file, int n) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  /**
   * Reads a growing file from an offset, line by line; a line is returned only once it is complete.
   */
  static final class LogTail {
    private final Path file;
    private long position;
    private final StringBuilder partial = new StringBuilder();

    LogTail(Path file, long position) {
      this.file = file;
      this.position = position;
    }

    /**
     * The first complete new line that begins with one of {@code markers}, or null when none has
     * been written yet.
     */
    String find(String... markers) throws IOException {
      if (!Files.exists(file)) return null;
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
        long length = f.length();
        if (length <= position) return null;
        byte[] bytes = new byte[(int) Math.min(length - position, 1 << 20)];
        f.seek(position);
        f.readFully(bytes);
        position += bytes.length;
        partial.append(new String(bytes, StandardCharsets.UTF_8));
      }
      int nl;
      while ((nl = partial.indexOf("\n")) >= 0) {
        String line = partial.substring(0, nl);
        partial.delete(0, nl + 1);
        for (String marker : markers) {
          if (line.startsWith(marker)) return line.strip();
        }
      }
      return null;
    }
  }
}
