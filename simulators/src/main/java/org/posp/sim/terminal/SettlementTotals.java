package org.posp.sim.terminal;

import java.util.Collection;

/**
 * One block of field 48 of the 0500/0510 (批结算, docs/protocol/terminal.md §6.4): {@code debitAmount
 * n12 | debitCount n3 | creditAmount n12 | creditCount n3}, followed by a code n1. Debit = approved
 * sales, completions and completion notices; credit = approved refunds, sale voids and completion
 * voids; a voided sale counts in both; reversed transactions count nowhere.
 */
public record SettlementTotals(
    long debitAmount, int debitCount, long creditAmount, int creditCount) {
  public static final SettlementTotals ZERO = new SettlementTotals(0, 0, 0, 0);

  public SettlementTotals {
    if (debitAmount < 0
        || creditAmount < 0
        || debitAmount > 999_999_999_999L
        || creditAmount > 999_999_999_999L) {
      throw new IllegalArgumentException("settlement amounts must fit n12");
    }
    if (debitCount < 0 || creditCount < 0 || debitCount > 999 || creditCount > 999) {
      throw new IllegalArgumentException(
          "settlement counts must fit n3 (at most 999 per side): settle earlier");
    }
  }

  /** Totals of the approved transactions among {@code records} (callers pass one batch). */
  public static SettlementTotals of(Collection<TxnRecord> records) {
    long debit = 0;
    long credit = 0;
    int debits = 0;
    int credits = 0;
    for (TxnRecord r : records) {
      if (!r.approved()) {
        continue;
      }
      switch (r.type().effect()) {
        case DEBIT -> {
          debit += r.amountFen();
          debits++;
        }
        case CREDIT -> {
          credit += r.amountFen();
          credits++;
        }
        case NONE -> {}
      }
    }
    return new SettlementTotals(debit, debits, credit, credits);
  }

  /** The 31-digit block with its code. */
  public String block(char code) {
    return String.format(
        "%012d%03d%012d%03d%c", debitAmount, debitCount, creditAmount, creditCount, code);
  }

  /** Field 48 of a 0500: these totals as the domestic block (code 0) and a zero foreign block. */
  public String requestField48() {
    return block('0') + ZERO.block('0');
  }

  /** Field 48 of a 0510, parsed. */
  public record Reply(
      SettlementTotals domestic, char domesticCode, SettlementTotals foreign, char foreignCode) {

    /** Parses the 62 digits; throws IllegalArgumentException naming the problem. */
    public static Reply parse(String field48) {
      if (field48 == null || !field48.matches("\\d{62}")) {
        throw new IllegalArgumentException(
            "settlement field 48 must be 62 digits, was "
                + (field48 == null ? "absent" : field48.length() + " characters"));
      }
      return new Reply(
          block(field48, 0), field48.charAt(30), block(field48, 31), field48.charAt(61));
    }

    private static SettlementTotals block(String s, int at) {
      return new SettlementTotals(
          Long.parseLong(s.substring(at, at + 12)),
          Integer.parseInt(s.substring(at + 12, at + 15)),
          Long.parseLong(s.substring(at + 15, at + 27)),
          Integer.parseInt(s.substring(at + 27, at + 30)));
    }

    /** 1 balanced (对账平), 2 not balanced (对账不平), 3 error. */
    public boolean balanced() {
      return domesticCode == '1';
    }
  }
}
