package org.posp.demo;

import java.io.IOException;
import java.time.Duration;
import org.posp.node.DemoCardBus;
import org.posp.node.SwitchNode;
import org.posp.sim.cardbus.CardBusHost;
import org.posp.sim.cardbus.CardBusHostConfig;

/**
 * Entry point of the demo assembly ({@code posp-demo.jar}): one switch node in demo mode with the
 * card-bus simulator ({@link CardBusHost}, with its ledger) in the same JVM, on loopback. Demo mode
 * is implied ({@code posp.demo = on} unless {@code -Dposp.demo} says otherwise); the node then
 * provisions the demo merchants and terminals itself. Everything else (ports, data directory,
 * {@code posp.demo-data.*}) is configured as for {@code posp-switch.jar}, which is the same node
 * without any simulator.
 */
public final class DemoNode {
  private DemoNode() {}

  public static void main(String[] args) {
    if (System.getProperty("posp.demo") == null) {
      System.setProperty("posp.demo", "on");
    }
    SwitchNode.run(DemoNode::startSimulator);
  }

  /** A {@link DemoCardBus.Starter}: the simulator on 127.0.0.1 with its demo ZPK and balances. */
  static DemoCardBus startSimulator(int port, int httpPort, Duration lateDelay) throws IOException {
    CardBusHost host =
        CardBusHost.start(
            CardBusHostConfig.defaults()
                .withTcpPort(port)
                .withHttpPort(httpPort)
                .withLateDelay(lateDelay));
    String ledger =
        host.httpPort() > 0
            ? " (ledger http://127.0.0.1:" + host.httpPort() + "/ledger/terminals)"
            : "";
    return new DemoCardBus(
        host.port(),
        host.config().zpkHex(),
        "card-bus simulator on 127.0.0.1:" + host.port() + ledger,
        host);
  }
}
