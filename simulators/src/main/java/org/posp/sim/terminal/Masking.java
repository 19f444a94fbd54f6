package org.posp.sim.terminal;

/** PAN masking for anything printed or logged: first 6 + "****" + last 4. */
public final class Masking {
  private Masking() {}

  public static String pan(String pan) {
    if (pan == null) {
      return "null";
    }
    if (pan.length() < 11) {
      return "****";
    }
    return pan.substring(0, 6) + "****" + pan.substring(pan.length() - 4);
  }
}
