package org.posp.channel.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromMinToMaxWithoutJitter() {
    Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 0);
    assertEquals(500, b.delay(1).toMillis());
    assertEquals(1000, b.delay(2).toMillis());
    assertEquals(2000, b.delay(3).toMillis());
    assertEquals(16000, b.delay(6).toMillis());
    assertEquals(30000, b.delay(7).toMillis());
    assertEquals(30000, b.delay(1000).toMillis());
  }

  @RepeatedTest(20)
  void jitterStaysWithinTheRandomFactor() {
    Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 0.2);
    long first = b.delay(1).toMillis();
    assertTrue(first >= 500 && first <= 600, "first delay " + first);
    long capped = b.delay(50).toMillis();
    assertTrue(capped >= 30000 && capped <= 36000, "capped delay " + capped);
  }
}
