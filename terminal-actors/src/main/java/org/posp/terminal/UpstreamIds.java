package org.posp.terminal;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

/**
 * Allocates the identifiers of upstream messages (docs/protocol/card-bus.md §7): the RRN (field 37,
 * an12, unique across the cluster and over time) and the link STAN (field 11, n12, unique for 24
 * h). Both are derived from one (second, node, sequence) triple:
 *
 * <ul>
 *   <li>STAN = second of the UTC day (5 digits) + node id (2 digits) + sequence within the second
 *       (5 digits);
 *   <li>RRN = epoch second in base 36 (7 characters) + (node id * 100000 + sequence) in base 36 (5
 *       characters), uppercase.
 * </ul>
 *
 * <p>Each running node must have its own node id (0–99, {@code posp.node-id}). Up to 100,000 ids
 * per second per node; past that the generator moves on to the next second. The clock never goes
 * back: the last second used is remembered, and a node starts one second after its start-up instant
 * so that a restart within the same second cannot repeat an id.
 */
public final class UpstreamIds {
  private static final int PER_SECOND = 100_000;

  /** An allocated pair. */
  public record UpstreamId(String rrn, String stan, Instant at) {}

  private final int nodeId;
  private final Clock clock;
  private long second;
  private int sequence;

  public UpstreamIds(int nodeId, Clock clock) {
    if (nodeId < 0 || nodeId > 99)
      throw new IllegalArgumentException("posp.node-id must be 0..99, got " + nodeId);
    this.nodeId = nodeId;
    this.clock = clock;
    this.second = clock.instant().getEpochSecond() + 1;
    this.sequence = 0;
  }

  public synchronized UpstreamId next() {
    long now = clock.instant().getEpochSecond();
    if (now > second) {
      second = now;
      sequence = 0;
    } else if (sequence >= PER_SECOND) {
      second++;
      sequence = 0;
    }
    int seq = sequence++;
    // second of the UTC day: a local day can repeat an hour when daylight saving time ends
    int secondOfDay = (int) Math.floorMod(second, 86_400L);
    String stan = String.format(Locale.ROOT, "%05d%02d%05d", secondOfDay, nodeId, seq);
    String rrn = base36(second, 7) + base36((long) nodeId * PER_SECOND + seq, 5);
    return new UpstreamId(rrn, stan, Instant.ofEpochSecond(second));
  }

  static String base36(long value, int width) {
    String s = Long.toString(value, 36).toUpperCase(Locale.ROOT);
    if (s.length() > width)
      throw new IllegalStateException(
          "value " + value + " does not fit " + width + " base-36 digits");
    return "0".repeat(width - s.length()) + s;
  }
}
