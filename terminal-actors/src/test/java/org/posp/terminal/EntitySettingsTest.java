package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code posp.terminal} and {@code posp.merchant}: the defaults of reference.conf and the refused
 * values.
 */
class EntitySettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private static void refused(Function<Config, ?> read, String overrides, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> read.apply(config(overrides)));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void defaultsAreReferenceConf() {
    assertEquals(
        TerminalSettings.defaults(""),
        TerminalSettings.fromConfig(ConfigFactory.defaultReference()));
    assertEquals(
        MerchantSettings.defaults(), MerchantSettings.fromConfig(ConfigFactory.defaultReference()));
    RestartBackoff terminal = TerminalSettings.defaults("").restartBackoff();
    assertEquals(Duration.ofMillis(200), terminal.min());
    assertEquals(Duration.ofSeconds(3), terminal.max());
    assertEquals(0.2, terminal.randomFactor());
    assertEquals(
        new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2),
        MerchantSettings.defaults().restartBackoff());
    assertEquals(200, MerchantSettings.defaults().snapshotEvery());
  }

  @Test
  void readsTheMerchantSettings() {
    MerchantSettings s =
        MerchantSettings.fromConfig(
            config(
                "posp.merchant { snapshot-every = 50, restart-backoff { min = 1s, max = 10s, random-factor = 0.5 } }"));
    assertEquals(50, s.snapshotEvery());
    assertEquals(
        new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.5), s.restartBackoff());
  }

  @Test
  void readsTheTerminalBackoff() {
    TerminalSettings s =
        TerminalSettings.fromConfig(
            config("posp.terminal.restart-backoff { min = 100ms, max = 1s, random-factor = 0 }"));
    assertEquals(
        new RestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0), s.restartBackoff());
  }

  @Test
  void everyEntityOfATypeSharesOneSupervisorStrategy() {
    RestartBackoff b = MerchantSettings.defaults().restartBackoff();
    assertSame(b.strategy(), b.strategy());
  }

  @Test
  void badValuesStopTheStartNamingTheKey() {
    refused(
        MerchantSettings::fromConfig,
        "posp.merchant.snapshot-every = 0",
        "posp.merchant.snapshot-every must be at least 1");
    refused(
        MerchantSettings::fromConfig,
        "posp.merchant.restart-backoff.min = 0s",
        "posp.merchant.restart-backoff.min must be positive");
    refused(
        MerchantSettings::fromConfig,
        "posp.merchant.restart-backoff.min = -1s",
        "posp.merchant.restart-backoff.min must be positive");
    refused(
        MerchantSettings::fromConfig,
        "posp.merchant.restart-backoff { min = 10s, max = 5s }",
        "posp.merchant.restart-backoff.max (PT5S) is below min (PT10S)");
    refused(
        MerchantSettings::fromConfig,
        "posp.merchant.restart-backoff.random-factor = 1.5",
        "posp.merchant.restart-backoff.random-factor must be 0..1");
    refused(
        MerchantSettings::fromConfig,
        "posp.merchant.restart-backoff.random-factor = -0.1",
        "posp.merchant.restart-backoff.random-factor must be 0..1");
    refused(
        TerminalSettings::fromConfig,
        "posp.terminal.snapshot-every = -5",
        "posp.terminal.snapshot-every must be at least 1");
    refused(
        TerminalSettings::fromConfig,
        "posp.terminal.restart-backoff.max = 100ms",
        "posp.terminal.restart-backoff.max (PT0.1S) is below min (PT0.2S)");
    refused(
        TerminalSettings::fromConfig,
        "posp.terminal.restart-backoff.random-factor = 2",
        "posp.terminal.restart-backoff.random-factor must be 0..1");
    ConfigException.BadValue notADuration =
        assertThrows(
            ConfigException.BadValue.class,
            () -> MerchantSettings.fromConfig(config("posp.merchant.restart-backoff.max = soon")));
    assertTrue(
        notADuration.getMessage().contains("posp.merchant.restart-backoff.max"),
        notADuration.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new RestartBackoff(Duration.ZERO, Duration.ofSeconds(1), 0.2));
  }
}
