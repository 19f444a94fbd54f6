package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterBannerTest {
  private static final Path CWD = Path.of("/work/posp");

  private static ProcessCommands commands(String... args) {
    LaunchOptions o = LaunchOptions.parse(List.of(args));
    return new ProcessCommands(
        o,
        new PortPlan(o.basePort()),
        CWD.resolve("data/local-cluster"),
        CWD.resolve("demo/target/posp-demo.jar"),
        LocalPostgres.jdbcUrl(15432, "posp"));
  }

  @Test
  void tableHasOneRowPerProcessWithItsPidPortsAndLog() {
    String banner =
        ClusterBanner.render(
            commands(), Map.of(1, 101L, 2, 102L, 3, 103L), 90L, Optional.of(80L), 70L, CWD);
    assertTrue(
        banner.contains(
            "POSP local cluster is up: 3 nodes (seed nodes), data in data/local-cluster"),
        banner);
    assertTrue(
        banner.matches(
            "(?s).*node 1 +101 +5001 +5441 +8081 +8551 +25521 +9091 +data/local-cluster/node-1\\.log.*"),
        banner);
    assertTrue(
        banner.matches(
            "(?s).*node 2 +102 +5002 +5442 +8082 +8552 +25522 +9092 +data/local-cluster/node-2\\.log.*"),
        banner);
    assertTrue(
        banner.matches(
            "(?s).*node 3 +103 +5003 +5443 +8083 +8553 +25523 +9093 +data/local-cluster/node-3\\.log.*"),
        banner);
    assertTrue(
        banner.matches(
            "(?s).*card-bus sim +90 +17000 +\\(ledger http 17080\\).*data/local-cluster/card-bus\\.log.*"),
        banner);
    assertTrue(
        banner.matches("(?s).*PostgreSQL +80 +15432 .*data/local-cluster/postgres\\.log.*"),
        banner);
    assertTrue(banner.contains("Kill a node:      kill -9 102      (node 2"), banner);
    assertTrue(banner.contains("Start it again:   sh data/local-cluster/start-node-2.sh"), banner);
    assertTrue(banner.contains("kill 70 "), banner);
    assertTrue(banner.contains("curl -s http://127.0.0.1:8551/cluster/members"), banner);
  }

  @Test
  void tryItCommandsTargetNodeOneAndNodeTwo() {
    String banner =
        ClusterBanner.render(
            commands(), Map.of(1, 101L, 2, 102L, 3, 103L), 90L, Optional.empty(), 70L, CWD);
    String cli =
        "java -cp demo/target/posp-demo.jar org.posp.sim.terminal.TerminalCli --host 127.0.0.1 --port ";
    String terminal =
        " --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210"
            + " --state-dir data/local-cluster/terminal ";
    assertTrue(banner.contains("  " + cli + "5001" + terminal + "demo\n"), banner);
    assertTrue(banner.contains("  " + cli + "5002" + terminal + "demo\n"), banner);
    assertTrue(
        banner.contains(
            "  "
                + cli
                + "5003"
                + terminal
                + "sale --pan 6222020600000001 --amount 12.34 --pin 123456\n"),
        banner);
    assertTrue(
        banner.matches("(?s).*PostgreSQL +- +15432.*"),
        "unknown postgres pid shown as -: " + banner);
  }

  @Test
  void aSingleNodeClusterHasOneTryItCommandAndKillsNodeOne() {
    String banner =
        ClusterBanner.render(
            commands("--nodes", "1"), Map.of(1, 101L), 90L, Optional.of(80L), 70L, CWD);
    assertTrue(banner.contains("1 node (seed nodes)"), banner);
    assertFalse(banner.contains("--port 5002"), banner);
    assertTrue(banner.contains("kill -9 101      (node 1"), banner);
  }

  @Test
  void pathsOutsideTheWorkingDirectoryStayAbsolute() {
    assertEquals("data/x", ClusterBanner.display(CWD.resolve("data/x"), CWD));
    assertEquals(
        "/opt/posp/posp-switch.jar",
        ClusterBanner.display(Path.of("/opt/posp/posp-switch.jar"), CWD));
    assertEquals("/work/posp", ClusterBanner.display(CWD, CWD));
  }
}
