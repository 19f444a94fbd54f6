package org.posp.sim.terminal;

import java.util.Map;

/** One human-readable line per CLI step; PANs masked, no keys. */
final class CliOutput {
  private static final Map<String, String> MEANINGS =
      Map.ofEntries(
          Map.entry("00", "approved"),
          Map.entry("03", "invalid merchant"),
          Map.entry("05", "do not honour"),
          Map.entry("12", "invalid transaction"),
          Map.entry("13", "invalid amount"),
          Map.entry("14", "invalid card number"),
          Map.entry("25", "original not found"),
          Map.entry("30", "format error"),
          Map.entry("40", "function not supported"),
          Map.entry("51", "insufficient funds"),
          Map.entry("54", "expired card"),
          Map.entry("55", "incorrect PIN"),
          Map.entry("58", "not permitted to terminal"),
          Map.entry("61", "exceeds amount limit"),
          Map.entry("64", "original amount incorrect"),
          Map.entry("77", "sign on again"),
          Map.entry("94", "duplicate transaction"),
          Map.entry("96", "system malfunction"),
          Map.entry("97", "terminal not registered"),
          Map.entry("98", "no response from issuer"),
          Map.entry("A0", "MAC error"));

  private CliOutput() {}

  static String yuan(long fen) {
    return (fen < 0 ? "-" : "")
        + Math.abs(fen) / 100
        + "."
        + String.format("%02d", Math.abs(fen) % 100);
  }

  static String meaning(String rc) {
    return MEANINGS.getOrDefault(rc, "declined");
  }

  /**
   * {@code <step> -> <39> <meaning> <details> (<ms> ms)}, or {@code -> <39|--> failed: <reason>}.
   */
  static String line(String step, TerminalResult r, String details) {
    String rc = r.responseCode() == null ? "--" : r.responseCode();
    StringBuilder sb = new StringBuilder(step).append(" -> ").append(rc).append(' ');
    if (r.failure() != null) {
      sb.append("failed: ").append(r.failure());
    } else {
      sb.append(r.responseCode() == null ? "no reply" : meaning(r.responseCode()));
    }
    if (details != null && !details.isBlank()) {
      sb.append(' ').append(details.strip());
    }
    return sb.append(" (").append(r.elapsed().toMillis()).append(" ms)").toString();
  }

  static String txn(String step, TxnResult r) {
    StringBuilder d = new StringBuilder();
    if (r.balance() != null) {
      Long b = r.balanceFen();
      d.append("balance=").append(b == null ? r.balance() : yuan(b)).append(' ');
    }
    if (r.rrn() != null) {
      d.append("rrn=").append(r.rrn()).append(' ');
    }
    if (r.authCode() != null) {
      d.append("auth=").append(r.authCode()).append(' ');
    }
    if (r.stan() != null) {
      d.append("stan=").append(r.stan()).append(" batch=").append(r.batch());
    }
    if (r.record() != null && r.record().reversalPending()) {
      d.append("; reversal pending (").append(r.record().reversalReason()).append(')');
    }
    return line(step, r, d.toString());
  }

  static String signOn(SignOnResult r) {
    return line(
        "signon", r, r.batch() == null ? "" : "batch=" + r.batch() + " keys " + r.keyCheckValues());
  }

  static String settlement(SettlementResult r) {
    StringBuilder step = new StringBuilder("settle batch=").append(r.settledBatch());
    if (r.terminalTotals() != null) {
      SettlementTotals t = r.terminalTotals();
      step.append(" debit ")
          .append(yuan(t.debitAmount()))
          .append('/')
          .append(t.debitCount())
          .append(" credit ")
          .append(yuan(t.creditAmount()))
          .append('/')
          .append(t.creditCount());
    }
    StringBuilder d = new StringBuilder();
    if (r.reconciliationCode() != null) {
      d.append(
              switch (r.reconciliationCode()) {
                case "1" -> "balanced";
                case "2" -> "NOT balanced, switch has " + totals(r.switchReply().domestic());
                default -> "reconciliation error";
              })
          .append(" (")
          .append(r.reconciliationCode())
          .append(")");
    }
    if (r.uploadEndCode() != null) {
      d.append(", uploaded ")
          .append(r.uploadedRecords())
          .append(" records, end ")
          .append(r.uploadEndCode());
    }
    if (r.newBatch() != null) {
      d.append(", new batch ").append(r.newBatch());
    }
    return line(step.toString(), r, d.toString());
  }

  private static String totals(SettlementTotals t) {
    return "debit "
        + yuan(t.debitAmount())
        + "/"
        + t.debitCount()
        + " credit "
        + yuan(t.creditAmount())
        + "/"
        + t.creditCount();
  }

  static String reversal(ReversalResult r) {
    TxnRecord o = r.original();
    String step =
        "reverse "
            + o.type().label()
            + " "
            + yuan(o.amountFen())
            + " stan="
            + o.stan()
            + " batch="
            + o.batch()
            + " reason "
            + r.reason();
    return line(
        step,
        r,
        r.acknowledged()
            ? "acknowledged after " + r.attempts() + " attempt(s)"
            : "still pending after " + r.attempts() + " attempt(s)");
  }

  static String admin(AdminResult r) {
    return line(r.operation(), r, "");
  }
}
