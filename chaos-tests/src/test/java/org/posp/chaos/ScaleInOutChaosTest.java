package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 5: graceful leave of a node under load (SIGTERM: coordinated shutdown stops accepting
 * terminals, drains in-flight requests, hands its shards over and leaves), then a new node (its own
 * node id and ports, listed by the terminals from the start like a load balancer pool) joins.
 */
@Tag("chaos")
class ScaleInOutChaosTest {
  @TempDir Path dir;

  @Test
  void gracefulLeaveThenANewNodeJoins() throws Exception {
    Assumptions.assumeTrue(
        ChaosRun.NODES > 1, "scale in / out needs a cluster (posp.chaos.nodes > 1)");
    try (ChaosRun run =
        new ChaosRun(
            "scale-in-out",
            "SIGTERM node3 of " + ChaosRun.NODES + " under load (graceful leave), then node4 joins",
            dir,
            ChaosRun.Settings.cluster(1))) {
      run.start();
      ChaosRun.sleep(ChaosScenarios.BASELINE);
      int size = run.cluster.size();
      NodeProcess leaving = run.cluster.node(size - 1);
      long fault = run.mark("SIGTERM " + leaving.name);
      boolean graceful = leaving.stop(Duration.ofSeconds(60));
      run.mark(leaving.name + (graceful ? " exited" : " killed after 60 s"));
      run.report.extra.put("leftGracefullyWithin60s", graceful);
      run.cluster.awaitStable(size - 1, Duration.ofSeconds(60));
      run.mark(leaving.name + " removed");
      NodeProcess joining = run.cluster.node(size);
      run.mark("start " + joining.name);
      run.cluster.startSpare(size, ChaosRun.NODE_START);
      run.cluster.awaitStable(size, Duration.ofSeconds(60));
      run.mark(joining.name + " Up");
      run.mark(
          run.awaitAllServedSince(fault, ChaosScenarios.SERVED_WAIT)
              ? "all terminals served again"
              : "NOT all terminals served again");
      ChaosRun.sleep(ChaosScenarios.TAIL);
      long used =
          run.load.attempts().stream()
              .filter(a -> a.node() != null && a.node().getPort() == joining.terminalPort)
              .count();
      run.report.extra.put("requestsServedByNewNode", used);
      ChaosReport report = run.finish(fault, fault);
      assertTrue(report.passed(), report.text());
    }
  }
}
