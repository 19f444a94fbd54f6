package org.posp.channel;

import org.posp.security.LmkKey;
import org.posp.terminal.codec.Masking;

/**
 * One upstream message. Everything that must stay the same on retries ({@code rrn}, {@code stan},
 * {@code localDateTime}) is fixed by the caller before the first send and persisted by it.
 *
 * @param operation what to do
 * @param originalOperation for VOID and REVERSAL: the operation of the message being voided or
 *     reversed (gives MTI, 3 and 24); null otherwise
 * @param rrn field 37, 12 characters; for a REVERSAL the RRN of the message it reverses
 * @param stan field 11, 12 digits, unique across the cluster for 24 h; a repeated reversal keeps
 *     the STAN of its first attempt
 * @param localDateTime field 12, YYYYMMDDhhmmss
 * @param amountFen amount in fen (field 4 with currency 156, minor unit 2); 0 for balance inquiries
 * @param pan clear PAN (field 2), or null when only track 2 is known
 * @param expiry YYMM (field 14) or null
 * @param track2 track 2 with '=' separator (field 35) or null
 * @param iccData BER-TLV (field 55) or null
 * @param pin PIN block under the terminal's PIK, or null when no PIN was entered
 * @param terminalId terminal's field 41
 * @param merchantId terminal's field 42
 * @param original for VOID, REFUND, COMPLETION, COMPLETION_ADVICE and REVERSAL: field 56 data of
 *     the original message; null otherwise
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

  /** A request of {@code operation}; everything else is set by name. */
  public static Builder builder(CardOperation operation) {
    return new Builder(operation);
  }

  /** Builds a {@link CardBusRequest} by named parts instead of sixteen positions. */
  public static final class Builder {
    private final CardOperation operation;
    private CardOperation originalOperation;
    private String rrn;
    private String stan;
    private String localDateTime;
    private long amountFen;
    private String pan;
    private String expiry;
    private String track2;
    private byte[] iccData;
    private PinData pin;
    private String terminalId;
    private String merchantId;
    private OriginalData original;
    private boolean repeat;
    private String destinationAccount;

    private Builder(CardOperation operation) {
      this.operation = operation;
    }

    public Builder originalOperation(CardOperation op) {
      this.originalOperation = op;
      return this;
    }

    /** Fields 37, 11 and 12, fixed before the first send. */
    public Builder ids(String rrn, String stan, String localDateTime) {
      this.rrn = rrn;
      this.stan = stan;
      this.localDateTime = localDateTime;
      return this;
    }

    public Builder amountFen(long amount) {
      this.amountFen = amount;
      return this;
    }

    /** Fields 2, 14, 35 and 55 (each may be null). */
    public Builder card(String pan, String expiry, String track2, byte[] iccData) {
      this.pan = pan;
      this.expiry = expiry;
      this.track2 = track2;
      this.iccData = iccData;
      return this;
    }

    public Builder pin(PinData pin) {
      this.pin = pin;
      return this;
    }

    /** The terminal's 41 and 42. */
    public Builder terminal(String terminalId, String merchantId) {
      this.terminalId = terminalId;
      this.merchantId = merchantId;
      return this;
    }

    public Builder original(OriginalData original) {
      this.original = original;
      return this;
    }

    public Builder repeat(boolean repeat) {
      this.repeat = repeat;
      return this;
    }

    public Builder destinationAccount(String account) {
      this.destinationAccount = account;
      return this;
    }

    public CardBusRequest build() {
      return new CardBusRequest(
          operation,
          originalOperation,
          rrn,
          stan,
          localDateTime,
          amountFen,
          pan,
          expiry,
          track2,
          iccData,
          pin,
          terminalId,
          merchantId,
          original,
          repeat,
          destinationAccount);
    }
  }

  /** The PIN block as the terminal sent it (field 52) and the terminal's PIK under the LMK. */
  public record PinData(byte[] pinBlock, LmkKey pik) {}

  /**
   * Field 56 content: original MTI (4), original 11 (12 digits), original 12 (14 digits), original
   * 32 (the acquiring institution id the switch sent).
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
    return "CardBusRequest["
        + operation
        + (originalOperation != null ? "/" + originalOperation : "")
        + " rrn="
        + rrn
        + " stan="
        + stan
        + " amount="
        + amountFen
        + " pan="
        + Masking.pan(effectivePan())
        + " tid="
        + terminalId
        + " mid="
        + merchantId
        + (repeat ? " repeat" : "")
        + "]";
  }
}
