package org.posp.security;

/**
 * The security module (加密机). Every key that crosses this interface is a {@link LmkKey}: a cryptogram
 * under the local master key (LMK) plus its check value. No clear key and no clear PIN ever leaves an
 * implementation. A network HSM (a payShield-style command protocol) can implement this later; the
 * software implementation is {@link SoftwareHsm}.
 */
public interface Hsm {

  /**
   * Imports a clear key component set (provisioning, demo and test data only: the caller had the clear
   * key anyway) and returns it under the LMK. Implementations log that a clear key was imported, never
   * the key.
   */
  LmkKey importClearKey(KeyType type, byte[] clearKey);

  /** Imports a key that is already encrypted under the LMK (from configuration or a key ceremony). */
  LmkKey importLmkKey(KeyType type, String cryptogramHex, String expectedCheckValue);

  /**
   * Generates fresh random working keys for a terminal sign-on and returns the field 62 key block of
   * the 0810 (terminal-protocol.md §5.1) together with the same keys under the LMK.
   */
  WorkingKeys generateWorkingKeys(LmkKey tmk, KeyScheme scheme);

  /** CUP ECB MAC (terminal-protocol.md §5.2) of a MAB: returns the 8 ASCII bytes of field 64. */
  byte[] generateMac(LmkKey mak, byte[] mab);

  /** Constant-time comparison of {@link #generateMac} with the received field 64. */
  boolean verifyMac(LmkKey mak, byte[] mab, byte[] receivedMac);

  /**
   * Translates an ISO 9564 format 0 PIN block from the terminal's PIK to a zone PIN key (ZPK), checking
   * that the block decrypts to a well-formed format 0 block for this PAN.
   *
   * @throws HsmException with {@link HsmException.Reason#PIN_FORMAT} when the block is malformed
   */
  byte[] translatePin(LmkKey pik, LmkKey zpk, byte[] pinBlock, String pan);

  /** Key check value: first 4 bytes of the key encrypting 8 zero bytes, 8 hex characters uppercase. */
  String checkValue(LmkKey key);

  /** Keyed hash (HMAC-SHA-256 under a key derived from the LMK) for lookups of PANs and messages. */
  String keyedHash(byte[] data);

  /** Encrypts sensitive data (a PAN a later message needs) under the data key; returns base64. */
  String encryptData(byte[] clear);

  /** Reverses {@link #encryptData}. */
  byte[] decryptData(String cryptogram);
}
