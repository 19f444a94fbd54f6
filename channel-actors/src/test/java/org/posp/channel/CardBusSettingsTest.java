package org.posp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.posp.channel.CardBusSettings.Address;
import org.posp.channel.CardBusSettings.EndpointSettings;
import org.posp.channel.CardBusSettings.Strategy;
import org.posp.channel.CardBusSettings.ZpkSource;

class CardBusSettingsTest {

  private static Config config(String cardBus) {
    return ConfigFactory.parseString("posp.card-bus {" + cardBus + "}")
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  @Test
  void referenceDefaultsHaveNoEndpoints() {
    CardBusSettings s = CardBusSettings.fromConfig(ConfigFactory.defaultReference());
    assertTrue(s.endpoints().isEmpty());
    assertEquals(Duration.ofSeconds(30), s.echoInterval());
    assertEquals(3, s.maxMissedEchoes());
    assertEquals(Duration.ofMillis(500), s.minBackoff());
    assertEquals(Duration.ofSeconds(30), s.maxBackoff());
    assertEquals(8192, s.maxFrameBytes());
    assertTrue(s.routes().endpoints().isEmpty());
  }

  @Test
  void readsTheDocumentedShape() {
    CardBusSettings s =
        CardBusSettings.fromConfig(
            config(
                """
        acquirer-id = "48020000"
        echo-interval = 15s
        endpoints {
          core { addresses = ["127.0.0.1:7000", "10.0.0.2:7001"], strategy = primary-secondary,
                 timeout = 5s, breaker { max-failures = 3, reset-timeout = 10s },
                 zpk { clear = "1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A" } }
          cups { addresses = ["127.0.0.1:7100"], links-per-address = 1,
                 zpk { under-lmk = "ABCDEF", check-value = "0123AB" } }
        }
        routes { bins { "622202" = core }, default = cups }
        """));
    assertEquals("48020000", s.acquirerId());
    assertEquals(Duration.ofSeconds(15), s.echoInterval());
    EndpointSettings core =
        s.endpoints().stream().filter(e -> e.name().equals("core")).findFirst().orElseThrow();
    assertEquals(
        List.of(new Address("127.0.0.1", 7000), new Address("10.0.0.2", 7001)), core.addresses());
    assertEquals(2, core.linksPerAddress());
    assertEquals(Strategy.PRIMARY_SECONDARY, core.strategy());
    assertEquals(Duration.ofSeconds(5), core.timeout());
    assertEquals(3, core.breakerMaxFailures());
    assertEquals(Duration.ofSeconds(10), core.breakerResetTimeout());
    ZpkSource.Clear clear = assertInstanceOf(ZpkSource.Clear.class, core.zpk());
    assertEquals(16, clear.key().length);
    assertFalse(core.toString().contains("1C1C"), "the clear key must not be printed");
    EndpointSettings cups =
        s.endpoints().stream().filter(e -> e.name().equals("cups")).findFirst().orElseThrow();
    assertEquals(1, cups.linksPerAddress());
    assertEquals(Strategy.ROUND_ROBIN, cups.strategy());
    assertEquals(Duration.ofSeconds(20), cups.timeout());
    assertEquals(5, cups.breakerMaxFailures());
    assertEquals(new ZpkSource.UnderLmk("ABCDEF", "0123AB"), cups.zpk());
    assertEquals("cups", s.routes().defaultEndpoint());
  }

  @Test
  void errorsNameTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CardBusSettings.fromConfig(
                    config("acquirer-id = \"4802\", endpoints { core { addresses = [] } }")));
    assertTrue(e.getMessage().contains("endpoints.core.addresses"), e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CardBusSettings.fromConfig(
                    config("endpoints { core { addresses = [\"127.0.0.1:7000\"] } }")));
    assertTrue(e.getMessage().contains("acquirer-id"), e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CardBusSettings.fromConfig(
                    config(
                        "acquirer-id = \"4802\", endpoints { core { addresses = [\"127.0.0.1\"] } }")));
    assertTrue(e.getMessage().contains("host:port"), e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CardBusSettings.fromConfig(
                    config(
                        "acquirer-id = \"4802\", endpoints { core { addresses = [\"h:1\"], strategy = random } }")));
    assertTrue(e.getMessage().contains("strategy"), e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CardBusSettings.fromConfig(
                    config(
                        "acquirer-id = \"4802\", endpoints { core { addresses = [\"h:1\"], zpk { clear = \"ZZZZ1C1C1C1C1C1C\" } } }")));
    assertTrue(e.getMessage().contains("zpk.clear"), e.getMessage());
    assertFalse(e.getMessage().contains("ZZZZ"), "the key must not be echoed");

    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CardBusSettings.fromConfig(
                    config("reconnect { min-backoff = 5s, max-backoff = 1s }")));
    assertTrue(e.getMessage().contains("max-backoff"), e.getMessage());
  }
}
