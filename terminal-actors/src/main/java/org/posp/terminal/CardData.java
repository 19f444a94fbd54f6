package org.posp.terminal;

import org.posp.terminal.codec.Masking;
import org.posp.terminal.codec.TerminalMessage;

/**
 * The card as a request presents it: PAN from field 2, else track 2 left of '='; expiry from field
 * 14, else the four digits after '=' in track 2. Never logged: {@link #toString()} masks the PAN.
 */
public record CardData(String pan, String expiry, String track2, byte[] iccData) {

  public static CardData from(TerminalMessage m) {
    String track2 = m.has(35) ? m.get(35) : null;
    String pan = m.has(2) ? m.get(2) : null;
    String expiry = m.has(14) ? m.get(14) : null;
    if (track2 != null) {
      int sep = track2.indexOf('=');
      if (pan == null && sep > 0) pan = track2.substring(0, sep);
      if (expiry == null && sep > 0 && track2.length() >= sep + 5)
        expiry = track2.substring(sep + 1, sep + 5);
    }
    byte[] icc = m.has(55) ? m.getBytes(55) : null;
    return new CardData(pan, expiry, track2, icc);
  }

  public boolean hasPan() {
    return pan != null
        && pan.length() >= 12
        && pan.length() <= 19
        && pan.chars().allMatch(Character::isDigit);
  }

  /** The PAN as it may be shown and recorded ({@link Masking#pan}). */
  public String masked() {
    return Masking.pan(pan);
  }

  @Override
  public String toString() {
    return "CardData[" + masked() + "]";
  }
}
