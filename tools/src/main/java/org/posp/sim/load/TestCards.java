package org.posp.sim.load;

import org.posp.sim.cardbus.CardData;

/**
 * Test cards (测试卡) for load terminals: one Luhn-valid 16-digit PAN per terminal on the bank's own
 * BIN 622202, so that the demo card-bus simulator approves them and the ledger's balance of each
 * card lasts (1,000,000.00 yuan per card). PANs ending 9997 (declined), 9998 (answered late) and
 * 9999 (never answered) have special meanings in the simulator and are never produced.
 */
public final class TestCards {
  /** Expiry YYMM of every load card: far in the future. */
  public static final String EXPIRY = "4912";

  private static final String BIN = "622202";

  private TestCards() {}

  /**
   * The PAN of the terminal with this 8-digit number: BIN + 1 digit + the number + Luhn check
   * digit.
   */
  public static String pan(int terminalNumber) {
    if (terminalNumber < 0 || terminalNumber > 99_999_999) {
      throw new IllegalArgumentException("terminal number must be 0..99999999");
    }
    String body = String.format("%08d", terminalNumber);
    for (int d = 0; d <= 9; d++) {
      String withoutCheck = BIN + d + body;
      String pan = withoutCheck + CardData.luhnCheckDigit(withoutCheck);
      if (!special(pan)) {
        return pan;
      }
    }
    // unreachable: the 7th digit changes the check digit through all ten values
    throw new IllegalStateException("no ordinary PAN for terminal number " + terminalNumber);
  }

  static boolean special(String pan) {
    return pan.endsWith("9997") || pan.endsWith("9998") || pan.endsWith("9999");
  }
}
