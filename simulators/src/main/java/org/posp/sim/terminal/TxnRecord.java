package org.posp.sim.terminal;

/**
 * What the terminal sent and received for one financial transaction (its 交易流水): the request's key
 * data, the reply's 39/37/38/13/12/15 as received, and the reversal state. Immutable; the journal
 * replaces a record when the reply or the reversal arrives. The clear PAN is kept because a real
 * terminal needs it for batch upload; {@link #toString()} masks it.
 *
 * @param responseCode 39 of the reply; null while no reply was received
 * @param failure why the reply could not be used (timeout, connection lost, MAC, echo mismatch), or
 *     null
 * @param reversal NONE, PENDING (a 0400 must still be acknowledged) or REVERSED (0410 received)
 */
public record TxnRecord(
    String terminalId,
    TxnType type,
    String batch,
    String stan,
    long amountFen,
    String pan,
    String expiry,
    String entryMode,
    String originalRrn,
    String originalAuthCode,
    String originalData,
    String responseCode,
    String rrn,
    String authCode,
    String localDate,
    String localTime,
    String settlementDate,
    String failure,
    ReversalState reversal,
    String reversalReason,
    long sentAtMillis) {

  /** Reversal (冲正) state of a transaction. */
  public enum ReversalState {
    NONE,
    PENDING,
    REVERSED
  }

  public TxnRecord {
    if (reversal == null) {
      reversal = ReversalState.NONE;
    }
  }

  /** A request just sent, awaiting its reply. */
  static TxnRecord sent(
      String terminalId,
      TxnType type,
      String batch,
      String stan,
      long amountFen,
      Card card,
      String originalRrn,
      String originalAuthCode,
      String originalData) {
    return new TxnRecord(
        terminalId,
        type,
        batch,
        stan,
        amountFen,
        card.pan(),
        card.expiry(),
        card.entryMode(),
        originalRrn,
        originalAuthCode,
        originalData,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        ReversalState.NONE,
        null,
        System.currentTimeMillis());
  }

  /** Approved, reply verified and not reversed: counts in the settlement totals. */
  public boolean approved() {
    return "00".equals(responseCode) && failure == null && reversal == ReversalState.NONE;
  }

  /** No reply (nor failure) yet. */
  public boolean inFlight() {
    return responseCode == null && failure == null;
  }

  public boolean reversalPending() {
    return reversal == ReversalState.PENDING;
  }

  public boolean reversed() {
    return reversal == ReversalState.REVERSED;
  }

  public String maskedPan() {
    return Masking.pan(pan);
  }

  /** Same transaction (terminal, batch, STAN, type). */
  public boolean sameTxn(TxnRecord o) {
    return terminalId.equals(o.terminalId)
        && batch.equals(o.batch)
        && stan.equals(o.stan)
        && type == o.type;
  }

  TxnRecord withReply(TerminalMessage reply, String failureReason) {
    return new TxnRecord(
        terminalId,
        type,
        batch,
        stan,
        amountFen,
        pan,
        expiry,
        entryMode,
        originalRrn,
        originalAuthCode,
        originalData,
        reply.get(39),
        trim(reply.get(37)),
        trim(reply.get(38)),
        reply.get(13),
        reply.get(12),
        reply.get(15),
        failureReason,
        reversal,
        reversalReason,
        sentAtMillis);
  }

  TxnRecord withFailure(String failureReason) {
    return new TxnRecord(
        terminalId,
        type,
        batch,
        stan,
        amountFen,
        pan,
        expiry,
        entryMode,
        originalRrn,
        originalAuthCode,
        originalData,
        responseCode,
        rrn,
        authCode,
        localDate,
        localTime,
        settlementDate,
        failureReason,
        reversal,
        reversalReason,
        sentAtMillis);
  }

  TxnRecord withReversal(ReversalState state, String reason) {
    return new TxnRecord(
        terminalId,
        type,
        batch,
        stan,
        amountFen,
        pan,
        expiry,
        entryMode,
        originalRrn,
        originalAuthCode,
        originalData,
        responseCode,
        rrn,
        authCode,
        localDate,
        localTime,
        settlementDate,
        failure,
        state,
        reason,
        sentAtMillis);
  }

  private static String trim(String s) {
    return s == null ? null : s.strip();
  }

  @Override
  public String toString() {
    return "TxnRecord["
        + terminalId
        + " "
        + type.label()
        + " batch="
        + batch
        + " stan="
        + stan
        + " amount="
        + amountFen
        + " card="
        + maskedPan()
        + " 39="
        + responseCode
        + " rrn="
        + rrn
        + " auth="
        + authCode
        + " date="
        + localDate
        + (failure != null ? " failure=" + failure : "")
        + (reversal != ReversalState.NONE
            ? " reversal=" + reversal + "(" + reversalReason + ")"
            : "")
        + "]";
  }
}
