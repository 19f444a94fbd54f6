package org.posp.terminal.codec;

import java.util.HashMap;
import java.util.Map;

/**
 * Field 39 of a terminal reply (应答码): the codes the switch answers, what each means, and whether
 * the terminal may send the same request again (a temporary condition) rather than give up or ask
 * the cardholder for something else. See {@code docs/protocol/terminal.md} (response codes).
 */
public enum ResponseCode {
  APPROVED("00", "approved", false),
  REFER_TO_ISSUER("01", "refer to card issuer", false),
  INVALID_MERCHANT("03", "merchant unknown, frozen or closed", false),
  DO_NOT_HONOUR("05", "do not honour", false),
  /** Also the reason of a reversal for "other" (0400 field 39). */
  ERROR("06", "error; as a reversal reason: other", false),
  INVALID_TRANSACTION(
      "12", "invalid transaction: the original is already voided or reversed", false),
  INVALID_AMOUNT("13", "invalid amount: not positive, or above the refundable rest", false),
  INVALID_CARD("14", "invalid card number", false),
  ORIGINAL_NOT_FOUND("25", "original transaction not found", false),
  FORMAT_ERROR("30", "format error: a mandatory field is missing or malformed", false),
  FUNCTION_NOT_SUPPORTED("40", "transaction type or key scheme not supported", false),
  LOST_OR_STOLEN("41", "lost or stolen card", false),
  INSUFFICIENT_FUNDS("51", "not sufficient funds", false),
  EXPIRED_CARD("54", "expired card", false),
  INCORRECT_PIN("55", "incorrect PIN", false),
  NOT_PERMITTED_TO_CARDHOLDER("57", "transaction not permitted to the cardholder", false),
  NOT_PERMITTED_TO_TERMINAL(
      "58", "transaction type not allowed for this merchant or terminal", false),
  SUSPECTED_FRAUD("59", "suspected fraud", false),
  EXCEEDS_LIMIT("61", "merchant, terminal or card limit exceeded", false),
  VOID_AMOUNT_MISMATCH("64", "void amount differs from the original", false),
  EXCEEDS_FREQUENCY("65", "exceeds withdrawal frequency limit", false),
  PIN_TRIES_EXCEEDED("75", "allowable PIN tries exceeded", false),
  /** Sign on again (or settle and use the batch of the reply), then retry. */
  SIGN_ON_AGAIN("77", "not signed on, or 60.2 is not the open batch: sign on again", true),
  ISSUER_UNAVAILABLE("91", "issuer or switch link unavailable", true),
  NO_ROUTE("92", "no route to the card's issuer", false),
  DUPLICATE("94", "duplicate: the same key with other content", false),
  SYSTEM_ERROR("96", "system malfunction", true),
  TERMINAL_NOT_PROVISIONED("97", "terminal not provisioned", false),
  /** The switch reverses upstream by itself; the terminal may start a new transaction. */
  NO_UPSTREAM_REPLY("98", "no reply from upstream in time: reversed", true),
  PIN_FORMAT("99", "PIN block format error", false),
  MAC_ERROR("A0", "MAC missing or wrong", false);

  private static final Map<String, ResponseCode> BY_CODE = new HashMap<>();

  static {
    for (ResponseCode c : values()) BY_CODE.put(c.code, c);
  }

  private final String code;
  private final String meaning;
  private final boolean terminalMayRetry;

  ResponseCode(String code, String meaning, boolean terminalMayRetry) {
    this.code = code;
    this.meaning = meaning;
    this.terminalMayRetry = terminalMayRetry;
  }

  /** The two characters of field 39. */
  public String code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }

  /**
   * Whether the condition is temporary: the terminal may send the request again (after a sign-on
   * for 77).
   */
  public boolean terminalMayRetry() {
    return terminalMayRetry;
  }

  /** Whether {@code field39} is this code (null-safe). */
  public boolean is(String field39) {
    return code.equals(field39);
  }

  /** The code of a field 39 value, or null when the switch does not know it. */
  public static ResponseCode of(String field39) {
    return field39 == null ? null : BY_CODE.get(field39);
  }

  @Override
  public String toString() {
    return code;
  }
}
