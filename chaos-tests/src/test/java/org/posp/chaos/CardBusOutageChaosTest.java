package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 4: the card-bus host stops answering (it reads and drops every request) under load, then
 * answers again. The switch times out (98, reversal pending) and opens its breaker (91); every
 * upstream request whose outcome was unknown must be reversed once the host is back, and the books
 * must agree. Throughout the run every 25th sale uses a card the host debits without ever answering
 * (PAN ending 9999): those are orphan debits the switch must reverse upstream by itself.
 */
@Tag("chaos")
class CardBusOutageChaosTest {
  static final Duration MUTE =
      Duration.ofSeconds(Integer.getInteger("posp.chaos.host-mute-seconds", 12));

  @TempDir Path dir;

  @Test
  void cardBusHostStopsAnsweringThenRecovers() throws Exception {
    ChaosRun.Settings base = ChaosRun.Settings.cluster(0);
    // every 25th sale is debited by the host and never answered, fault or not: the switch must
    // reverse it
    ChaosRun.Settings settings =
        new ChaosRun.Settings(
                base.nodes(),
                base.spares(),
                base.terminals(),
                base.load().withLostReplyEvery(25),
                base.nodeProperties())
            // shorter than the terminals' 10 s so that the switch, not the terminal, decides the
            // outcome
            .with("posp.card-bus.endpoint-defaults.timeout", "3s")
            .with("posp.card-bus.endpoint-defaults.breaker.reset-timeout", "10s");
    try (ChaosRun run =
        new ChaosRun(
            "card-bus-outage",
            "card-bus host muted for "
                + MUTE.toSeconds()
                + " s under load on "
                + ChaosRun.NODES
                + " node(s), then answering again",
            dir,
            settings)) {
      run.start();
      ChaosRun.sleep(ChaosScenarios.BASELINE);
      long fault = run.mark("host muted");
      run.host.setResponding(false);
      ChaosRun.sleep(MUTE);
      long back = run.mark("host answering");
      run.host.setResponding(true);
      run.mark(
          run.awaitAllServedSince(back, ChaosScenarios.SERVED_WAIT)
              ? "all terminals served again"
              : "NOT all terminals served again");
      ChaosRun.sleep(ChaosScenarios.TAIL);
      ChaosReport report = run.finish(fault, back);
      assertTrue(report.passed(), report.text());
    }
  }
}
