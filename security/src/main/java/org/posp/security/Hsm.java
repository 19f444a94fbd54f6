package org.posp.security;

/**
 * The security module (加密机). Every key that crosses this interface is a {@link LmkKey}: a
 * cryptogram under the local master key (LMK) plus its check value. No clear key and no clear PIN
 * ever leaves an implementation. A network HSM (a payShield-style command protocol) can implement
 * this later; the software implementation is {@link SoftwareHsm}.
 *
 * <p>Implementations are thread-safe. Refusals are {@link HsmException}s whose {@link
 * HsmException.Reason} says why: a key of the wrong type ({@code WRONG_KEY_TYPE}), a key record
 * that does not decrypt under this LMK to its check value ({@code CHECK_VALUE_MISMATCH}), an
 * unusable key or key length ({@code BAD_KEY}), a malformed PIN block or PAN ({@code PIN_FORMAT}),
 * a bad data cryptogram ({@code BAD_DATA}). A null argument is a programming error ({@link
 * NullPointerException}).
 */
public interface Hsm {

  /**
   * Imports a clear key component set (provisioning, demo and test data only: the caller had the
   * clear key anyway) and returns it under the LMK. Implementations log that a clear key was
   * imported, never the key.
   *
   * <p>Lengths: TMK, PIK, ZPK, MAK 8 or 16 bytes (a 16-byte MAK with equal halves is the published
   * double-length form of a DES key; with different halves it is an X9.19 MAK); TDK 16 bytes.
   * Otherwise {@code BAD_KEY}.
   */
  LmkKey importClearKey(KeyType type, byte[] clearKey);

  /**
   * Imports a key that is already encrypted under the LMK (from configuration or a key ceremony):
   * decrypts it and compares its check value with {@code expectedCheckValue} (6 or 8 hex
   * characters), else {@code CHECK_VALUE_MISMATCH}.
   */
  LmkKey importLmkKey(KeyType type, String cryptogramHex, String expectedCheckValue);

  /**
   * Generates fresh random working keys for a terminal sign-on and returns the field 62 key block
   * of the 0810 (docs/protocol/terminal.md §11.1) together with the same keys under the LMK.
   *
   * @throws HsmException WRONG_KEY_TYPE unless {@code tmk} is a TMK; BAD_KEY when the TMK's length
   *     does not fit the scheme (001 needs 8 bytes, 003/004 16)
   */
  default WorkingKeys generateWorkingKeys(LmkKey tmk, KeyScheme scheme) {
    return generateWorkingKeys(tmk, scheme, MacAlgorithm.CUP_ECB);
  }

  /**
   * As {@link #generateWorkingKeys(LmkKey, KeyScheme)} with a MAK for {@code mac}: single DES for
   * {@link MacAlgorithm#CUP_ECB}, double length for {@link MacAlgorithm#X919} (its key block slot
   * then holds E(MAK 16) and the check value of the 16-byte key).
   *
   * @throws HsmException BAD_KEY also when {@code mac} is X919 and the scheme is 001 (no 16-byte
   *     MAK slot)
   */
  WorkingKeys generateWorkingKeys(LmkKey tmk, KeyScheme scheme, MacAlgorithm mac);

  /**
   * The field 62 key block of existing working keys under the TMK (the same layout as {@link
   * #generateWorkingKeys}): a sign-on that is asked again gets the same keys, not a second set. A
   * double-length MAK takes the whole 16-byte MAK slot of 003/004.
   */
  byte[] exportKeyBlock(LmkKey tmk, KeyScheme scheme, LmkKey pik, LmkKey mak, LmkKey tdk);

  /**
   * CUP ECB MAC (docs/protocol/terminal.md §11.2) of a MAB (the body from the MTI to the end of the
   * field before 64): returns the 8 ASCII bytes of field 64. {@code mak} must be a MAK.
   */
  default byte[] generateMac(LmkKey mak, byte[] mab) {
    return generateMac(mak, MacAlgorithm.CUP_ECB, mab);
  }

  /**
   * Field 64 (8 ASCII bytes) of a MAB with {@code algorithm}: the CUP ECB MAC under a single DES
   * MAK, or the first 4 bytes of the X9.19 retail MAC in uppercase hex under a double-length MAK
   * (BAD_KEY for another length).
   */
  byte[] generateMac(LmkKey mak, MacAlgorithm algorithm, byte[] mab);

  /**
   * Constant-time comparison of {@link #generateMac} with the received field 64; false when {@code
   * receivedMac} is null or not 8 bytes.
   */
  default boolean verifyMac(LmkKey mak, byte[] mab, byte[] receivedMac) {
    return verifyMac(mak, MacAlgorithm.CUP_ECB, mab, receivedMac);
  }

  /** {@link #verifyMac(LmkKey, byte[], byte[])} with {@code algorithm}. */
  boolean verifyMac(LmkKey mak, MacAlgorithm algorithm, byte[] mab, byte[] receivedMac);

  /**
   * Translates an ISO 9564 format 0 PIN block from the terminal's PIK to a zone PIN key (ZPK),
   * checking that the block decrypts to a well-formed format 0 block for this PAN (PIN length 4 to
   * 12, decimal digits, F padding).
   *
   * @param pinBlock the 8-byte encrypted block of field 52
   * @param pan the card's PAN, 13 to 19 digits (field 2, else track 2 left of {@code =})
   * @return the 8-byte block encrypted under the ZPK
   * @throws HsmException with {@link HsmException.Reason#PIN_FORMAT} when the block or PAN is
   *     malformed (also what a wrong PIK looks like); WRONG_KEY_TYPE unless {@code pik} is a PIK
   *     and {@code zpk} a ZPK
   */
  byte[] translatePin(LmkKey pik, LmkKey zpk, byte[] pinBlock, String pan);

  /**
   * Key check value: first 4 bytes of the key encrypting 8 zero bytes, 8 hex characters uppercase.
   */
  String checkValue(LmkKey key);

  /**
   * Keyed hash (HMAC-SHA-256 under a key derived from the LMK) for lookups of PANs and messages: 64
   * uppercase hex characters, the same for the same data and LMK.
   */
  String keyedHash(byte[] data);

  /**
   * Encrypts sensitive data (a PAN a later message needs) under the current data key, bound to
   * {@code associatedData} (what identifies the record it belongs to: it must be given again to
   * decrypt); randomised: the same data gives different cryptograms; returns base64.
   */
  String encryptData(byte[] clear, byte[] associatedData);

  /**
   * Reverses {@link #encryptData(byte[], byte[])}.
   *
   * @throws HsmException BAD_DATA when the text is not base64, is truncated, was tampered with,
   *     belongs to another record (other associated data) or was made under another LMK
   */
  byte[] decryptData(String cryptogram, byte[] associatedData);

  /** {@link #encryptData(byte[], byte[])} bound to no record. */
  default String encryptData(byte[] clear) {
    return encryptData(clear, new byte[0]);
  }

  /** {@link #decryptData(String, byte[])} of a cryptogram bound to no record. */
  default byte[] decryptData(String cryptogram) {
    return decryptData(cryptogram, new byte[0]);
  }
}
