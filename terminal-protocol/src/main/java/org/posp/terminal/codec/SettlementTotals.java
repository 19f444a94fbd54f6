package org.posp.terminal.codec;

import java.util.Objects;

/**
 * Field 48 of a settlement request / reply (批结算 0500 / 0510): 62 digits, the domestic-card block
 * (内卡) then the foreign-card block (外卡), each {@code debitAmount n12 | debitCount n3 | creditAmount
 * n12 | creditCount n3 | code n1} (docs/protocol/terminal.md §6.4). Amounts in fen.
 *
 * <p>The code (对账应答码) is {@link #REQUEST} in the terminal's request and {@link #BALANCED}, {@link
 * #NOT_BALANCED} or {@link #ERROR} in the reply.
 */
public record SettlementTotals(Block domestic, Block foreign) {
  public static final int FIELD = 48;
  public static final int LENGTH = 62;
  public static final char REQUEST = '0';

  /** 对账平: the terminal's totals match the switch's; the reply echoes them. */
  public static final char BALANCED = '1';

  /** 对账不平: the reply carries the switch's totals. */
  public static final char NOT_BALANCED = '2';

  public static final char ERROR = '3';

  public SettlementTotals {
    Objects.requireNonNull(domestic, "domestic");
    Objects.requireNonNull(foreign, "foreign");
  }

  /**
   * One block of totals.
   *
   * @param debitAmount 借记总金额: sales + completions + completion notices, fen, n12
   * @param debitCount 借记总笔数, n3
   * @param creditAmount 贷记总金额: refunds + sale voids + completion voids, fen, n12
   * @param creditCount 贷记总笔数, n3
   * @param code reconciliation code, one digit
   */
  public record Block(
      long debitAmount, int debitCount, long creditAmount, int creditCount, char code) {
    public static final long MAX_AMOUNT = 999_999_999_999L;
    public static final int MAX_COUNT = 999;

    /** An empty block with the request code. */
    public static final Block EMPTY = new Block(0, 0, 0, 0, REQUEST);

    public Block {
      requireRange("debit amount", debitAmount, MAX_AMOUNT);
      requireRange("debit count", debitCount, MAX_COUNT);
      requireRange("credit amount", creditAmount, MAX_AMOUNT);
      requireRange("credit count", creditCount, MAX_COUNT);
      if (code < '0' || code > '9') {
        throw new IllegalArgumentException("code must be a digit, was '" + code + "'");
      }
    }

    public Block withCode(char newCode) {
      return new Block(debitAmount, debitCount, creditAmount, creditCount, newCode);
    }

    /** Same amounts and counts, whatever the code. */
    public boolean sameTotals(Block other) {
      return debitAmount == other.debitAmount
          && debitCount == other.debitCount
          && creditAmount == other.creditAmount
          && creditCount == other.creditCount;
    }

    String format() {
      return String.format(
          "%012d%03d%012d%03d%c", debitAmount, debitCount, creditAmount, creditCount, code);
    }

    static Block parse(String d, int from) {
      return new Block(
          Long.parseLong(d.substring(from, from + 12)),
          Integer.parseInt(d.substring(from + 12, from + 15)),
          Long.parseLong(d.substring(from + 15, from + 27)),
          Integer.parseInt(d.substring(from + 27, from + 30)),
          d.charAt(from + 30));
    }

    private static void requireRange(String name, long value, long max) {
      if (value < 0 || value > max) {
        throw new IllegalArgumentException(name + " must be 0.." + max + ", was " + value);
      }
    }
  }

  /** Parses the 62 digits of field 48. */
  public static SettlementTotals parse(String digits) throws TerminalFormatException {
    SubFields.requireDigits(FIELD, digits);
    if (digits.length() != LENGTH) {
      throw new TerminalFormatException(
          FIELD, "settlement totals must be " + LENGTH + " digits, was " + digits.length());
    }
    return new SettlementTotals(Block.parse(digits, 0), Block.parse(digits, 31));
  }

  /** Field 48 of a message. @throws TerminalFormatException if it is missing or malformed */
  public static SettlementTotals from(TerminalMessage m) throws TerminalFormatException {
    return parse(m.get(FIELD));
  }

  /** The 62 digits for field 48. */
  public String format() {
    return domestic.format() + foreign.format();
  }

  /** Both blocks with this reconciliation code. */
  public SettlementTotals withCode(char code) {
    return new SettlementTotals(domestic.withCode(code), foreign.withCode(code));
  }

  /** Same amounts and counts in both blocks, whatever the codes. */
  public boolean sameTotals(SettlementTotals other) {
    return domestic.sameTotals(other.domestic) && foreign.sameTotals(other.foreign);
  }
}
