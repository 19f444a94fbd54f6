package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.HexFormat;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posp.security.CupCrypto;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.SoftwareHsm;
import org.posp.terminal.TerminalSettings;

/**
 * Outside demo mode single DES keys are refused: the admin API refuses an 8-byte TMK (400, before
 * anything reaches a terminal entity), unless {@code posp.security.allow-single-des} is on.
 * (Sign-on with scheme 001 is refused by the entity: TerminalEntityTest.)
 */
class SingleDesPolicyTest {
  static final String LMK = "89ABCDEF01234567FEDCBA9876543210";
  static ActorSystem<Void> system;
  static SoftwareHsm hsm;

  @BeforeAll
  static void start() {
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "single-des-policy",
            ConfigFactory.parseString(
                    "pekko.actor.provider = cluster\npekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "pekko.remote.artery.canonical.port = 0")
                .withFallback(ConfigFactory.defaultReference()));
    hsm = SoftwareHsm.fromHex(LMK);
  }

  @AfterAll
  static void stop() {
    if (system != null) system.terminate();
  }

  static String underLmk(LmkKey k) {
    return "{\"tmk\": {\"underLmk\": \""
        + k.cryptogramHex()
        + "\", \"checkValue\": \""
        + k.checkValue()
        + "\"}}";
  }

  @Test
  void aProductionNodeRefusesASingleDesTmk() {
    LmkKey tmk8 = hsm.importClearKey(KeyType.TMK, HexFormat.of().parseHex("0123456789ABCDEF"));
    Provisioning production = new Provisioning(system, hsm, false, false);
    Provisioning.Result r = production.terminal("898100012340001", "10000001", underLmk(tmk8));
    assertNotNull(r.error(), "refused");
    assertTrue(
        r.error().contains("single DES") && r.error().contains("posp.security.allow-single-des"),
        r.error());
    assertEquals(null, r.done(), "nothing was sent to the entity");
    assertFalse(
        r.error().contains(CupCrypto.hex(HexFormat.of().parseHex("0123456789ABCDEF"))),
        "no key echoed");
  }

  @Test
  void singleDesIsAllowedInDemoModeOrByTheSetting() {
    var defaults =
        ConfigFactory.defaultApplication().withFallback(ConfigFactory.defaultReference());
    Function<String, Boolean> allowed =
        c ->
            TerminalSettings.singleDesAllowed(
                ConfigFactory.parseString(c).withFallback(defaults).resolve());
    assertFalse(allowed.apply("posp.demo = off"), "off by default outside demo mode");
    assertTrue(allowed.apply("posp.demo = on"));
    assertTrue(allowed.apply("posp.demo = off\nposp.security.allow-single-des = on"));
  }
}
