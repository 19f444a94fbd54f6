package org.posp.security;

/** Sign-on key scheme, field 60.3 of the 0800 (docs/protocol/terminal.md §11.1). */
public enum KeyScheme {
  /** 001: single DES TMK; 62 = E(PIK 8) CV E(MAK 8) CV, 24 bytes. */
  SINGLE_DES("001", 24),
  /** 003: double-length TMK; 62 = E(PIK 16) CV E(MAK 8) 00x8 CV, 40 bytes. */
  DOUBLE_LENGTH("003", 40),
  /** 004: as 003 followed by E(TDK 16) CV, 60 bytes. */
  DOUBLE_LENGTH_WITH_TDK("004", 60);

  private final String networkCode;
  private final int keyBlockLength;

  KeyScheme(String networkCode, int keyBlockLength) {
    this.networkCode = networkCode;
    this.keyBlockLength = keyBlockLength;
  }

  public String networkCode() {
    return networkCode;
  }

  public int keyBlockLength() {
    return keyBlockLength;
  }

  /** The scheme for a 60.3 network management code, or null when it is not a sign-on code. */
  public static KeyScheme ofNetworkCode(String code) {
    for (KeyScheme s : values()) {
      if (s.networkCode.equals(code)) return s;
    }
    return null;
  }
}
