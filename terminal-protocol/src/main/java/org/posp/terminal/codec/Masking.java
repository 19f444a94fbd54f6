package org.posp.terminal.codec;

/**
 * How card data may appear in logs, exception messages, {@code toString()} and records: the one PAN
 * masking of the switch (terminal codec, terminal entities and card bus alike).
 */
public final class Masking {
  /** Digits from which first 6 and last 4 may be shown. */
  static final int FULL_FORM_DIGITS = 13;

  /** Fewest digits of which the last 4 may be shown (4 is then half of them). */
  static final int LAST_FOUR_DIGITS = 8;

  private Masking() {}

  /**
   * A PAN (主账号) as it may be shown. Never more than half of the digits:
   *
   * <ul>
   *   <li>13 digits or more: first 6 + {@code ****} + last 4 ({@code 621488****0012});
   *   <li>8 to 12 digits: {@code ****} + last 4 ({@code ****5678}): first 6 and last 4 would show
   *       more than half;
   *   <li>1 to 7 digits: {@code ****}: even the last 4 would be more than half;
   *   <li>anything with a character other than {@code 0}–{@code 9} (a track, spaces, garbage from a
   *       terminal): {@code ****}, nothing of it shown;
   *   <li>null or empty: {@code -} (no PAN).
   * </ul>
   */
  public static String pan(String pan) {
    if (pan == null || pan.isEmpty()) {
      return "-";
    }
    for (int i = 0; i < pan.length(); i++) {
      char c = pan.charAt(i);
      if (c < '0' || c > '9') {
        return "****";
      }
    }
    int n = pan.length();
    if (n >= FULL_FORM_DIGITS) {
      return pan.substring(0, 6) + "****" + pan.substring(n - 4);
    }
    if (n >= LAST_FOUR_DIGITS) {
      return "****" + pan.substring(n - 4);
    }
    return "****";
  }
}
