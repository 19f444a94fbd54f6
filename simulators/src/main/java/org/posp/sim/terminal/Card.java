package org.posp.sim.terminal;

/**
 * A test card as the terminal reads it.
 *
 * @param pan primary account number, 13-19 digits
 * @param expiry YYMM
 * @param pin cardholder PIN (4-12 digits) or null when no PIN is entered
 * @param entryMode field 22: {@code 021} swiped with PIN, {@code 022} swiped without, {@code
 *     011}/{@code 012} keyed
 * @param track2 track 2 with '=' as separator; derived as {@code PAN=YYMM101...} for swiped cards
 *     when null, null for keyed cards (which send fields 2 and 14 instead)
 */
public record Card(String pan, String expiry, String pin, String entryMode, String track2) {

  public Card {
    if (pan == null || !pan.matches("\\d{13,19}")) {
      throw new IllegalArgumentException("PAN must be 13 to 19 digits");
    }
    if (expiry == null || !expiry.matches("\\d{2}(0[1-9]|1[0-2])")) {
      throw new IllegalArgumentException("expiry must be YYMM");
    }
    if (pin != null && !pin.matches("\\d{4,12}")) {
      throw new IllegalArgumentException("PIN must be 4 to 12 digits");
    }
    if (entryMode == null) {
      entryMode = pin != null ? "021" : "022";
    }
    if (!entryMode.matches("\\d{3}")) {
      throw new IllegalArgumentException("entry mode (22) must be 3 digits");
    }
    if (track2 == null && !entryMode.startsWith("01")) {
      track2 =
          pan
              + "="
              + expiry
              + "101"
              + "0000000000".substring(0, Math.min(10, 37 - pan.length() - 8));
    }
    if (track2 != null && (!track2.matches("\\d{13,19}=[\\d=]*") || track2.length() > 37)) {
      throw new IllegalArgumentException(
          "track 2 must be PAN=... with digits only, at most 37 characters");
    }
  }

  /** A swiped magstripe card; entry mode 021 with a PIN, 022 without. */
  public static Card swiped(String pan, String expiry, String pin) {
    return new Card(pan, expiry, pin, pin != null ? "021" : "022", null);
  }

  /** A keyed card (manual entry): fields 2 and 14 are sent, no track. */
  public static Card keyed(String pan, String expiry, String pin) {
    return new Card(pan, expiry, pin, pin != null ? "011" : "012", null);
  }

  /** True when the card is keyed (22 = 01x): send fields 2 and 14 instead of track 2. */
  public boolean keyed() {
    return entryMode.startsWith("01");
  }

  /** True when a PIN is entered: 22 digit 3 = 1 and a PIN is present. */
  public boolean withPin() {
    return pin != null && entryMode.charAt(2) == '1';
  }

  public String maskedPan() {
    return Masking.pan(pan);
  }

  @Override
  public String toString() {
    return "Card[" + maskedPan() + ", entryMode=" + entryMode + (pin != null ? ", PIN" : "") + "]";
  }
}
