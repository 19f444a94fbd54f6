package org.posp.channel;

import org.posp.channel.cmf.CmfActionCodes;

/**
 * The outcome of one {@link CardBus#send}, in the card bus's own terms: the host's CMF action code,
 * an unknown outcome, or why the request never left. What a terminal is told about it is decided by
 * the terminal layer.
 */
public sealed interface CardBusResult {

  /** Name of the endpoint the request was routed to (null when no route was found). */
  String endpoint();

  /**
   * The host answered.
   *
   * @param actionCode CMF field 39 (4 digits, {@link org.jpos.rc.CMF})
   * @param approvalCode field 38 or null
   * @param settlementDate field 15 YYYYMMDD or null
   * @param balance field 54 as received or null
   */
  record Answered(
      String endpoint,
      String actionCode,
      String approvalCode,
      String settlementDate,
      String balance)
      implements CardBusResult {

    /** Whether the host approved: a CMF approval code (0000..0013). */
    public boolean approved() {
      return CmfActionCodes.isApproval(actionCode);
    }
  }

  /**
   * The request was written to a link but no reply came within the endpoint timeout (or the link
   * broke after the write, or the reply had no valid field 39): the outcome is unknown and a
   * financial request must be reversed. A reply that still arrives later goes to the {@link
   * LateReplyListener}.
   */
  record TimedOut(String endpoint) implements CardBusResult {}

  /**
   * The request was never written to any link: the host cannot have seen it, nothing needs
   * reversing.
   *
   * @param endpoint the endpoint it was routed to, null when no route was found
   * @param reason what stopped it
   * @param detail for logs and operators (never card data)
   */
  record NotSent(String endpoint, NotSentReason reason, String detail) implements CardBusResult {

    /** The reason with its detail, for logs. */
    public String describe() {
      return detail == null || detail.isEmpty() ? reason.name() : reason + ": " + detail;
    }
  }

  /** Why a request was not sent (docs/protocol/card-bus.md §9). */
  enum NotSentReason {
    /** A field is missing or malformed, or the packed message is too long; the detail names it. */
    INVALID_REQUEST,
    /** The card bus is stopping or stopped. */
    STOPPED,
    /** No route matches the request and there is no default endpoint. */
    NO_ROUTE,
    /** The route names an endpoint that is not configured. */
    ENDPOINT_NOT_CONFIGURED,
    /** A request with the same MTI class, STAN and terminal id is in flight on the endpoint. */
    DUPLICATE_IN_FLIGHT,
    /** The endpoint's circuit breaker is open. */
    BREAKER_OPEN,
    /** The endpoint has no ready link, or none could take the message. */
    NO_READY_LINK,
    /** The security module refused the PIN block (not ISO format 0 for this PAN under the PIK). */
    PIN_REFUSED,
    /** The request has a PIN and the endpoint has no zone PIN key. */
    NO_ZPK,
    /** Another security module failure. */
    SECURITY_MODULE,
    /** An unexpected failure in the switch. */
    INTERNAL
  }
}
