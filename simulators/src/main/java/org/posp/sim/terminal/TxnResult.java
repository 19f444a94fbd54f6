package org.posp.sim.terminal;

import java.time.Duration;

/**
 * Outcome of a financial transaction.
 *
 * @param record the journal record (null when the request was refused before sending)
 * @param exchange the round trip (null when nothing was sent)
 * @param balance field 54 of a balance reply, as received, or null
 */
public record TxnResult(
    TxnType type,
    String stan,
    String batch,
    long amountFen,
    String maskedPan,
    String responseCode,
    String rrn,
    String authCode,
    String localDate,
    String balance,
    String failure,
    Duration elapsed,
    TxnRecord record,
    Exchange exchange)
    implements TerminalResult {

  static TxnResult refused(TxnType type, long amountFen, Card card, String reason) {
    return new TxnResult(
        type,
        null,
        null,
        amountFen,
        card == null ? null : card.maskedPan(),
        null,
        null,
        null,
        null,
        null,
        reason,
        Duration.ZERO,
        null,
        null);
  }

  static TxnResult of(TxnRecord r, Exchange ex) {
    TerminalMessage reply = ex.replyMessage();
    return new TxnResult(
        r.type(),
        r.stan(),
        r.batch(),
        r.amountFen(),
        r.maskedPan(),
        r.responseCode(),
        r.rrn(),
        r.authCode(),
        r.localDate(),
        reply == null ? null : reply.get(54),
        r.failure(),
        ex.elapsed(),
        r,
        ex);
  }

  /**
   * The balance in fen from field 54 ({@code acctType n2 amtType n2 currency an3 sign C/D amount
   * n12}), negative for D; null when absent or not in that layout.
   */
  public Long balanceFen() {
    if (balance == null || !balance.matches("\\d{4}.{3}[CD]\\d{12}")) {
      return null;
    }
    long v = Long.parseLong(balance.substring(8));
    return balance.charAt(7) == 'D' ? -v : v;
  }
}
