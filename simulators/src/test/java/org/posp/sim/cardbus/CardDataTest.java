package org.posp.sim.cardbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.YearMonth;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CardDataTest {

  @Test
  void luhnAcceptsKnownGoodNumbersAndRejectsAlteredOnes() {
    assertTrue(CardData.isLuhnValid("4111111111111111"));
    assertTrue(CardData.isLuhnValid("6222021234567890128"));
    assertFalse(CardData.isLuhnValid("4111111111111112"));
    assertFalse(CardData.isLuhnValid("411111111111"), "12 digits is too short for a PAN");
    assertFalse(CardData.isLuhnValid("41111111111111x1"));
    assertFalse(CardData.isLuhnValid(null));
  }

  @Test
  void masksFirstSixAndLastFour() {
    assertEquals("622202****0128", CardData.mask("6222021234567890128"));
    assertEquals("****", CardData.mask("123456789"));
    assertEquals("", CardData.mask(null));
  }

  @Test
  void panAndExpiryComeFromField2And14ElseFromTrack2() {
    String track2 = "4392260009942820=131210112008439";
    assertEquals(Optional.of("4392260009942820"), CardData.panOf(null, track2));
    assertEquals(Optional.of("6222021234567890128"), CardData.panOf("6222021234567890128", track2));
    assertEquals(Optional.of("1312"), CardData.expiryOf(null, track2));
    assertEquals(Optional.of("2701"), CardData.expiryOf("2701", track2));
    assertEquals(
        Optional.of("4392260009942820"), CardData.panOf(null, "4392260009942820D131210112008439"));
    assertEquals(Optional.empty(), CardData.panOf(null, null));
  }

  @Test
  void expiryMustBeYymmWithARealMonth() {
    assertEquals(Optional.of(YearMonth.of(2027, 1)), CardData.parseExpiry("2701"));
    assertEquals(Optional.empty(), CardData.parseExpiry("2713"));
    assertEquals(Optional.empty(), CardData.parseExpiry("2700"));
    assertEquals(Optional.empty(), CardData.parseExpiry("27A1"));
  }
}
