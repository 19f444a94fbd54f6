package org.posp.terminal;

import org.posp.channel.CardBusResult;
import org.posp.terminal.codec.ResponseCode;

/**
 * The terminal's field 39 for what the card bus answered: the one place where card-bus outcomes become
 * terminal response codes.
 */
final class TerminalCodes {
  private TerminalCodes() {}

  /** The 39 of a host answer (the host's decline codes keep their meaning, so this is a string). */
  static String of(CardBusResult.Answered a) {
    return a.terminalCode();
  }

  /** Whether the host approved. */
  static boolean approved(CardBusResult.Answered a) {
    return ResponseCode.APPROVED.is(of(a));
  }

  /** The 39 of a request the card bus did not send (the host cannot have seen it). */
  static ResponseCode of(CardBusResult.NotSent n) {
    ResponseCode code = ResponseCode.of(n.terminalCode());
    return code == null ? ResponseCode.SYSTEM_ERROR : code;
  }
}
