package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortPlanTest {

  @Test
  void defaultLayoutKeepsTheProductionPortsRecognisable() {
    PortPlan plan = new PortPlan(5000);
    assertEquals(new PortPlan.NodePorts(1, 5001, 5441, 8081, 8551, 25521, 9091), plan.node(1));
    assertEquals(new PortPlan.NodePorts(3, 5003, 5443, 8083, 8553, 25523, 9093), plan.node(3));
    assertEquals(15432, plan.postgres());
    assertEquals(17000, plan.cardBus());
    assertEquals(17080, plan.cardBusHttp());
  }

  @Test
  void basePortMovesEveryPortByTheSameDistance() {
    PortPlan plan = new PortPlan(6000);
    assertEquals(new PortPlan.NodePorts(2, 6002, 6442, 9082, 9552, 26522, 10092), plan.node(2));
    assertEquals(16432, plan.postgres());
    assertEquals(18000, plan.cardBus());
    assertEquals(18080, plan.cardBusHttp());
  }

  @Test
  void noTwoProcessesShareAPortAtEitherEndOfTheRange() {
    for (int base : List.of(PortPlan.MIN_BASE, 5000, PortPlan.MAX_BASE)) {
      List<Integer> all = new PortPlan(base).all(LaunchOptions.MAX_NODES);
      assertEquals(3 + 6 * LaunchOptions.MAX_NODES, all.size());
      assertEquals(
          all.size(), new HashSet<>(all).size(), "duplicate port with base " + base + ": " + all);
      assertTrue(
          all.stream().allMatch(p -> p > 1024 && p <= 65535),
          "port out of range with base " + base + ": " + all);
    }
  }

  @Test
  void outOfRangeBaseOrNodeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PortPlan(PortPlan.MIN_BASE - 1));
    assertThrows(IllegalArgumentException.class, () -> new PortPlan(PortPlan.MAX_BASE + 1));
    assertThrows(IllegalArgumentException.class, () -> new PortPlan(5000).node(0));
    assertThrows(
        IllegalArgumentException.class, () -> new PortPlan(5000).node(LaunchOptions.MAX_NODES + 1));
  }
}
