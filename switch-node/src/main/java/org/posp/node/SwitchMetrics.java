package org.posp.node;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Histogram;
import kamon.metric.MeasurementUnit;
import kamon.metric.Metric;
import kamon.tag.TagSet;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * The terminal fronts' Prometheus metrics (Kamon): {@code posp_terminal_requests_total{type,code}},
 * {@code posp_terminal_request_latency_seconds{type}} (frame in to reply out), {@code
 * posp_terminal_requests_in_flight} and {@code posp_terminal_connections{front}}. The label {@code
 * type} is the transaction type (SALE, SALE_VOID, SIGN_ON, …; FORMAT_ERROR when the frame could not
 * be unpacked, UNKNOWN when it names no known type); {@code code} is the reply's field 39, or
 * {@code none} when nothing was sent (no answer in time).
 */
final class SwitchMetrics {
  private static final Metric.Counter REQUESTS =
      Kamon.counter(
          "posp.terminal.requests",
          "terminal requests by transaction type and response code (field 39)");
  private static final Metric.Histogram LATENCY =
      Kamon.histogram(
          "posp.terminal.request-latency",
          "end to end: request frame in to reply frame out",
          MeasurementUnit.time().nanoseconds());
  private static final Gauge IN_FLIGHT =
      Kamon.gauge(
              "posp.terminal.requests-in-flight", "terminal requests received and not answered yet")
          .withoutTags();
  private static final Metric.Gauge CONNECTIONS =
      Kamon.gauge(
          "posp.terminal.connections",
          "open terminal connections on this node, per front (tcp, tls)");

  private record Key(String type, String code) {}

  /** Instruments by label set: the hot path does not build tag sets. */
  private static final Map<Key, Counter> COUNTERS = new ConcurrentHashMap<>();

  private static final Map<String, Histogram> HISTOGRAMS = new ConcurrentHashMap<>();

  private SwitchMetrics() {}

  static String type(TerminalMessage msg) {
    try {
      return TransactionType.classify(msg).map(Enum::name).orElse("UNKNOWN");
    } catch (RuntimeException e) {
      return "UNKNOWN";
    }
  }

  static void requestStarted() {
    IN_FLIGHT.increment();
  }

  /** One request answered ({@code code} null = nothing sent), timed from {@code startNanos}. */
  static void requestEnded(String type, String code, long startNanos) {
    IN_FLIGHT.decrement();
    COUNTERS
        .computeIfAbsent(
            new Key(type, code == null ? "none" : code),
            k -> REQUESTS.withTags(TagSet.of("type", k.type()).withTag("code", k.code())))
        .increment();
    HISTOGRAMS
        .computeIfAbsent(type, t -> LATENCY.withTag("type", t))
        .record(System.nanoTime() - startNanos);
  }

  /** A front is listening: its connection gauge exists from now on (0 rather than no data). */
  static void frontBound(String front) {
    CONNECTIONS.withTag("front", front).update(0);
  }

  static void connectionOpened(String front) {
    CONNECTIONS.withTag("front", front).increment();
  }

  static void connectionClosed(String front) {
    CONNECTIONS.withTag("front", front).decrement();
  }
}
