package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

  @Test
  void noArgumentsGiveThreeNodesWithSeedNodesFromTheRepositoryRoot() {
    LaunchOptions o = LaunchOptions.parse(List.of());
    assertEquals(3, o.nodes());
    assertEquals(Path.of("demo/target/posp-demo.jar"), o.jar());
    assertEquals(Path.of("data/local-cluster"), o.dataDir());
    assertEquals(5000, o.basePort());
    assertEquals(LaunchOptions.Discovery.SEEDS, o.discovery());
    assertEquals("384m", o.heap());
    assertEquals(Duration.ofSeconds(300), o.readyTimeout());
    assertEquals(Path.of(System.getProperty("java.home"), "bin", "java"), o.java());
    assertFalse(o.help());
  }

  @Test
  void everyOptionInBothSpellings() {
    LaunchOptions o =
        LaunchOptions.parse(
            List.of(
                "--nodes",
                "5",
                "--jar=/opt/posp/posp-switch.jar",
                "--data-dir",
                "/tmp/c",
                "--base-port=6000",
                "--discovery",
                "BOOTSTRAP",
                "--heap",
                "1g",
                "--ready-timeout=60",
                "--java",
                "/usr/bin/java"));
    assertEquals(5, o.nodes());
    assertEquals(Path.of("/opt/posp/posp-switch.jar"), o.jar());
    assertEquals(Path.of("/tmp/c"), o.dataDir());
    assertEquals(6000, o.basePort());
    assertEquals(LaunchOptions.Discovery.BOOTSTRAP, o.discovery());
    assertEquals("1g", o.heap());
    assertEquals(Duration.ofSeconds(60), o.readyTimeout());
    assertEquals(Path.of("/usr/bin/java"), o.java());
  }

  @Test
  void helpNeedsNoValue() {
    assertTrue(LaunchOptions.parse(List.of("--nodes", "2", "--help")).help());
  }

  @Test
  void badCommandLinesNameTheOptionAndWhatItShouldBe() {
    assertMessage("--nodes must be between 1 and 9, was 0", "--nodes", "0");
    assertMessage("--nodes must be between 1 and 9, was 10", "--nodes", "10");
    assertMessage("--nodes must be a number, was 'three'", "--nodes", "three");
    assertMessage("option --jar needs a value", "--jar");
    assertMessage("option --jar needs a value", "--jar", "--nodes", "3");
    assertMessage("unknown option --node", "--node", "3");
    assertMessage("option --nodes given twice", "--nodes", "3", "--nodes=4");
    assertMessage("unexpected argument 'start' (options start with --)", "start");
    assertMessage("--discovery must be seeds or bootstrap, was 'dns'", "--discovery", "dns");
    assertMessage("--heap must be a size such as 384m or 1g, was '384'", "--heap", "384");
    assertMessage("--base-port must be between 1024 and 45000, was 80", "--base-port", "80");
    assertMessage("--base-port must be between 1024 and 45000, was 50000", "--base-port", "50000");
    assertMessage("--ready-timeout must be between 10 and 3600, was 5", "--ready-timeout", "5");
    assertMessage("--data-dir needs a path", "--data-dir=");
  }

  private static void assertMessage(String expected, String... args) {
    LaunchOptions.UsageException e =
        assertThrows(LaunchOptions.UsageException.class, () -> LaunchOptions.parse(List.of(args)));
    assertEquals(expected, e.getMessage());
  }
}
