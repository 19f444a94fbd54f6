package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The baseline of the chaos scenarios, without a fault: one node on PostgreSQL, a card-bus host
 * process, 30 terminals of load, then every invariant from the three records and a balanced
 * settlement of every terminal. If this fails, the fault scenarios cannot be read. The node logs in
 * JSON here ({@code POSP_LOG_FORMAT=json}, given as a system property, which logback reads as
 * well): every line of its log must be a JSON object, and no log holds a clear test PAN (checked in
 * every scenario).
 */
@Tag("chaos")
class SingleNodePostgresLoadTest {
  @TempDir Path dir;

  @Test
  void loadOnOneNodeSettlesBalanced() throws Exception {
    try (ChaosRun run =
        new ChaosRun(
            "single-node-postgres",
            "one node (posp.mode=single) on PostgreSQL, 30 terminals, no fault, JSON logs",
            dir,
            ChaosRun.Settings.singleNode().with("POSP_LOG_FORMAT", "json"))) {
      run.start();
      ChaosRun.sleep(Duration.ofSeconds(15));
      ChaosReport report = run.finish(0, 0);
      assertTrue(report.passed(), report.text());
    }
  }
}
