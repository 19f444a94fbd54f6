package org.posp.terminal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import kamon.Kamon;
import kamon.metric.Gauge;
import kamon.metric.Histogram;
import kamon.metric.MeasurementUnit;

/**
 * The entities' Prometheus metrics (Kamon): persistence latency ({@code
 * posp_persistence_latency_seconds{entity}}, from the persist effect to its callback, i.e. the
 * journal write) and the store-and-forward queue of this node ({@code
 * posp_store_forward_queue_depth}: reversals waiting in the terminal entities hosted here; {@code
 * posp_store_forward_oldest_age_seconds}: how long the oldest of them has waited).
 *
 * <p>The queue is kept as one entry per entity with pending reversals, written by the entity itself
 * on its own thread whenever its pending set may have changed, and removed when the entity stops
 * (it moves with its shard; the new host's copy registers after recovery). {@link
 * #refreshStoreAndForward()} turns the entries into the two gauges, on a timer of the node.
 */
public final class TerminalMetrics {
  private static final Histogram TERMINAL_PERSIST = persistence("terminal");
  private static final Histogram MERCHANT_PERSIST = persistence("merchant");
  private static final Gauge DEPTH =
      Kamon.gauge(
              "posp.store-forward.queue-depth",
              "reversals waiting to be sent upstream (store and forward) in the entities on this node")
          .withoutTags();
  private static final Gauge OLDEST =
      Kamon.gauge(
              "posp.store-forward.oldest-age",
              "age of the oldest waiting reversal on this node",
              MeasurementUnit.time().seconds())
          .withoutTags();

  /** Pending reversals of one entity: how many, and since when the oldest waits. */
  private record Pending(int count, Instant oldest) {}

  private static final Map<String, Pending> PENDING = new ConcurrentHashMap<>();

  private TerminalMetrics() {}

  private static Histogram persistence(String entity) {
    return Kamon.histogram(
            "posp.persistence.latency",
            "event persist to stored (journal write)",
            MeasurementUnit.time().nanoseconds())
        .withTag("entity", entity);
  }

  static void terminalPersisted(long startNanos) {
    TERMINAL_PERSIST.record(System.nanoTime() - startNanos);
  }

  static void merchantPersisted(long startNanos) {
    MERCHANT_PERSIST.record(System.nanoTime() - startNanos);
  }

  /** The entity's pending reversals as its state now has them (called on the entity's thread). */
  static void storeAndForward(String entityId, TerminalState s) {
    int count = 0;
    Instant oldest = null;
    for (TerminalState.Txn t : s.txns().values()) {
      if (!t.reversalPending()) continue;
      count++;
      Instant at = t.reversal().requestedAt();
      if (at != null && (oldest == null || at.isBefore(oldest))) oldest = at;
    }
    if (count == 0) PENDING.remove(entityId);
    else PENDING.put(entityId, new Pending(count, oldest));
  }

  /** The entity stopped on this node (passivated, moved or crashed). */
  static void entityStopped(String entityId) {
    PENDING.remove(entityId);
  }

  /** Reversals waiting on this node, as last reported by the entities. */
  public static int storeAndForwardDepth() {
    return PENDING.values().stream().mapToInt(Pending::count).sum();
  }

  /** Publishes the store-and-forward gauges; the node calls this on a timer. */
  public static void refreshStoreAndForward() {
    Instant now = Instant.now();
    Instant oldest =
        PENDING.values().stream()
            .map(Pending::oldest)
            .filter(Objects::nonNull)
            .min(Instant::compareTo)
            .orElse(null);
    DEPTH.update(storeAndForwardDepth());
    OLDEST.update(
        oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toMillis() / 1000.0));
  }
}
