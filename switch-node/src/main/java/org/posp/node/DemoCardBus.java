package org.posp.node;

import java.time.Duration;

/**
 * The card bus of demo mode in the node's own JVM: a card-bus host on loopback that both demo
 * endpoints ({@code core} and {@code cups}) point at. The production jar holds no simulator, so it
 * cannot start one itself: the demo assembly (module {@code demo}, {@code posp-demo.jar}) passes a
 * {@link Starter} that runs the card-bus simulator to {@link
 * SwitchNode#start(com.typesafe.config.Config, Starter)}, and a node started without one needs
 * {@code posp.demo-data.card-bus-simulator = off} and configured endpoints.
 *
 * @param port the loopback port of its CMF listener
 * @param zpkHex its clear ZPK (hex), the demo endpoints' {@code zpk.clear}
 * @param description what runs where, for the ready line and the log
 * @param host the running host (the simulator), closed once the node's actor system has terminated
 *     or when the node fails to start
 */
public record DemoCardBus(int port, String zpkHex, String description, AutoCloseable host)
    implements AutoCloseable {
  /** Starts a {@link DemoCardBus} with the settings of {@code posp.demo-data}. */
  @FunctionalInterface
  public interface Starter {
    /**
     * @param port its CMF port (0 = ephemeral)
     * @param httpPort its ledger HTTP port (0 = ephemeral, -1 = none)
     * @param lateDelay how long it holds back replies to the late-reply test cards
     */
    DemoCardBus start(int port, int httpPort, Duration lateDelay) throws Exception;
  }

  @Override
  public void close() {
    try {
      host.close();
    } catch (Exception e) {
      throw new IllegalStateException("the demo card bus did not close: " + e.getMessage(), e);
    }
  }
}
