package org.posp.sim.cardbus;

import java.util.List;

/**
 * A test card's account at the host (持卡人账户), as a snapshot.
 *
 * @param maskedPan first 6 + "****" + last 4
 * @param balanceFen ledger balance: starting balance − debits + credits
 * @param holdsFen open pre-authorisation holds
 * @param availableFen balance − holds; what a debit may take
 * @param history the card's messages, oldest first
 */
public record CardAccount(
    String maskedPan,
    long balanceFen,
    long holdsFen,
    long availableFen,
    List<HostMessage> history) {}
