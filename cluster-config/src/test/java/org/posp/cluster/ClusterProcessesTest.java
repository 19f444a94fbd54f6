package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterProcessesTest {

  @Test
  void roleComesFromTheMarkersOfTheSameHomeOnly() {
    String home = "-Dlocal-cluster.home=/data/a";
    assertEquals(
        Optional.of("node-2"),
        ClusterProcesses.roleOf(
            List.of(
                "java",
                "-Dlocal-cluster.home=/data/a",
                "-Dlocal-cluster.process=node-2",
                "-jar",
                "x.jar"),
            home));
    assertEquals(
        Optional.empty(),
        ClusterProcesses.roleOf(
            List.of("java", "-Dlocal-cluster.home=/data/a2", "-Dlocal-cluster.process=node-2"),
            home));
    assertEquals(Optional.empty(), ClusterProcesses.roleOf(List.of("java", "-jar", "x.jar"), home));
  }

  /**
   * A real process carrying the markers (as a node started again by its restart script would) is
   * found and stopped.
   */
  @Test
  void findsAMarkedProcessThatIsNotAChild(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("local-cluster").toAbsolutePath();
    // sh -c 'script' $0 $1 $2: the markers are arguments of the shell, visible in its command line
    ChildProcess q =
        ChildProcess.start(
            "marked",
            List.of(
                "/bin/sh",
                "-c",
                "echo READY; sleep 30; echo done",
                "sh",
                "-Dlocal-cluster.home=" + home,
                "-Dlocal-cluster.process=node-4"),
            Map.of("PATH", "/usr/bin:/bin"),
            dir.resolve("marked2.log"));
    try {
      q.awaitLine("READY", Duration.ofSeconds(20));
      List<ClusterProcesses.Found> found = ClusterProcesses.of(home);
      assertEquals(1, found.size(), found.toString());
      assertEquals("node-4", found.get(0).role());
      assertEquals(q.pid(), found.get(0).handle().pid());
      assertTrue(found.get(0).node());
      assertTrue(ClusterProcesses.of(dir.resolve("other")).isEmpty());
    } finally {
      // the shell's child sleep is left to finish on its own: kill the shell's whole tree
      q.process().descendants().forEach(ProcessHandle::destroyForcibly);
      q.stop(Duration.ofSeconds(5));
    }
  }
}
