package org.posp.terminal;

import java.time.Instant;
import java.util.Map;
import org.posp.persistence.CborSerializable;
import org.posp.security.KeyScheme;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.terminal.TerminalState.Reversal;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.TransactionType;

/**
 * The terminal's journal schema, version 2: each event is one fact, with what was known when it
 * happened and nothing derived from the state. The state ({@link TerminalState}) is their fold
 * ({@link TerminalEvents}) and may change shape without touching the journal.
 *
 * <p>Journals written before this schema (version 1: classes nested in {@code TerminalEntity}, the
 * intent as a whole state record, one completion event for every outcome) are read through the
 * Jackson migrations in {@link TerminalEventMigrations}; the golden journals under {@code
 * src/test/resources/golden/} recover both. A change to an event here needs a new golden version
 * and, for stored data, a migration.
 *
 * <p>None carries a clear PAN, track, PIN or key: keys are under the LMK, the card is masked,
 * keyed-hashed and encrypted under the HSM's data key.
 */
public sealed interface TerminalEvent extends CborSerializable {

  /**
   * The key of the transaction an event is about, or null for events of the terminal as a whole.
   */
  default String txnKey() {
    return null;
  }

  /**
   * The terminal was provisioned (or its TMK rotated): this drops its working keys.
   *
   * @param macAlgorithm absent (null) in events recorded before it was chosen: CUP ECB
   */
  record Provisioned(String merchantId, String terminalId, LmkKey tmk, MacAlgorithm macAlgorithm)
      implements TerminalEvent {}

  /**
   * A sign-on issued new working keys (all under the LMK) and opened or kept {@code batch}. The
   * keys of the sign-on before, if any, stay as the previous MAK.
   *
   * @param stan the sign-on's STAN and {@code requestHash} its keyed hash: the same sign-on asked
   *     again gets the same keys
   */
  record SignedOn(
      KeyScheme scheme,
      LmkKey pik,
      LmkKey mak,
      LmkKey tdk,
      Instant at,
      String stan,
      String requestHash,
      String batch)
      implements TerminalEvent {}

  /** The terminal signed off: its working keys are dropped. */
  record SignedOff() implements TerminalEvent {}

  /** An operator asked the terminal to sign on again (replies carry R = 3 until it does). */
  record SignOnRequired() implements TerminalEvent {}

  /**
   * A financial request was accepted and is about to leave the node: persisted before anything goes
   * upstream.
   *
   * @param key the duplicate key (MTI class + batch + terminal STAN)
   * @param requestHash keyed hash of the request without its MAC (same key, other content = 94)
   * @param ids the identifiers the switch gave it
   * @param card the card, never in the clear; null for requests without one
   * @param originalKey for a void the key of the voided sale, for a refund the RRN of the refunded
   *     sale
   * @param origin the node's identifier of the delivery that started it
   */
  record TxnRequested(
      String key,
      TransactionType type,
      String batch,
      String stan,
      long amountFen,
      String requestHash,
      TxnIds ids,
      Card card,
      String originalKey,
      Instant at,
      String origin)
      implements TerminalEvent {
    @Override
    public String txnKey() {
      return key;
    }
  }

  /**
   * The identifiers of one transaction: 37, and 11 and 12 of the upstream message; 13 and 12 to the
   * terminal.
   *
   * @param localDateTime field 12 of the upstream message (YYYYMMDDhhmmss)
   * @param date MMDD returned in 13 (refunds quote it in 61.3)
   * @param time hhmmss returned in 12
   */
  record TxnIds(String rrn, String upstreamStan, String localDateTime, String date, String time) {}

  /**
   * A card as the journal keeps it.
   *
   * @param panMasked first six and last four digits
   * @param panHash keyed hash of the PAN
   * @param cardEnc "PAN|expiry" encrypted under the HSM data key, bound to the terminal and
   *     transaction
   */
  record Card(String panMasked, String panHash, String cardEnc) {}

  /** The host approved the transaction. */
  record TxnApproved(String key, String authCode, String settlementDate, String endpoint)
      implements TerminalEvent {
    @Override
    public String txnKey() {
      return key;
    }
  }

  /**
   * The transaction was declined: by the host ({@code responseCode} its answer as the terminal's
   * 39) or because the card bus could not send it (the host cannot have seen it; {@code endpoint}
   * null without a route).
   */
  record TxnDeclined(String key, String responseCode, String endpoint) implements TerminalEvent {
    @Override
    public String txnKey() {
      return key;
    }
  }

  /**
   * The outcome is unknown (no reply in time, or the node stopped while it was upstream): the
   * transaction counts nowhere and the {@link ReversalRequested} that always follows reverses it at
   * the host.
   *
   * @param endpoint where it was sent, null when the node stopped before the send was known
   */
  record TxnUnanswered(String key, String endpoint) implements TerminalEvent {
    @Override
    public String txnKey() {
      return key;
    }
  }

  /**
   * A transaction is to be reversed upstream (冲正, store and forward): asked by the terminal (0400),
   * or decided by the switch after an unknown outcome or an approval the terminal gave up on.
   *
   * @param reason the 0400's 39 (98, 96, A0, 06) or the switch's own reason
   * @param upstreamStan the STAN of the 2420, kept for every 2421 repeat
   * @param localDateTime field 12 of the 2420, kept for repeats
   */
  record ReversalRequested(
      String key, String reason, String upstreamStan, String localDateTime, Instant at)
      implements TerminalEvent {
    @Override
    public String txnKey() {
      return key;
    }

    Reversal reversal() {
      return new Reversal(reason, upstreamStan, localDateTime, at, false);
    }
  }

  /**
   * The terminal reversed a request (batch:STAN) the entity has not seen: if it still arrives it is
   * refused, never sent upstream.
   */
  record ReversedBeforeSeen(String batchAndStan) implements TerminalEvent {}

  /** The host acknowledged the reversal (2430 with 4000). */
  record ReversalCompleted(String key) implements TerminalEvent {
    @Override
    public String txnKey() {
      return key;
    }
  }

  /**
   * The batch was settled (批结算) and closed; {@code nextBatch} is open.
   *
   * @param stan the 0500's STAN and {@code requestHash} its keyed hash (a retransmission gets the
   *     same reply)
   * @param resultCode 1 balanced, 2 not balanced
   * @param field48 the 48 of the 0510
   * @param rrn 37 of the 0510, and {@code date} and {@code time} its 13 and 12
   * @param totals the switch's totals of the batch
   * @param items the switch's counted transactions of the batch: terminal STAN to amount in fen
   * @param retainSalesAfter approved sales of settled batches approved before this are no longer
   *     refundable
   */
  record BatchSettled(
      String batch,
      String nextBatch,
      String stan,
      String requestHash,
      String resultCode,
      String field48,
      String rrn,
      String date,
      String time,
      BatchTotals totals,
      Map<String, Long> items,
      Instant at,
      Instant retainSalesAfter)
      implements TerminalEvent {
    public BatchSettled {
      items = items == null ? Map.of() : Map.copyOf(items);
    }

    /** The facts of a settlement the switch replied, with the sales' refund retention. */
    static BatchSettled of(TerminalState.Settlement st, Instant retainSalesAfter) {
      return new BatchSettled(
          st.batch(),
          st.nextBatch(),
          st.stan(),
          st.requestHash(),
          st.resultCode(),
          st.field48(),
          st.rrn(),
          st.date(),
          st.time(),
          st.switchTotals(),
          st.switchItems(),
          st.at(),
          retainSalesAfter);
    }
  }

  /** Batch upload (批上送) records of the settled batch arrived: terminal STAN to amount in fen. */
  record BatchUploaded(String batch, Map<String, Long> items, int icRecords, boolean ended)
      implements TerminalEvent {}

  /**
   * Version 1's one event for every upstream outcome, read from journals written before version 2
   * and never written now: {@link #status} APPROVED, DECLINED or REVERSED (unknown outcome, with
   * its reversal).
   */
  record TxnCompletedV1(
      String key,
      TxnStatus status,
      String responseCode,
      String authCode,
      String settlementDate,
      String endpoint,
      Reversal reversal)
      implements TerminalEvent {
    @Override
    public String txnKey() {
      return key;
    }
  }
}
