package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCommandsTest {
  private static final Path HOME = Path.of("/tmp/posp-lc-test/data/local-cluster");
  private static final Path JAR = Path.of("/opt/posp/posp-demo.jar");

  private static ProcessCommands commands(String... args) {
    LaunchOptions o = LaunchOptions.parse(List.of(args));
    return new ProcessCommands(
        o, new PortPlan(o.basePort()), HOME, JAR, LocalPostgres.jdbcUrl(15432, "posp"));
  }

  @Test
  void nodeCommandPutsEverySettingBeforeTheJar() {
    List<String> cmd = commands("--java", "/usr/bin/java").node(2);
    assertEquals("/usr/bin/java", cmd.get(0));
    assertEquals("-Xmx384m", cmd.get(1));
    assertEquals(List.of("-jar", JAR.toString()), cmd.subList(cmd.size() - 2, cmd.size()));
    // the JVM reads -D options only before -jar: everything between java and -jar is a JVM option
    assertTrue(
        cmd.subList(1, cmd.size() - 2).stream().allMatch(a -> a.startsWith("-")), cmd.toString());
    for (String expected :
        List.of(
            "-Dposp.mode=cluster",
            "-Dposp.node-id=2",
            "-Dposp.demo=on",
            "-Dposp.demo-data.card-bus-simulator=off",
            "-Dposp.card-bus.endpoints.cups.addresses.0=127.0.0.1:17000",
            "-Dposp.card-bus.routes.default=cups",
            "-Dposp.db.url=jdbc:postgresql://127.0.0.1:15432/posp?reWriteBatchedInserts=true",
            "-Dposp.db.driver=org.postgresql.Driver",
            "-Dposp.db.profile=slick.jdbc.PostgresProfile$",
            "-Dposp.data-dir=" + HOME.resolve("node-2"),
            "-Dposp.terminal-front.host=127.0.0.1",
            "-Dposp.terminal-front.port=5002",
            "-Dposp.terminal-front.tls-port=5442",
            "-Dposp.http.host=127.0.0.1",
            "-Dposp.http.port=8082",
            "-Dpekko.management.http.hostname=127.0.0.1",
            "-Dpekko.management.http.port=8552",
            "-Dpekko.remote.artery.canonical.hostname=127.0.0.1",
            "-Dpekko.remote.artery.canonical.port=25522",
            "-Dkamon.prometheus.embedded-server.hostname=127.0.0.1",
            "-Dkamon.prometheus.embedded-server.port=9092",
            "-Dlocal-cluster.home=" + HOME,
            "-Dlocal-cluster.process=node-2")) {
      assertTrue(cmd.contains(expected), "missing " + expected + " in " + cmd);
    }
  }

  @Test
  void seedNodesAreEveryNodeInOrderTheSameOnEachNode() {
    ProcessCommands c = commands("--nodes", "3");
    List<String> expected =
        List.of(
            "-Dpekko.cluster.seed-nodes.0=pekko://posp@127.0.0.1:25521",
            "-Dpekko.cluster.seed-nodes.1=pekko://posp@127.0.0.1:25522",
            "-Dpekko.cluster.seed-nodes.2=pekko://posp@127.0.0.1:25523");
    for (int n = 1; n <= 3; n++) {
      List<String> seeds =
          c.node(n).stream().filter(a -> a.startsWith("-Dpekko.cluster.seed-nodes.")).toList();
      assertEquals(expected, seeds);
      assertTrue(c.node(n).stream().noneMatch(a -> a.contains("contact-point-discovery")));
    }
  }

  @Test
  void bootstrapUsesConfigDiscoveryOverTheManagementPortsAndNoSeeds() {
    List<String> cmd =
        commands("--nodes", "2", "--discovery", "bootstrap", "--base-port", "6000").node(1);
    assertTrue(cmd.stream().noneMatch(a -> a.contains("seed-nodes")), cmd.toString());
    for (String expected :
        List.of(
            "-Dpekko.management.cluster.bootstrap.contact-point-discovery.discovery-method=config",
            "-Dpekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr=2",
            "-Dpekko.discovery.config.services.posp.endpoints.0.host=127.0.0.1",
            "-Dpekko.discovery.config.services.posp.endpoints.0.port=9551",
            "-Dpekko.discovery.config.services.posp.endpoints.1.host=127.0.0.1",
            "-Dpekko.discovery.config.services.posp.endpoints.1.port=9552")) {
      assertTrue(cmd.contains(expected), "missing " + expected + " in " + cmd);
    }
  }

  @Test
  void cardBusSimulatorListensOnLoopbackWithTheEndpointsZpk() {
    List<String> cmd = commands("--base-port", "6000").cardBus();
    String line = String.join(" ", cmd);
    assertTrue(
        line.endsWith(
            "-cp "
                + JAR
                + " org.posp.sim.cardbus.CardBusHost --bind 127.0.0.1 --port 18000"
                + " --http-port 18080 --zpk "
                + ProcessCommands.DEMO_ZPK
                + " --late-delay-ms 25000"),
        line);
    assertTrue(cmd.contains("-Dlocal-cluster.process=card-bus"));
  }

  @Test
  void childrenDoNotInheritTheNodesOwnVariablesButGetTheClusterLmk() {
    Map<String, String> env =
        ProcessCommands.childEnvironment(
            Map.of(
                "PATH",
                "/usr/bin",
                "POSP_DEMO",
                "off",
                "POSP_LMK",
                "00000000000000000000000000000000",
                "CONFIG_FORCE_posp_node__id",
                "7",
                "POSP_LOG_LEVEL",
                "DEBUG",
                "HOME",
                "/root"),
            Map.of("POSP_LMK", "1F2E3D4C5B6A79880011223344556677"));
    assertEquals(
        Map.of(
            "PATH",
            "/usr/bin",
            "HOME",
            "/root",
            "POSP_LOG_LEVEL",
            "DEBUG",
            "POSP_LMK",
            "1F2E3D4C5B6A79880011223344556677"),
        env);
  }

  @Test
  void restartScriptIsValidShellWithTheNodesCommandAndNoKey(@TempDir Path dir) throws Exception {
    ProcessCommands c = commands();
    String script = c.restartScriptText(3);
    assertTrue(script.contains(Shell.join(c.node(3))), script);
    assertTrue(script.contains(". " + HOME.resolve("cluster.env")), script);
    assertTrue(script.contains(">> \"$log\""), script);
    // the only key on a command line is the simulator's public test ZPK; the LMK comes from
    // cluster.env
    assertFalse(
        script.replace(ProcessCommands.DEMO_ZPK, "").matches("(?s).*[0-9A-Fa-f]{32}.*"), script);
    assertFalse(script.contains("POSP_LMK="), script);
    Path file = dir.resolve("start-node-3.sh");
    Files.writeString(file, script, StandardCharsets.UTF_8);
    Process sh =
        new ProcessBuilder("/bin/sh", "-n", file.toString()).redirectErrorStream(true).start();
    String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, sh.exitValue(), "sh -n: " + out);
  }

  @Test
  void filesOfTheClusterAreUnderItsDataDirectory() {
    ProcessCommands c = commands();
    assertEquals(HOME.resolve("node-1.log"), c.nodeLog(1));
    assertEquals(HOME.resolve("start-node-1.sh"), c.restartScript(1));
    assertEquals(HOME.resolve("postgres"), c.postgresDataDir());
    assertEquals(HOME.resolve("card-bus.log"), c.cardBusLog());
    assertEquals("pekko://posp@127.0.0.1:25523", c.remotingAddress(3));
  }
}
