package org.posp.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The packaged jars (run in the verify phase, after switch-node and this module are packaged): the
 * production jar {@code posp-switch.jar} holds the node and nothing of the simulators, the load
 * generator, the echo server, the benchmarks or this demo assembly; {@code posp-demo.jar} holds the
 * node and the simulators and starts {@link DemoNode}.
 */
class ProductionJarTest {
  /** Entry prefixes that must never be in the production jar. */
  static final List<String> NOT_IN_PRODUCTION =
      List.of(
          "org/posp/sim/", // card-bus host, terminal simulator, load generator, echo server,
          // benchmark report
          "org/posp/demo/", // this assembly
          "org/posp/benchmarks/", // the JMH micro-benchmarks (tools) and JMH itself
          "org/openjdk/jmh/",
          "packager/terminal-sim.xml"); // the terminal simulator's own packager table

  @Test
  void productionJarHoldsTheNodeAndNoSimulatorOrTool() throws IOException {
    try (JarFile jar = open("posp.switch.jar")) {
      assertNotNull(jar.getEntry("org/posp/node/SwitchNode.class"), "the node's main class");
      assertNotNull(
          jar.getEntry("org/posp/terminal/codec/TerminalCodec.class"), "the terminal protocol");
      assertEquals(
          "org.posp.node.SwitchNode",
          jar.getManifest().getMainAttributes().get(Attributes.Name.MAIN_CLASS));
      List<String> found =
          jar.stream()
              .map(JarEntry::getName)
              .filter(name -> NOT_IN_PRODUCTION.stream().anyMatch(name::startsWith))
              .limit(20)
              .toList();
      assertEquals(List.of(), found, jar.getName() + " holds classes of the simulators or tools");
    }
  }

  @Test
  void demoJarHoldsTheNodeAndTheSimulators() throws IOException {
    try (JarFile jar = open("posp.demo.jar")) {
      assertEquals(
          DemoNode.class.getName(),
          jar.getManifest().getMainAttributes().get(Attributes.Name.MAIN_CLASS));
      for (String entry :
          List.of(
              "org/posp/demo/DemoNode.class",
              "org/posp/node/SwitchNode.class",
              "org/posp/sim/cardbus/CardBusHost.class",
              "org/posp/sim/terminal/TerminalCli.class")) {
        assertNotNull(jar.getEntry(entry), entry);
      }
    }
  }

  private static JarFile open(String property) throws IOException {
    String path = System.getProperty(property);
    assertNotNull(
        path, "system property " + property + " (set by the demo module's surefire configuration)");
    Path jar = Path.of(path);
    assertTrue(
        Files.isRegularFile(jar),
        jar + " is missing: package it first (./mvnw -DskipTests package)");
    return new JarFile(jar.toFile());
  }
}
