package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real child processes (/bin/sh), with their output in a log file, as the launcher runs the nodes.
 */
class ChildProcessTest {
  private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");

  @Test
  void readyLineIsFoundInTheLogOnlyWhenItStartsTheLine(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("node.log");
    Files.writeString(log, "POSP-NODE READY from an earlier run\n");
    ChildProcess p =
        ChildProcess.start(
            "node 1",
            List.of(
                "/bin/sh",
                "-c",
                "echo booting; echo '12:00:00 INFO SwitchNode - POSP-NODE READY terminal-tcp=1'; sleep 0.3;"
                    + " echo 'POSP-NODE READY terminal-tcp=5001 http=8081'; exec sleep 30"),
            ENV,
            log);
    try {
      assertEquals(
          "POSP-NODE READY terminal-tcp=5001 http=8081",
          p.awaitLine("POSP-NODE READY", Duration.ofSeconds(20)));
      assertTrue(p.alive());
      String text = Files.readString(log);
      assertTrue(
          text.startsWith(
              "POSP-NODE READY from an earlier run\n==== node 1 started by the local-cluster launcher"),
          text);
    } finally {
      assertTrue(p.stop(Duration.ofSeconds(10)), "sleep ends on SIGTERM");
    }
    assertFalse(p.alive());
  }

  @Test
  void aProcessThatExitsBeforeItIsReadyFailsWithTheEndOfItsLog(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("node.log");
    ChildProcess p =
        ChildProcess.start(
            "node 2", List.of("/bin/sh", "-c", "echo 'no LMK: set POSP_LMK'; exit 3"), ENV, log);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> p.awaitLine("POSP-NODE READY", Duration.ofSeconds(20)));
    assertTrue(
        e.getMessage().startsWith("node 2 exited with code 3 before it was ready"), e.getMessage());
    assertTrue(e.getMessage().endsWith("no LMK: set POSP_LMK"), e.getMessage());
  }

  @Test
  void aProcessThatNeverGetsReadyIsKilledAtTheDeadline(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("node.log");
    ChildProcess p =
        ChildProcess.start(
            "node 3", List.of("/bin/sh", "-c", "echo waiting; exec sleep 30"), ENV, log);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> p.awaitLine("POSP-NODE READY", Duration.ofMillis(700)));
    assertTrue(
        e.getMessage().startsWith("node 3 printed no 'POSP-NODE READY' line within 0 s (killed)"),
        e.getMessage());
    assertTrue(p.process().waitFor(10, TimeUnit.SECONDS));
  }

  @Test
  void aProcessIgnoringSigtermIsKilledAfterTheGrace(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("stubborn.log");
    ChildProcess p =
        ChildProcess.start(
            "stubborn",
            List.of("/bin/sh", "-c", "trap '' TERM; echo READY; while true; do sleep 1; done"),
            ENV,
            log);
    p.awaitLine("READY", Duration.ofSeconds(20));
    assertFalse(p.stop(Duration.ofMillis(500)), "SIGTERM was ignored");
    assertFalse(p.alive());
  }

  @Test
  void childEnvironmentIsExactlyTheOneGiven(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("env.log");
    ChildProcess p =
        ChildProcess.start(
            "env",
            List.of("/bin/sh", "-c", "echo \"VALUE=${POSP_DEMO:-unset}/${X:-unset}\""),
            Map.of("PATH", "/usr/bin:/bin", "X", "given"),
            log);
    assertEquals("VALUE=unset/given", p.awaitLine("VALUE=", Duration.ofSeconds(20)));
  }

  /**
   * A JVM whose main thread died may live on (metrics threads): the launcher must not wait for it.
   */
  @Test
  void aDeadMainThreadFailsAtOnceAndTheProcessIsKilled(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("node.log");
    ChildProcess p =
        ChildProcess.start(
            "node 2",
            List.of(
                "/bin/sh",
                "-c",
                "echo 'Exception in thread \"main\" java.lang.IllegalStateException: cannot connect to the journal'; exec sleep 30"),
            ENV,
            log);
    long start = System.nanoTime();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> p.awaitLine("POSP-NODE READY", Duration.ofSeconds(60)));
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 20, "failed fast");
    assertTrue(
        e.getMessage()
            .startsWith(
                "node 2 failed to start (Exception in thread \"main\" java.lang.IllegalStateException"),
        e.getMessage());
    assertTrue(p.process().waitFor(10, TimeUnit.SECONDS), "killed");
  }

  @Test
  void awaitListeningReturnsOnceThePortAcceptsAndFailsWhenTheProcessDies(@TempDir Path dir)
      throws Exception {
    ChildProcess p =
        ChildProcess.start(
            "node 1", List.of("/bin/sh", "-c", "exec sleep 30"), ENV, dir.resolve("a.log"));
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      p.awaitListening(server.getLocalPort(), Duration.ofSeconds(20));
    } finally {
      p.stop(Duration.ofSeconds(5));
    }
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    ChildProcess q =
        ChildProcess.start(
            "node 1",
            List.of("/bin/sh", "-c", "echo schema failed; exit 4"),
            ENV,
            dir.resolve("b.log"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> q.awaitListening(closedPort, Duration.ofSeconds(20)));
    assertTrue(
        e.getMessage()
            .startsWith("node 1 is not listening on port " + closedPort + " (exited with code 4)"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("schema failed"), e.getMessage());
  }

  @Test
  void logTailReturnsOnlyCompleteLines(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("tail.log");
    Files.writeString(log, "old READY\n");
    ChildProcess.LogTail tail = new ChildProcess.LogTail(log, Files.size(log));
    assertNull(tail.find("READY"));
    Files.writeString(
        log, "READY but not yet a whole line", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertNull(tail.find("READY"));
    Files.writeString(
        log, " - now it is\nnext\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertEquals("READY but not yet a whole line - now it is", tail.find("READY"));
    assertNull(tail.find("READY"));
  }
}
