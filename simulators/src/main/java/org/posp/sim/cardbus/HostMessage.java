package org.posp.sim.cardbus;

import java.time.Instant;

/**
 * One message the host received and decided on (a snapshot; later voids and reversals show in a
 * newer snapshot). Network messages (logon, echo) are only counted, see {@link
 * Ledger#networkMessagesReceived()}.
 *
 * @param sequence order of arrival, from 1
 * @param operation what the message asked for
 * @param voidedOperation for a {@link Operation#VOID}: the operation it cancels; else null
 * @param maskedPan first 6 + "****" + last 4
 * @param amountFen field 4 in fen (0 when absent)
 * @param actionCode field 39 of the reply, a CMF action code (org.jpos.rc.CMF)
 * @param approvalCode field 38 of the reply, null when not approved
 * @param reversed a reversal has undone (or pre-empted) this message
 * @param voided an approved void has cancelled this message (cleared if that void is reversed)
 * @param reply NOW, LATE (PAN ending 9998) or NEVER (PAN ending 9999)
 * @param duplicates how many times the same 37 came again and got the same answer
 * @param originalRrn for voids, completions and reversals: the RRN of the message they refer to
 * @param note why the host declined, or what it did
 */
public record HostMessage(
    long sequence,
    Instant receivedAt,
    String mti,
    Operation operation,
    Operation voidedOperation,
    String processingCode,
    String functionCode,
    String reasonCode,
    String stan,
    String rrn,
    String maskedPan,
    long amountFen,
    String merchantId,
    String terminalId,
    String actionCode,
    String approvalCode,
    boolean approved,
    boolean reversed,
    boolean voided,
    String reply,
    int duplicates,
    String originalRrn,
    String note) {}
