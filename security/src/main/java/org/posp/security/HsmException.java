package org.posp.security;

/** A refused HSM operation. The message never contains key or PIN material. */
public class HsmException extends RuntimeException {
  public enum Reason { WRONG_KEY_TYPE, BAD_KEY, PIN_FORMAT, CHECK_VALUE_MISMATCH, INTERNAL }

  private final Reason reason;

  public HsmException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public HsmException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() { return reason; }
}
