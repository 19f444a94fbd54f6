package org.posp.channel;

/**
 * Operations of docs/protocol/card-bus.md §5, each with its CMF MTI, processing code (3) and
 * function code (24).
 */
public enum CardOperation {
  BALANCE("2100", "300000", "108"),
  PRE_AUTH("2100", "000000", "101"),
  SALE("2200", "000000", "200"),
  COMPLETION("2200", "000000", "202"),
  COMPLETION_ADVICE("2220", "000000", "202"),
  REFUND("2200", "200000", "200"),
  TRANSFER("2200", "400000", "200"),
  /**
   * Void of a sale, pre-auth or completion: MTI, 3 and 24 as the original, 25 = 4000, 56 =
   * original.
   */
  VOID(null, null, null),
  /**
   * Reversal of any of the above: 2420 (2421 when repeated), 3 as reversed, 24 = 400, 25 = 4021.
   */
  REVERSAL("2420", null, "400");

  private final String mti;
  private final String processingCode;
  private final String functionCode;

  CardOperation(String mti, String processingCode, String functionCode) {
    this.mti = mti;
    this.processingCode = processingCode;
    this.functionCode = functionCode;
  }

  /** CMF MTI; null for VOID (taken from the original operation). */
  public String mti() {
    return mti;
  }

  /** Field 3; null for VOID and REVERSAL (taken from the original / reversed operation). */
  public String processingCode() {
    return processingCode;
  }

  /** Field 24; null for VOID (taken from the original operation). */
  public String functionCode() {
    return functionCode;
  }

  /**
   * True for messages that move money and therefore need a reversal when their outcome is unknown.
   */
  public boolean isFinancial() {
    return this != BALANCE;
  }
}
