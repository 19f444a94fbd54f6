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
   * @param terminalCode the terminal's 39 for this action code (docs/protocol/card-bus.md §9)
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
   * broke after the write, or the reply had no valid field 39): the outcome is unknown and a financial
   * request must be reversed. A reply that still arrives later goes to the {@link LateReplyListener}.
   */
  record TimedOut(String endpoint) implements CardBusResult {}

  /**
   * The request was never written to any link (breaker open, no ready link, no route, PIN block
   * refused by the HSM, invalid request): the host cannot have seen it, nothing needs reversing.
   *
   * @param endpoint the endpoint it was routed to, null when no route was found
   * @param terminalCode the terminal's 39: 91 breaker open / no ready link / card bus stopped, 92 no
   *     route, 99 PIN block refused by the HSM (PIN_FORMAT), 30 invalid request (a field missing or
   *     malformed, the reason names it), 94 the same MTI class + STAN + terminal id is already in flight,
   *     96 no ZPK for the endpoint or another security module / internal error
   * @param reason for logs and operators (never card data)
   */
  record NotSent(String endpoint, String terminalCode, String reason) implements CardBusResult {}
}
