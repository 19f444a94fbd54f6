package org.posp.terminal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A clock the test moves by hand, forwards or backwards. Thread-safe (entities read it on their
 * threads).
 */
final class MutableClock extends Clock {
  private volatile Instant now;
  private final ZoneId zone;

  MutableClock(Instant start, ZoneId zone) {
    this.now = start;
    this.zone = zone;
  }

  void set(Instant instant) {
    now = instant;
  }

  void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId z) {
    return new MutableClock(now, z);
  }

  @Override
  public Instant instant() {
    return now;
  }
}
