package org.posp.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.posp.sim.cardbus.CardBusHost;
import org.posp.sim.cardbus.CardBusHostConfig;

/**
 * Demo nodes for in-JVM tests: their configuration (ephemeral ports, a temporary data directory)
 * and their start with the card-bus simulator in the same JVM, as the demo assembly runs it.
 */
final class TestNodes {
  private TestNodes() {}

  /** The card-bus simulator as a node's {@link DemoCardBus}, as the demo assembly starts it. */
  static DemoCardBus startSimulator(int port, int httpPort, Duration lateDelay) throws IOException {
    CardBusHost host =
        CardBusHost.start(
            CardBusHostConfig.defaults()
                .withTcpPort(port)
                .withHttpPort(httpPort)
                .withLateDelay(lateDelay));
    return new DemoCardBus(
        host.port(),
        host.config().zpkHex(),
        "card-bus simulator on 127.0.0.1:" + host.port(),
        host);
  }

  /** A node with {@code config}; in demo mode with the card-bus simulator in this JVM. */
  static SwitchNode start(Config config) {
    return SwitchNode.start(config, TestNodes::startSimulator);
  }

  /** The card-bus simulator of a node started by {@link #start}. */
  static CardBusHost simulator(SwitchNode node) {
    return (CardBusHost) node.demoCardBus().host();
  }

  /** Demo mode with the in-process card-bus simulator, every port ephemeral, plus {@code extra}. */
  static Config demo(Path dataDir, Map<String, Object> extra) {
    Map<String, Object> props = new HashMap<>();
    props.put("posp.demo", "on");
    props.put("posp.data-dir", dataDir.toString());
    props.put("posp.terminal-front.port", "0");
    props.put("posp.terminal-front.tls-port", "0");
    props.put("posp.http.port", "0");
    props.put("pekko.management.http.port", "0");
    props.put("pekko.remote.artery.canonical.port", "0");
    props.put("posp.demo-data.card-bus-port", "0");
    props.put("posp.demo-data.card-bus-http-port", "-1");
    props.put("pekko.coordinated-shutdown.exit-jvm", "off");
    props.putAll(extra);
    return ConfigFactory.load(
        ConfigFactory.parseMap(props).withFallback(ConfigFactory.defaultApplication()));
  }

  /**
   * {@link #demo} with the journal in PostgreSQL at {@code jdbcUrl} (user and password postgres).
   */
  static Config demoOnPostgres(Path dataDir, String jdbcUrl) {
    return demo(
        dataDir,
        Map.of(
            "posp.db.url", jdbcUrl,
            "posp.db.user", "postgres",
            "posp.db.password", "postgres",
            "posp.db.driver", "org.postgresql.Driver",
            "posp.db.profile", "slick.jdbc.PostgresProfile$"));
  }
}
