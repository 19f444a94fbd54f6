package org.posp.sim.cardbus;

import java.time.YearMonth;
import java.util.Optional;

/**
 * Card data helpers (卡数据): PAN from field 2 or track 2, expiry from field 14 or track 2, Luhn check
 * and PAN masking. Nothing here ever returns or logs a clear PAN except {@link #panOf}, whose
 * result stays inside the simulator.
 */
public final class CardData {

  private CardData() {}

  /** First 6 + "****" + last 4; a too short or missing PAN is masked completely. */
  public static String mask(String pan) {
    if (pan == null || pan.isEmpty()) {
      return "";
    }
    if (pan.length() < 10) {
      return "****";
    }
    return pan.substring(0, 6) + "****" + pan.substring(pan.length() - 4);
  }

  /** The PAN from field 2, else track 2 left of '=' (docs/protocol/terminal.md §11.4). */
  public static Optional<String> panOf(String field2, String track2) {
    if (field2 != null && !field2.isBlank()) {
      return Optional.of(field2.trim());
    }
    if (track2 != null) {
      int sep = separatorIndex(track2);
      if (sep > 0) {
        return Optional.of(track2.substring(0, sep));
      }
    }
    return Optional.empty();
  }

  /** The expiry YYMM from field 14, else the 4 digits after '=' in track 2. */
  public static Optional<String> expiryOf(String field14, String track2) {
    if (field14 != null && !field14.isBlank()) {
      return Optional.of(field14.trim());
    }
    if (track2 != null) {
      int sep = separatorIndex(track2);
      if (sep > 0 && track2.length() >= sep + 5) {
        return Optional.of(track2.substring(sep + 1, sep + 5));
      }
    }
    return Optional.empty();
  }

  /**
   * The expiry month, or empty when {@code yymm} is not four digits with a month 01..12. Two-digit
   * years are read as 20YY: the test cards of this simulator do not reach back to the 1900s.
   */
  public static Optional<YearMonth> parseExpiry(String yymm) {
    if (yymm == null || !yymm.matches("\\d{4}")) {
      return Optional.empty();
    }
    int year = 2000 + Integer.parseInt(yymm.substring(0, 2));
    int month = Integer.parseInt(yymm.substring(2, 4));
    if (month < 1 || month > 12) {
      return Optional.empty();
    }
    return Optional.of(YearMonth.of(year, month));
  }

  /** A PAN is 13..19 digits whose Luhn (mod 10) check digit is right. */
  public static boolean isLuhnValid(String pan) {
    if (pan == null || !pan.matches("\\d{13,19}")) {
      return false;
    }
    return luhnCheckDigit(pan.substring(0, pan.length() - 1)) == pan.charAt(pan.length() - 1);
  }

  /**
   * The digit that makes {@code digits + it} pass the Luhn (mod 10) check ({@code digits}: decimal
   * digits).
   */
  public static char luhnCheckDigit(String digits) {
    int sum = 0;
    boolean twice =
        true; // the rightmost digit of the body is doubled once the check digit is appended
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
    }
    return (char) ('0' + (10 - sum % 10) % 10);
  }

  /** Track 2 separator: '=' in ASCII tracks, 'D' when the track was carried as BCD nibbles. */
  private static int separatorIndex(String track2) {
    int eq = track2.indexOf('=');
    return eq >= 0 ? eq : track2.toUpperCase().indexOf('D');
  }
}
