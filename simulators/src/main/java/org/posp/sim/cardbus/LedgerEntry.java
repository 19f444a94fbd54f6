package org.posp.sim.cardbus;

import java.time.Instant;

/**
 * The host's mutable record of one received message; guarded by {@link Ledger#lock}. Holds the
 * clear PAN to find the card again; {@link #toString()} and {@link #snapshot()} only show it
 * masked.
 */
final class LedgerEntry {

  /** When the reply goes out. */
  enum Timing {
    NOW,
    LATE,
    NEVER
  }

  final long sequence;
  final Instant receivedAt;
  final String mti;
  final Operation operation;
  final Operation voidedOperation;
  final String processingCode;
  final String functionCode;
  final String reasonCode;
  final String stan;
  final String rrn;
  final String pan;
  final long amountFen;
  final String merchantId;
  final String terminalId;
  final String localDateTime;
  final String fingerprint;

  String actionCode;
  String approvalCode;
  String settlementDate;
  String balances54;
  boolean reversed;
  boolean voided;
  Timing timing = Timing.NOW;
  int duplicates;
  String note;

  /** Void → the message it cancels; completion → its pre-auth; reversal → the reversed message. */
  LedgerEntry original;

  /** Pre-auth: the amount it still holds. */
  long activeHoldFen;

  /**
   * Completion: the hold it released from its pre-auth (given back if the completion is undone).
   */
  long releasedHoldFen;

  LedgerEntry(
      long sequence,
      Instant receivedAt,
      CardBusRequest req,
      Operation operation,
      Operation voidedOperation) {
    this.sequence = sequence;
    this.receivedAt = receivedAt;
    this.mti = req.mti;
    this.operation = operation;
    this.voidedOperation = voidedOperation;
    this.processingCode = req.processingCode;
    this.functionCode = req.functionCode;
    this.reasonCode = req.reasonCode;
    this.stan = req.stan;
    this.rrn = req.rrn;
    this.pan = req.pan;
    this.amountFen = req.amount != null && req.amount.valid() ? req.amount.fen() : 0;
    this.merchantId = req.merchantId;
    this.terminalId = req.terminalId;
    this.localDateTime = req.localDateTime;
    this.fingerprint = req.fingerprint();
  }

  /** CMF approvals are 0000..0013 (docs/protocol/card-bus.md §9). */
  boolean approved() {
    return actionCode != null && actionCode.startsWith("00");
  }

  /** Approved and neither reversed nor voided: its money movement counts. */
  boolean effective() {
    return approved() && !reversed && !voided;
  }

  HostMessage snapshot() {
    return new HostMessage(
        sequence,
        receivedAt,
        mti,
        operation,
        voidedOperation,
        processingCode,
        functionCode,
        reasonCode,
        stan,
        rrn,
        CardData.mask(pan),
        amountFen,
        merchantId,
        terminalId,
        actionCode,
        approvalCode,
        approved(),
        reversed,
        voided,
        timing.name(),
        duplicates,
        original == null ? null : original.rrn,
        note);
  }

  @Override
  public String toString() {
    return "#"
        + sequence
        + " "
        + mti
        + " "
        + operation
        + " rrn="
        + rrn
        + " stan="
        + stan
        + " pan="
        + CardData.mask(pan)
        + " amount="
        + amountFen
        + " 39="
        + actionCode;
  }
}
