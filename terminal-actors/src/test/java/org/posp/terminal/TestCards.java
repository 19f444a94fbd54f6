package org.posp.terminal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Test cards for the card-bus simulator: Luhn-valid PANs (it declines others), a fresh one per
 * call.
 */
final class TestCards {
  private static final AtomicLong NEXT_CARD = new AtomicLong(1);

  private TestCards() {}

  /**
   * A fresh Luhn-valid 16-digit card of the {@code cups} range, so that host ledgers do not mix.
   */
  static String card() {
    return card("621488", "");
  }

  /** A Luhn-valid 16-digit PAN starting with {@code prefix} and ending with {@code suffix}. */
  static String card(String prefix, String suffix) {
    if (suffix.isEmpty()) {
      String payload =
          prefix + String.format("%0" + (15 - prefix.length()) + "d", NEXT_CARD.getAndIncrement());
      return payload + luhnDigit(payload);
    }
    for (int i = 0; i < 1_000; i++) {
      String pan =
          prefix
              + String.format(
                  "%0" + (16 - prefix.length() - suffix.length()) + "d",
                  NEXT_CARD.getAndIncrement())
              + suffix;
      if (luhnValid(pan)) return pan;
    }
    throw new IllegalStateException("no Luhn-valid PAN for " + prefix + "..." + suffix);
  }

  private static char luhnDigit(String payload) {
    for (char c = '0'; c <= '9'; c++) {
      if (luhnValid(payload + c)) return c;
    }
    throw new IllegalStateException("no check digit");
  }

  static boolean luhnValid(String pan) {
    int sum = 0;
    for (int i = 0; i < pan.length(); i++) {
      int d = pan.charAt(pan.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return sum % 10 == 0;
  }
}
