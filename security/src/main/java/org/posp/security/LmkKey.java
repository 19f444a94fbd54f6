package org.posp.security;

/**
 * A key encrypted under the LMK: safe to persist in events and snapshots and to log (the check
 * value identifies the key to operators). {@code cryptogramHex} is uppercase hex; {@code
 * checkValue} is the 8 hex characters of the clear key's check value.
 */
public record LmkKey(KeyType type, String cryptogramHex, String checkValue) {
  public LmkKey {
    if (type == null || cryptogramHex == null || checkValue == null) {
      throw new IllegalArgumentException("type, cryptogram and check value are required");
    }
  }

  @Override
  public String toString() {
    return type + "[kcv=" + checkValue + "]";
  }
}
