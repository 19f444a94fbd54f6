package org.posp.terminal;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * How an entity that failed (a journal write, its recovery) is restarted: after {@code min},
 * doubling up to {@code max}, each delay plus up to {@code randomFactor} of itself. It holds the
 * one supervisor strategy that every entity of a type shares (an object and its durations per
 * entity otherwise: a node hosts a hundred thousand idle terminals).
 */
public final class RestartBackoff {
  private final Duration min;
  private final Duration max;
  private final double randomFactor;
  private final BackoffSupervisorStrategy strategy;

  /**
   * A backoff of {@code min} to {@code max}; a wrong value is refused with an
   * IllegalArgumentException.
   */
  public RestartBackoff(Duration min, Duration max, double randomFactor) {
    this("restart-backoff", min, max, randomFactor);
  }

  private RestartBackoff(String key, Duration min, Duration max, double randomFactor) {
    if (min.isNegative() || min.isZero()) {
      throw new IllegalArgumentException(key + ".min must be positive, got " + min);
    }
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException(key + ".max (" + max + ") is below min (" + min + ")");
    }
    if (!(randomFactor >= 0 && randomFactor <= 1)) {
      throw new IllegalArgumentException(key + ".random-factor must be 0..1, got " + randomFactor);
    }
    this.min = min;
    this.max = max;
    this.randomFactor = randomFactor;
    this.strategy = SupervisorStrategy.restartWithBackoff(min, max, randomFactor);
  }

  /**
   * Reads {@code <key>.min}, {@code <key>.max} and {@code <key>.random-factor}; errors name the
   * key.
   */
  public static RestartBackoff fromConfig(Config config, String key) {
    return new RestartBackoff(
        key,
        config.getDuration(key + ".min"),
        config.getDuration(key + ".max"),
        config.getDouble(key + ".random-factor"));
  }

  public Duration min() {
    return min;
  }

  public Duration max() {
    return max;
  }

  public double randomFactor() {
    return randomFactor;
  }

  /** The supervisor strategy, the same object at every call. */
  public BackoffSupervisorStrategy strategy() {
    return strategy;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RestartBackoff b
        && min.equals(b.min)
        && max.equals(b.max)
        && Double.compare(randomFactor, b.randomFactor) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(min, max, randomFactor);
  }

  @Override
  public String toString() {
    return "RestartBackoff[min=" + min + ", max=" + max + ", randomFactor=" + randomFactor + "]";
  }
}
