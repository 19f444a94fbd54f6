package org.posp.channel;

import java.util.concurrent.CompletionStage;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Histogram;
import kamon.metric.MeasurementUnit;
import kamon.metric.Metric;
import kamon.tag.TagSet;
import org.posp.channel.link.LinkState;

/**
 * The card bus's Prometheus metrics (Kamon): requests and latency per endpoint, link and breaker
 * state. Exported as {@code posp_card_bus_requests_total{endpoint,outcome}}, {@code
 * posp_card_bus_request_latency_seconds{endpoint}}, {@code posp_card_bus_link_up{endpoint,link}}
 * and {@code posp_card_bus_breaker_open{endpoint}}. Without {@code Kamon.init} they are kept in
 * memory and never exported (unit tests).
 */
public final class CardBusMetrics {
  private static final Metric.Counter REQUESTS =
      Kamon.counter(
          "posp.card-bus.requests",
          "card-bus requests by endpoint and outcome (replied, timeout, unavailable)");
  private static final Metric.Histogram LATENCY =
      Kamon.histogram(
          "posp.card-bus.request-latency",
          "card-bus request latency per endpoint, sent to reply or timeout",
          MeasurementUnit.time().nanoseconds());
  private static final Metric.Gauge LINK_UP =
      Kamon.gauge("posp.card-bus.link-up", "1 when the link is logged on and ready, else 0");
  private static final Metric.Gauge BREAKER_OPEN =
      Kamon.gauge(
          "posp.card-bus.breaker-open",
          "1 while the endpoint's circuit breaker is open (requests are not sent)");

  private CardBusMetrics() {}

  /**
   * Records the outcome of one request sent through {@code endpoint}, timed from {@code
   * startNanos}.
   */
  static CompletionStage<CardBusResult> timed(
      String endpoint, long startNanos, CompletionStage<CardBusResult> result) {
    return result.whenComplete(
        (r, e) -> {
          String outcome =
              e != null || r instanceof CardBusResult.TimedOut
                  ? "timeout"
                  : r instanceof CardBusResult.NotSent ? "unavailable" : "replied";
          counter(endpoint, outcome).increment();
          if (!"unavailable".equals(outcome)) {
            Histogram h = LATENCY.withTag("endpoint", endpoint);
            h.record(System.nanoTime() - startNanos);
          }
        });
  }

  private static Counter counter(String endpoint, String outcome) {
    return REQUESTS.withTags(TagSet.of("endpoint", endpoint).withTag("outcome", outcome));
  }

  /** A link of {@code endpoint} changed state. */
  public static void link(String endpoint, String linkId, LinkState state) {
    Gauge g = LINK_UP.withTags(TagSet.of("endpoint", endpoint).withTag("link", linkId));
    g.update(state == LinkState.READY ? 1 : 0);
  }

  /** Registers an endpoint's series at zero, so that a dashboard shows 0 rather than no data. */
  static void register(String endpoint) {
    for (String outcome : new String[] {"replied", "timeout", "unavailable"})
      counter(endpoint, outcome);
    breaker(endpoint, false);
  }

  static void breaker(String endpoint, boolean open) {
    BREAKER_OPEN.withTag("endpoint", endpoint).update(open ? 1 : 0);
  }
}
