package org.posp.sim.load;

/**
 * What one request on the wire was, for the per-type latency and response code statistics. A {@link
 * LoadOperation} sends one or two of them: the {@code reversal} operation sends a {@link
 * #REVERSED_SALE} (kept apart from {@link #SALE} so that approved sales per second only count sales
 * that stay approved) followed by a {@link #REVERSAL}.
 */
public enum RequestKind {
  SALE("sale"),
  VOID("void"),
  BALANCE("balance"),
  /** The 0200 sale of a {@code reversal} operation; its 0400 follows. */
  REVERSED_SALE("reversed-sale"),
  /** The 0400 冲正 (reason 98). */
  REVERSAL("reversal");

  private final String label;

  RequestKind(String label) {
    this.label = label;
  }

  /** The name in the summary and the JSON report. */
  public String label() {
    return label;
  }
}
