package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped configuration's defaults for the terminal front outside and inside demo mode. */
class FrontDefaultsTest {
  static Config shipped(String demo) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.parseMap(Map.of("posp.demo", demo))
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  @Test
  void thePlainTerminalPortIsOffOutsideDemoMode() {
    assertFalse(shipped("off").getBoolean("posp.terminal-front.plain"));
    assertTrue(shipped("on").getBoolean("posp.terminal-front.plain"));
  }

  @Test
  void terminalsNeedNoClientCertificateByDefaultAndClusterRemotingIsNotPlainByDefault() {
    Config c = shipped("off");
    assertEquals("none", TlsContexts.clientAuth(c.getConfig("posp.terminal-front")));
    assertFalse(c.getBoolean("posp.cluster.allow-plain-remoting"));
    assertTrue(
        c.getInt("posp.terminal-front.max-connections-per-address")
            <= c.getInt("posp.terminal-front.max-connections"));
  }
}
