package org.posp.sim.cardbus;

/**
 * The host's figures for one terminal (41 + 42), over approved messages that are neither reversed
 * nor voided. The switch's settlement for the terminal must agree with {@link #netFen()}.
 *
 * @param debitFen sales, completions and transfers
 * @param creditFen refunds
 * @param netFen debitFen − creditFen
 * @param debitCount number of messages in debitFen
 * @param creditCount number of messages in creditFen
 * @param approvedCount messages answered with an approval (any operation except reversals)
 * @param declinedCount messages answered with a decline
 * @param reversedCount messages undone by a reversal
 * @param voidedCount messages cancelled by a void
 */
public record TerminalTotals(
    String merchantId,
    String terminalId,
    long debitFen,
    long creditFen,
    long netFen,
    int debitCount,
    int creditCount,
    int approvedCount,
    int declinedCount,
    int reversedCount,
    int voidedCount) {}
