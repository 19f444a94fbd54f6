package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 1: SIGKILL one node under load (the first seed, normally the oldest member: it hosts the
 * shard coordinator), let the others take its terminals and shards over, restart it later on the
 * same ports and node id, and check every invariant.
 */
@Tag("chaos")
class NodeKillChaosTest {
  @TempDir Path dir;

  @Test
  void sigkillOneNodeUnderLoadThenRestartIt() throws Exception {
    try (ChaosRun run =
        new ChaosRun(
            "kill-node",
            "SIGKILL node1 of "
                + ChaosRun.NODES
                + " under load, restart it "
                + (ChaosRun.NODES > 1 ? "once the cluster removed it" : "2 s later"),
            dir,
            ChaosRun.Settings.cluster(0))) {
      run.start();
      ChaosRun.sleep(ChaosScenarios.BASELINE);
      NodeProcess victim = run.cluster.node(0);
      long fault = run.mark("SIGKILL " + victim.name);
      victim.kill();
      if (run.cluster.size() == 1) {
        // nothing else can serve: the restart is the recovery
        ChaosRun.sleep(Duration.ofSeconds(2));
        run.mark("restart " + victim.name);
        run.cluster.restart(0, ChaosRun.NODE_START);
        run.mark(victim.name + " ready");
      }
      run.mark(
          run.awaitAllServedSince(fault, ChaosScenarios.SERVED_WAIT)
              ? "all terminals served again"
              : "NOT all terminals served again");
      if (run.cluster.size() > 1) {
        run.cluster.awaitStable(run.cluster.size() - 1, Duration.ofSeconds(60));
        run.mark(victim.name + " removed from the cluster");
        run.mark("restart " + victim.name);
        run.cluster.restart(0, ChaosRun.NODE_START);
        run.cluster.awaitStable(run.cluster.size(), Duration.ofSeconds(60));
        run.mark(victim.name + " Up again");
      }
      ChaosRun.sleep(ChaosScenarios.TAIL);
      ChaosReport report = run.finish(fault, fault);
      assertTrue(report.passed(), report.text());
    }
  }
}
