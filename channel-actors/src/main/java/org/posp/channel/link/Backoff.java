package org.posp.channel.link;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential reconnect delay with jitter, so that many nodes do not reconnect in lock step. */
public record Backoff(Duration min, Duration max, double randomFactor) {

  /**
   * The delay after {@code failures} consecutive failures (1 = the first): min, 2 min, 4 min ..
   * max, each plus up to {@code randomFactor} of itself.
   */
  public Duration delay(int failures) {
    long minMs = Math.max(1, min.toMillis());
    long maxMs = Math.max(minMs, max.toMillis());
    int shift = Math.min(Math.max(failures - 1, 0), 30);
    long base = Math.min(maxMs, minMs << shift);
    double jitter = randomFactor <= 0 ? 0 : ThreadLocalRandom.current().nextDouble(randomFactor);
    // jitter also applies at the cap: nodes that lost the host together must not retry together
    return Duration.ofMillis((long) (base * (1 + jitter)));
  }
}
