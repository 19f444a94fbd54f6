package org.posp.chaos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every child JVM a chaos test starts (nodes, the card-bus host) is registered here, and one JVM
 * shutdown hook kills whatever is still alive: a failing or aborted test run must not leave switch
 * nodes holding ports and CPU on a 2-core CI machine. Also sends POSIX signals by pid (SIGSTOP and
 * SIGCONT have no {@link Process} method).
 */
final class ChildProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "chaos-child-reaper"));
  }

  private ChildProcesses() {}

  /** Registers a started child; it leaves the registry by itself when it exits. */
  static Process register(Process p) {
    LIVE.add(p);
    p.onExit().thenRun(() -> LIVE.remove(p));
    return p;
  }

  /** SIGCONT (a stopped process cannot act on SIGTERM) then SIGKILL to every registered child. */
  static void killAll() {
    List<Process> all = new ArrayList<>(LIVE);
    for (Process p : all) {
      signal(p.pid(), "CONT");
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static int liveCount() {
    return LIVE.size();
  }

  /**
   * Sends {@code kill -<signal> <pid>} and waits (bounded) for the kill command itself; true when
   * it reported success.
   */
  static boolean signal(long pid, String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        return false;
      }
      return kill.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
