package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MaskingTest {

  @Test
  void thirteenDigitsOrMoreShowFirstSixAndLastFour() {
    assertEquals("622424****0113", Masking.pan("6224242900000113"));
    assertEquals("622700****6546", Masking.pan("6227004226680056546"));
    assertEquals("621488****0012", Masking.pan("6214880000000012"));
    assertEquals("123456****0123", Masking.pan("1234567890123"));
  }

  @Test
  void eightToTwelveDigitsShowTheLastFourOnly() {
    assertEquals("****9012", Masking.pan("123456789012"));
    assertEquals("****8901", Masking.pan("12345678901"));
    assertEquals("****7890", Masking.pan("1234567890"));
    assertEquals("****5678", Masking.pan("12345678"));
  }

  @Test
  void fewerThanEightDigitsShowNothing() {
    assertEquals("****", Masking.pan("1234567"));
    assertEquals("****", Masking.pan("1234"));
    assertEquals("****", Masking.pan("1"));
  }

  @Test
  void noPanIsADash() {
    assertEquals("-", Masking.pan(null));
    assertEquals("-", Masking.pan(""));
  }

  @Test
  void anythingButDigitsShowsNothing() {
    assertEquals("****", Masking.pan("6214880000000012=30121010000000000"));
    assertEquals("****", Masking.pan("6214880000000012D3012101"));
    assertEquals("****", Masking.pan("6214 8800 0000 0012"));
    assertEquals("****", Masking.pan(" 6214880000000012"));
    assertEquals("****", Masking.pan("621488000000001x"));
    assertEquals("****", Masking.pan("６２１４８８００００００００１２")); // full-width digits are not 0-9
  }

  /**
   * Every length up to 25: at most 10 digits of a long PAN shown, never more than half of a short
   * one.
   */
  @Test
  void neverMoreThanHalfOfAShortPanNorMoreThanTenDigits() {
    StringBuilder pan = new StringBuilder();
    for (int n = 1; n <= 25; n++) {
      pan.append((char) ('0' + n % 10));
      String masked = Masking.pan(pan.toString());
      long shown = masked.chars().filter(c -> c >= '0' && c <= '9').count();
      if (n >= 13) {
        assertEquals(10, shown, masked);
        assertEquals(pan.substring(0, 6) + "****" + pan.substring(n - 4), masked);
      } else {
        assertTrue(shown <= n / 2, n + " digits: " + masked);
        assertTrue(masked.startsWith("****"), masked);
        assertTrue(pan.toString().endsWith(masked.substring(4)), masked);
      }
    }
  }
}
