package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production jar has no card-bus simulator: demo mode that asks for one says where it is. */
class DemoCardBusTest {
  @TempDir Path dataDir;

  @Test
  void demoModeWithTheInProcessSimulatorNeedsTheDemoAssembly() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> SwitchNode.start(TestNodes.demo(dataDir, Map.of())));
    assertTrue(e.getMessage().contains("posp-demo.jar"), e.getMessage());
    assertTrue(e.getMessage().contains("POSP_DEMO_CARD_BUS_SIMULATOR=off"), e.getMessage());
  }
}
