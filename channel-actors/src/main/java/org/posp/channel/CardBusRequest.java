package org.posp.channel;

import org.posp.security.LmkKey;

/**
 * One upstream message. Everything that must stay the same on retries ({@code rrn}, {@code stan},
 * {@code localDateTime}) is fixed by the caller before the first send and persisted by it.
 *
 * @param operation what to do
 * @param originalOperation for VOID and REVERSAL: the operation of the message being voided or
 *     reversed (gives MTI, 3 and 24); null otherwise
 * @param rrn field 37, 12 characters; for a REVERSAL the RRN of the message it reverses
 * @param stan field 11, 12 digits, unique across the cluster for 24 h; a repeated reversal keeps the
 *     STAN of its first attempt
 * @param localDateTime field 12, YYYYMMDDhhmmss
 * @param amountFen amount in fen (field 4 with currency 156, minor unit 2); 0 for balance inquiries
 * @param pan clear PAN (field 2), or null when only track 2 is known
 * @param expiry YYMM (field 14) or null
 * @param track2 track 2 with '=' separator (field 35) or null
 * @param iccData BER-TLV (field 55) or null
 * @param pin PIN block under the terminal's PIK, or null when no PIN was entered
 * @param terminalId terminal's field 41
 * @param merchantId terminal's field 42
 * @param original for VOID, REFUND, COMPLETION, COMPLETION_ADVICE and REVERSAL: field 56 data of the
 *     original message; null otherwise
 * @param repeat true for a re-sent reversal or advice (2421 instead of 2420)
 * @param destinationAccount field 103 for transfers, else null
 */
public record CardBusRequest(
    CardOperation operation,
    CardOperation originalOperation,
    String rrn,
    String stan,
    String localDateTime,
    long amountFen,
    String pan,
    String expiry,
    String track2,
    byte[] iccData,
    PinData pin,
    String terminalId,
    String merchantId,
    OriginalData original,
    boolean repeat,
    String destinationAccount) {

  /** The PIN block as the terminal sent it (field 52) and the terminal's PIK under the LMK. */
  public record PinData(byte[] pinBlock, LmkKey pik) {}

  /**
   * Field 56 content: original MTI (4), original 11 (12 digits), original 12 (14 digits), original 32
   * (the acquiring institution id the switch sent).
   */
  public record OriginalData(String mti, String stan, String localDateTime, String acquirerId) {}

  /** The PAN to route and translate PINs with: field 2, else track 2 left of '='. */
  public String effectivePan() {
    if (pan != null && !pan.isEmpty()) return pan;
    if (track2 != null) {
      int sep = track2.indexOf('=');
      return sep > 0 ? track2.substring(0, sep) : track2;
    }
    return null;
  }

  @Override
  public String toString() {
    String p = effectivePan();
    String masked = p == null || p.length() < 10 ? "-" : p.substring(0, 6) + "****" + p.substring(p.length() - 4);
    return "CardBusRequest[" + operation + (originalOperation != null ? "/" + originalOperation : "")
        + " rrn=" + rrn + " stan=" + stan + " amount=" + amountFen + " pan=" + masked
        + " tid=" + terminalId + " mid=" + merchantId + (repeat ? " repeat" : "") + "]";
  }
}
