package org.posp.channel.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.posp.channel.CardBusSettings;

class LinkSettingsTest {

  @Test
  void builderDefaultsAreTheReferenceConfiguration() {
    CardBusSettings c = CardBusSettings.fromConfig(ConfigFactory.defaultReference());
    LinkSettings s = LinkSettings.builder("core", "core-1.1", "10.1.1.10", 7000).build();
    assertEquals("core", s.endpoint());
    assertEquals("core-1.1", s.linkId());
    assertEquals("10.1.1.10:7000", s.address());
    assertEquals(c.acquirerId(), s.acquirerId());
    assertEquals(c.echoInterval(), s.echoInterval());
    assertEquals(c.maxMissedEchoes(), s.maxMissedEchoes());
    assertEquals(c.logonTimeout(), s.logonTimeout());
    assertEquals(c.connectTimeout(), s.connectTimeout());
    assertEquals(c.minBackoff(), s.minBackoff());
    assertEquals(c.maxBackoff(), s.maxBackoff());
    assertEquals(c.randomFactor(), s.randomFactor());
    assertEquals(c.maxFrameBytes(), s.maxFrameBytes());
    assertEquals(c.sendQueueSize(), s.sendQueueSize());
  }

  @Test
  void everyPartIsSetByName() {
    LinkSettings s =
        LinkSettings.builder("cups", "cups-2.1", "cups.example", 7100)
            .acquirerId("48020000")
            .echo(Duration.ofSeconds(5), 2)
            .timeouts(Duration.ofSeconds(3), Duration.ofSeconds(1))
            .reconnect(Duration.ofMillis(100), Duration.ofSeconds(2), 0.5)
            .frames(4096, 16)
            .build();
    assertEquals("cups.example", s.host());
    assertEquals(7100, s.port());
    assertEquals("48020000", s.acquirerId());
    assertEquals(Duration.ofSeconds(5), s.echoInterval());
    assertEquals(2, s.maxMissedEchoes());
    assertEquals(Duration.ofSeconds(3), s.logonTimeout());
    assertEquals(Duration.ofSeconds(1), s.connectTimeout());
    assertEquals(Duration.ofMillis(100), s.minBackoff());
    assertEquals(Duration.ofSeconds(2), s.maxBackoff());
    assertEquals(0.5, s.randomFactor());
    assertEquals(4096, s.maxFrameBytes());
    assertEquals(16, s.sendQueueSize());
  }
}
