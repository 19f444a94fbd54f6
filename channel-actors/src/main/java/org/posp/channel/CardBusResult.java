package org.posp.channel;

/** The outcome of one {@link CardBus#send}. */
public sealed interface CardBusResult {

  /** Name of the endpoint the request was routed to (null when no route was found). */
  String endpoint();

  /**
   * The host answered.
   *
   * @param actionCode CMF field 39 (4 digits)
   * @param approvalCode field 38 or null
   * @param settlementDate field 15 YYYYMMDD or null
   * @param balance field 54 as received or null
   * @param terminalCode the terminal's 39 for this action code (card-bus.md §5)
   */
  record Answered(
      String endpoint,
      String actionCode,
      String approvalCode,
      String settlementDate,
      String balance,
      String terminalCode)
      implements CardBusResult {
    public boolean approved() { return "00".equals(terminalCode); }
  }

  /**
   * The request was written to a link but no reply came within the endpoint timeout (or the link
   * broke after the write): the outcome is unknown and a financial request must be reversed.
   */
  record TimedOut(String endpoint) implements CardBusResult {}

  /**
   * The request was never written to any link (breaker open, no ready link, no route, PIN block
   * refused by the HSM): the host cannot have seen it, nothing needs reversing.
   *
   * @param terminalCode the terminal's 39: 91 breaker open / no link, 92 no route, 99 PIN format
   * @param reason for logs and operators
   */
  record NotSent(String endpoint, String terminalCode, String reason) implements CardBusResult {}
}
