package org.posp.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remoting between the nodes of a cluster: Artery over TLS 1.3 with mutual authentication ({@code
 * tls-tcp}, Pekko's {@code ConfigSSLEngineProvider}) whenever {@code posp.mode = cluster}, because
 * requests crossing nodes carry the PAN and track data. A node without a remoting keystore refuses
 * to start in cluster mode, unless it is a demo or {@code posp.cluster.allow-plain-remoting} says
 * so. A single node binds remoting on loopback and needs none.
 */
final class ClusterTransport {
  private static final Logger log = LoggerFactory.getLogger(ClusterTransport.class);

  private ClusterTransport() {}

  /** {@code config} with the remoting transport this node must use. */
  static Config apply(Config config, boolean demo) {
    if (!"cluster".equals(config.getString("posp.mode"))) return config;
    Config c = config.getConfig("posp.cluster");
    String keystore = c.getString("remoting-keystore");
    if (keystore.isBlank()) {
      if (demo || c.getBoolean("allow-plain-remoting")) {
        log.warn(
            "cluster remoting WITHOUT TLS ({}): requests between nodes travel in clear; set "
                + "POSP_REMOTE_KEYSTORE and POSP_REMOTE_TRUSTSTORE on a production network",
            demo ? "demo mode" : "posp.cluster.allow-plain-remoting = on");
        return config;
      }
      throw new IllegalStateException(
          "posp.mode = cluster needs remoting over TLS: set posp.cluster.remoting-keystore "
              + "(POSP_REMOTE_KEYSTORE) and remoting-truststore (POSP_REMOTE_TRUSTSTORE) with their passwords, or "
              + "posp.cluster.allow-plain-remoting = on for a test system on an isolated network");
    }
    String truststore = c.getString("remoting-truststore");
    for (String[] f :
        new String[][] {{"remoting-keystore", keystore}, {"remoting-truststore", truststore}}) {
      if (f[1].isBlank() || !Files.isReadable(Path.of(f[1]))) {
        throw new IllegalStateException(
            "posp.cluster." + f[0] + " '" + f[1] + "' is not a readable file");
      }
    }
    String engine = "pekko.remote.artery.ssl.config-ssl-engine.";
    Config tls =
        ConfigFactory.empty()
            .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
            .withValue(engine + "key-store", ConfigValueFactory.fromAnyRef(keystore))
            .withValue(
                engine + "key-store-password",
                ConfigValueFactory.fromAnyRef(c.getString("remoting-keystore-password")))
            .withValue(
                engine + "key-password",
                ConfigValueFactory.fromAnyRef(c.getString("remoting-keystore-password")))
            .withValue(engine + "trust-store", ConfigValueFactory.fromAnyRef(truststore))
            .withValue(
                engine + "trust-store-password",
                ConfigValueFactory.fromAnyRef(c.getString("remoting-truststore-password")))
            .withValue(engine + "protocol", ConfigValueFactory.fromAnyRef("TLSv1.3"))
            .withValue(
                engine + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true));
    log.info(
        "cluster remoting over TLS 1.3 with mutual authentication (keystore {}, truststore {})",
        keystore,
        truststore);
    return tls.withFallback(config).resolve();
  }
}
