package org.posp.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Configuration of a demo node for in-JVM tests: ephemeral ports, a temporary data directory. */
final class TestNodes {
  private TestNodes() {}

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
    return ConfigFactory.load(ConfigFactory.parseMap(props).withFallback(ConfigFactory.defaultApplication()));
  }

  /** {@link #demo} with the journal in PostgreSQL at {@code jdbcUrl} (user and password postgres). */
  static Config demoOnPostgres(Path dataDir, String jdbcUrl) {
    return demo(dataDir, Map.of(
        "posp.db.url", jdbcUrl,
        "posp.db.user", "postgres",
        "posp.db.password", "postgres",
        "posp.db.driver", "org.postgresql.Driver",
        "posp.db.profile", "slick.jdbc.PostgresProfile$"));
  }
}
