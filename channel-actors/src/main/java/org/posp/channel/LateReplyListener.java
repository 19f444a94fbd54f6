package org.posp.channel;

/**
 * Told about every late reply (迟到应答): a host reply that arrived after its request had already
 * completed as {@link CardBusResult.TimedOut}. The caller never sees such a reply, so an approval
 * in it must be reversed (docs/protocol/card-bus.md §3, §10); the owner of the transaction uses
 * this to make sure a reversal is pending.
 *
 * <p>Called on an endpoint actor's thread: implementations must not block (tell an actor instead).
 */
@FunctionalInterface
public interface LateReplyListener {

  /**
   * @param endpoint endpoint the reply arrived from
   * @param rrn field 37 of the reply (the request's RRN), or null when the host left it out
   * @param mti the reply MTI (e.g. 2210)
   * @param actionCode the CMF field 39 of the reply, or null
   */
  void lateReply(String endpoint, String rrn, String mti, String actionCode);
}
