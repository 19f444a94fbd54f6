package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ClearKeyPolicyTest {
  static Config config(String extra) {
    return ConfigFactory.parseString(extra)
        .withFallback(
            ConfigFactory.parseString(
                "posp.security.allow-clear-keys = off\n"
                    + "posp.card-bus.endpoints { core { addresses = [\"10.0.0.1:7000\"], zpk { under-lmk = \"AB\", check-value = \"12345678\" } }\n"
                    + "  cups { addresses = [\"10.0.0.2:7000\"], zpk { clear = \"1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A\" } } }"));
  }

  @Test
  void aProductionNodeRefusesClearZpksAndNamesTheEndpoint() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> SwitchNode.refuseClearKeys(config(""), false));
    assertTrue(e.getMessage().contains("cups"), e.getMessage());
    assertTrue(!e.getMessage().contains("1C1C1C1C"), "the key is never echoed");
  }

  @Test
  void demoModeOrAnExplicitSettingAllowsThem() {
    assertDoesNotThrow(() -> SwitchNode.refuseClearKeys(config(""), true));
    assertDoesNotThrow(
        () -> SwitchNode.refuseClearKeys(config("posp.security.allow-clear-keys = on"), false));
  }
}
