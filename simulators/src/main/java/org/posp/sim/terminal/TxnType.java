package org.posp.sim.terminal;

/**
 * Financial transaction types of docs/protocol/terminal.md §4, with their routing key (MTI, field
 * 3, field 25, 60.1), whether the terminal reverses them when the reply is lost, and how they count
 * in the settlement totals (§6.4).
 */
public enum TxnType {
  /** 余额查询. */
  BALANCE("0200", "310000", "00", "01", false, Effect.NONE),
  /** 消费. */
  SALE("0200", "000000", "00", "22", true, Effect.DEBIT),
  /** 消费撤销. */
  SALE_VOID("0200", "200000", "00", "23", true, Effect.CREDIT),
  /** 退货. */
  REFUND("0220", "200000", "00", "25", false, Effect.CREDIT),
  /** 预授权. */
  PRE_AUTH("0100", "030000", "06", "10", true, Effect.NONE),
  /** 预授权撤销. */
  PRE_AUTH_VOID("0100", "200000", "06", "11", true, Effect.NONE),
  /** 预授权完成(请求). */
  COMPLETION("0200", "000000", "06", "20", true, Effect.DEBIT),
  /** 预授权完成撤销. */
  COMPLETION_VOID("0200", "200000", "06", "21", true, Effect.CREDIT),
  /** 预授权完成通知. */
  COMPLETION_NOTICE("0220", "000000", "06", "24", false, Effect.DEBIT);

  /** How an approved transaction counts in field 48 of the 0500. */
  public enum Effect {
    DEBIT,
    CREDIT,
    NONE
  }

  private final String mti;
  private final String processingCode;
  private final String conditionCode;
  private final String typeCode;
  private final boolean reversible;
  private final Effect effect;

  TxnType(
      String mti,
      String processingCode,
      String conditionCode,
      String typeCode,
      boolean reversible,
      Effect effect) {
    this.mti = mti;
    this.processingCode = processingCode;
    this.conditionCode = conditionCode;
    this.typeCode = typeCode;
    this.reversible = reversible;
    this.effect = effect;
  }

  public String mti() {
    return mti;
  }

  public String processingCode() {
    return processingCode;
  }

  public String conditionCode() {
    return conditionCode;
  }

  /** 60.1. */
  public String typeCode() {
    return typeCode;
  }

  /** "terminal reverses on timeout" column of §4. */
  public boolean reversible() {
    return reversible;
  }

  public Effect effect() {
    return effect;
  }

  /** Whether field 4 is sent (balance inquiry has no amount). */
  public boolean hasAmount() {
    return this != BALANCE;
  }

  /** Type of a request by its routing key, or null. */
  public static TxnType of(
      String mti, String processingCode, String conditionCode, String typeCode) {
    for (TxnType t : values()) {
      if (t.mti.equals(mti)
          && processingCode != null
          && processingCode.startsWith(t.processingCode.substring(0, 2))
          && t.conditionCode.equals(conditionCode)
          && t.typeCode.equals(typeCode)) {
        return t;
      }
    }
    return null;
  }

  /** Lower-case label for printing ("sale", "sale-void"). */
  public String label() {
    return name().toLowerCase().replace('_', '-');
  }
}
