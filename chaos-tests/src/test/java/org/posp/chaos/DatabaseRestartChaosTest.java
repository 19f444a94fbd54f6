package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 3: PostgreSQL (the journal of every node) stops under load (fast shutdown: sessions are
 * ended) and starts again on the same port and data directory. While it is down the switch must
 * answer quickly (96, no hang) and it must recover by itself; no approved transaction may be lost.
 */
@Tag("chaos")
class DatabaseRestartChaosTest {
  static final Duration DOWN =
      Duration.ofSeconds(Integer.getInteger("posp.chaos.db-down-seconds", 10));

  @TempDir Path dir;

  @Test
  void restartPostgresUnderLoad() throws Exception {
    try (ChaosRun run =
        new ChaosRun(
            "restart-postgres",
            "PostgreSQL stopped for "
                + DOWN.toSeconds()
                + " s under load on "
                + ChaosRun.NODES
                + " node(s), then started again",
            dir,
            ChaosRun.Settings.cluster(0))) {
      run.start();
      ChaosRun.sleep(ChaosScenarios.BASELINE);
      EmbeddedDatabase db = ChaosRun.database();
      long fault = run.mark("PostgreSQL stopping");
      db.stop();
      long down = run.mark("PostgreSQL down");
      ChaosRun.sleep(DOWN);
      run.mark("PostgreSQL starting");
      db.start();
      long up = run.mark("PostgreSQL up");
      run.mark(
          run.awaitAllServedSince(up, ChaosScenarios.SERVED_WAIT)
              ? "all terminals served again"
              : "NOT all terminals served again");
      ChaosRun.sleep(ChaosScenarios.TAIL);

      // 6: requests sent while the database was down, as the terminals saw them
      List<LoadDriver.Attempt> during =
          run.load.attempts().stream()
              .filter(a -> a.financial() && a.sentAtNanos() >= down && a.sentAtNanos() < up)
              .toList();
      Map<String, Integer> codes = new TreeMap<>();
      during.forEach(
          a ->
              codes.merge(
                  a.outcome() == LoadDriver.Outcome.REPLIED ? a.code() : a.outcome().name(),
                  1,
                  Integer::sum));
      List<Double> latencies =
          during.stream()
              .filter(a -> a.outcome() == LoadDriver.Outcome.REPLIED)
              .map(LoadDriver.Attempt::latencySeconds)
              .sorted()
              .toList();
      boolean alive = run.cluster.serving().size() == run.cluster.size();
      run.report.checks.add(
          Invariants.databaseOutage(
              during,
              codes,
              ChaosReport.percentile(latencies, 0.5),
              latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1),
              alive));
      run.report.extra.put(
          "recoveredAfterDatabaseUpS",
          ChaosReport.round(
              run.load.servedAgain(up).values().stream()
                  .flatMap(Optional::stream)
                  .mapToDouble(Double::doubleValue)
                  .max()
                  .orElse(-1)));

      ChaosReport report = run.finish(fault, up);
      assertTrue(report.passed(), report.text());
    }
  }
}
