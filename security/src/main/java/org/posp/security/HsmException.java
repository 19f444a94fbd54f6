package org.posp.security;

/** A refused HSM operation. The message never contains key or PIN material. */
public class HsmException extends RuntimeException {
  /** Why an operation was refused. */
  public enum Reason {
    /** The key's type is not the one the operation needs (a PIK offered as a MAK, ...). */
    WRONG_KEY_TYPE,
    /**
     * A key, LMK or keystore is unusable: wrong length, weak, wrong scheme, unreadable, not
     * configured.
     */
    BAD_KEY,
    /** A PIN block (or its PAN) is not a well-formed ISO 9564 format 0 block. */
    PIN_FORMAT,
    /**
     * A key does not decrypt under the LMK to its check value (other LMK, other type, damaged
     * record).
     */
    CHECK_VALUE_MISMATCH,
    /**
     * Data given to {@link Hsm#decryptData} is not a cryptogram of this LMK (malformed, tampered,
     * other LMK).
     */
    BAD_DATA,
    /** Anything else; a bug or an environment failure. */
    INTERNAL
  }

  private final Reason reason;

  public HsmException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public HsmException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
