package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart of every node under load, as an upgrade does it: each node in turn gets SIGTERM
 * (coordinated shutdown: stop reading, answer what is in progress, hand the shards over, leave), is
 * removed, starts again and is Up before the next one goes. Nothing may be lost or doubled.
 */
@Tag("chaos")
class RollingRestartChaosTest {
  @TempDir Path dir;

  @Test
  void everyNodeRestartedInTurnUnderLoad() throws Exception {
    Assumptions.assumeTrue(
        ChaosRun.NODES > 1, "a rolling restart needs a cluster (posp.chaos.nodes > 1)");
    try (ChaosRun run =
        new ChaosRun(
            "rolling-restart",
            "SIGTERM and restart each of the " + ChaosRun.NODES + " nodes in turn under load",
            dir,
            ChaosRun.Settings.cluster(0))) {
      run.start();
      ChaosRun.sleep(ChaosScenarios.BASELINE);
      int size = run.cluster.size();
      long fault = 0;
      for (int i = size - 1; i >= 0; i--) {
        NodeProcess node = run.cluster.node(i);
        long t = run.mark("SIGTERM " + node.name);
        if (fault == 0) fault = t;
        boolean graceful = node.stop(Duration.ofSeconds(60));
        run.mark(node.name + (graceful ? " exited" : " killed after 60 s"));
        run.report.extra.put(node.name + "LeftGracefully", graceful);
        run.cluster.awaitStable(size - 1, Duration.ofSeconds(60));
        run.cluster.restart(i, ChaosRun.NODE_START);
        run.cluster.awaitStable(size, Duration.ofSeconds(60));
        run.mark(node.name + " Up again");
      }
      run.mark(
          run.awaitAllServedSince(fault, ChaosScenarios.SERVED_WAIT)
              ? "all terminals served again"
              : "NOT all terminals served again");
      ChaosRun.sleep(ChaosScenarios.TAIL);
      ChaosReport report = run.finish(fault, fault);
      assertTrue(report.passed(), report.text());
    }
  }
}
