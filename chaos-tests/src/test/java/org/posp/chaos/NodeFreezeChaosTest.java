package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 2: SIGSTOP one node under load for longer than the failure detector and the split brain
 * resolver allow (heartbeat pause 3 s + stable-after 5 s), then SIGCONT. The frozen node keeps its
 * sockets: terminals on it see no reply and move to their next node; the others down it and take
 * its shards over. When it wakes up it must not act on what it still holds (it was downed) and must
 * leave.
 */
@Tag("chaos")
class NodeFreezeChaosTest {
  static final Duration FREEZE =
      Duration.ofSeconds(Integer.getInteger("posp.chaos.freeze-seconds", 15));

  @TempDir Path dir;

  @Test
  void sigstopOneNodeUnderLoadThenSigcont() throws Exception {
    try (ChaosRun run =
        new ChaosRun(
            "freeze-node",
            "SIGSTOP node2 of "
                + ChaosRun.NODES
                + " under load for "
                + FREEZE.toSeconds()
                + " s, then SIGCONT",
            dir,
            ChaosRun.Settings.cluster(0))) {
      run.start();
      ChaosRun.sleep(ChaosScenarios.BASELINE);
      int index = run.cluster.size() > 1 ? 1 : 0;
      NodeProcess victim = run.cluster.node(index);
      long fault = run.mark("SIGSTOP " + victim.name);
      victim.suspend();
      if (run.cluster.size() > 1) {
        run.cluster.awaitStable(run.cluster.size() - 1, FREEZE.plusSeconds(60));
        run.mark(victim.name + " downed and removed");
      }
      long left = FREEZE.toNanos() - (System.nanoTime() - fault);
      if (left > 0) Thread.sleep(left / 1_000_000);
      long resumed = run.mark("SIGCONT " + victim.name);
      victim.resume();
      run.mark(
          run.awaitAllServedSince(fault, ChaosScenarios.SERVED_WAIT)
              ? "all terminals served again"
              : "NOT all terminals served again");
      if (run.cluster.size() > 1) {
        boolean exited = victim.awaitExit(Duration.ofSeconds(30));
        run.mark(
            exited
                ? victim.name + " exited (it was downed)"
                : victim.name + " still running after SIGCONT");
        run.report.extra.put("frozenNodeExitedAfterSigcont", exited);
        run.report.extra.put(
            "membershipAfter", String.valueOf(run.cluster.membership().orElse(null)));
      }
      ChaosRun.sleep(ChaosScenarios.TAIL);
      ChaosReport report = run.finish(fault, resumed);
      assertTrue(report.passed(), report.text());
    }
  }
}
