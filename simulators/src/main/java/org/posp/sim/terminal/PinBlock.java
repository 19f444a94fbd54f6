package org.posp.sim.terminal;

/**
 * ANSI X9.8 / ISO 9564 format 0 PIN block (docs/protocol/terminal.md §11.4): {@code 0L PIN F..F}
 * XOR {@code 0000} + the 12 rightmost PAN digits without the check digit, encrypted under the PIK.
 */
public final class PinBlock {
  private PinBlock() {}

  /** The clear format-0 block. Never log the result. */
  public static byte[] clear(String pin, String pan) {
    if (pin == null || !pin.matches("\\d{4,12}")) {
      throw new IllegalArgumentException("PIN must be 4 to 12 digits");
    }
    if (pan == null || !pan.matches("\\d{13,19}")) {
      throw new IllegalArgumentException("PAN for the PIN block must be 13 to 19 digits");
    }
    StringBuilder pinField = new StringBuilder(16);
    pinField.append('0').append(Integer.toHexString(pin.length()).toUpperCase()).append(pin);
    while (pinField.length() < 16) {
      pinField.append('F');
    }
    String twelve = pan.substring(pan.length() - 13, pan.length() - 1);
    byte[] p = Hex.parse(pinField.toString(), "PIN field");
    byte[] a = Hex.parse("0000" + twelve, "PAN field");
    byte[] block = new byte[8];
    for (int i = 0; i < 8; i++) {
      block[i] = (byte) (p[i] ^ a[i]);
    }
    return block;
  }

  /** The block encrypted under the PIK (DES for an 8-byte PIK, 3DES for 16 bytes): field 52. */
  public static byte[] encrypt(byte[] pik, String pin, String pan) {
    return DesCipher.encrypt(pik, clear(pin, pan));
  }

  /** PAN the PIN block is bound to: field 2 if present, else track 2 left of '='. */
  public static String panFor(String field2, String track2) {
    if (field2 != null) {
      return field2;
    }
    if (track2 != null) {
      int eq = track2.indexOf('=');
      return eq < 0 ? track2 : track2.substring(0, eq);
    }
    throw new IllegalArgumentException("no PAN (field 2) nor track 2 to bind the PIN block to");
  }
}
