package org.posp.security;

/** What a key is for; the HSM refuses to use a key for another purpose. */
public enum KeyType {
  /** terminal master key (主密钥) */
  TMK,
  /** PIN working key (PIN密钥) */
  PIK,
  /** MAC working key (MAC密钥) */
  MAK,
  /** track data key (磁道密钥) */
  TDK,
  /** zone PIN key shared with a card-bus endpoint */
  ZPK
}
