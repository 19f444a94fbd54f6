package org.posp.terminal;

import java.util.Map;
import org.jpos.rc.CMF;
import org.posp.channel.CardBusResult;
import org.posp.channel.cmf.CmfActionCodes;
import org.posp.terminal.codec.ResponseCode;

/**
 * The terminal's field 39 for what the card bus answered: the one place where card-bus outcomes
 * become terminal response codes (docs/protocol/card-bus.md §9, docs/protocol/terminal.md §7). The
 * card bus itself speaks CMF action codes and reasons for not sending.
 */
final class TerminalCodes {

  /** The host's declines and errors that keep their meaning at the terminal. */
  private static final Map<String, ResponseCode> ACTIONS =
      Map.ofEntries(
          action(CMF.DO_NOT_HONOUR, ResponseCode.DO_NOT_HONOUR),
          action(CMF.EXPIRED, ResponseCode.EXPIRED_CARD),
          action(CMF.SUSPECTED_FRAUD, ResponseCode.SUSPECTED_FRAUD),
          action(CMF.MAX_PIN_TRIES_EXCEEDED, ResponseCode.PIN_TRIES_EXCEEDED),
          action(CMF.REFER_TO_ISSUER, ResponseCode.REFER_TO_ISSUER),
          action(CMF.INVALID_AMOUNT, ResponseCode.INVALID_AMOUNT),
          action(CMF.INVALID_CARD_NUMBER, ResponseCode.INVALID_CARD),
          action(CMF.INVALID_CARD, ResponseCode.INVALID_CARD),
          action(CMF.NOT_SUFFICIENT_FUNDS, ResponseCode.INSUFFICIENT_FUNDS),
          action(CMF.INCORRECT_PIN, ResponseCode.INCORRECT_PIN),
          action(CMF.NOT_PERMITTED_TO_CARDHOLDER, ResponseCode.NOT_PERMITTED_TO_CARDHOLDER),
          action(CMF.NOT_PERMITTED_TO_TERMINAL, ResponseCode.NOT_PERMITTED_TO_TERMINAL),
          action(CMF.EXCEEDS_WITHDRAWAL_AMOUNT_LIMIT, ResponseCode.EXCEEDS_LIMIT),
          action(CMF.EXCEEDS_WITHDRAWAL_FREQUENCY_LIMIT, ResponseCode.EXCEEDS_FREQUENCY),
          action(CMF.LOST_OR_STOLEN_CARD, ResponseCode.LOST_OR_STOLEN),
          action(CMF.ISSUER_NOT_AVAILABLE, ResponseCode.ISSUER_UNAVAILABLE),
          action(CMF.ISSUER_TIMEOUT, ResponseCode.ISSUER_UNAVAILABLE),
          action(CMF.ISSUER_UNAVAILABLE, ResponseCode.ISSUER_UNAVAILABLE),
          action(CMF.HOST_UNREACHABLE, ResponseCode.ISSUER_UNAVAILABLE),
          action(CMF.DUPLICATE_TRANSMISSION, ResponseCode.DUPLICATE),
          action(CMF.ORIGINAL_NOT_FOUND, ResponseCode.ORIGINAL_NOT_FOUND));

  private TerminalCodes() {}

  private static Map.Entry<String, ResponseCode> action(CMF code, ResponseCode terminal) {
    return Map.entry(code.ircString(), terminal);
  }

  /** The 39 of a host answer, as the transaction records it. */
  static String of(CardBusResult.Answered a) {
    return ofAction(a.actionCode()).code();
  }

  /** Whether the host approved (a CMF approval code). */
  static boolean approved(CardBusResult.Answered a) {
    return a.approved();
  }

  /**
   * The 39 for a CMF action code: an approval (0000..0013) gives 00, the listed declines their
   * code, any other 1xxx / 2xxx (declines) 05, everything else (including a missing or malformed
   * code) 96.
   */
  static ResponseCode ofAction(String cmf39) {
    if (!CmfActionCodes.isWellFormed(cmf39)) return ResponseCode.SYSTEM_ERROR;
    if (CmfActionCodes.isApproval(cmf39)) return ResponseCode.APPROVED;
    ResponseCode mapped = ACTIONS.get(cmf39);
    if (mapped != null) return mapped;
    char first = cmf39.charAt(0);
    return first == '1' || first == '2' ? ResponseCode.DO_NOT_HONOUR : ResponseCode.SYSTEM_ERROR;
  }

  /** The 39 of a request the card bus did not send (the host cannot have seen it). */
  static ResponseCode of(CardBusResult.NotSent n) {
    return n.reason() == null
        ? ResponseCode.SYSTEM_ERROR
        : switch (n.reason()) {
          case BREAKER_OPEN, NO_READY_LINK, STOPPED -> ResponseCode.ISSUER_UNAVAILABLE;
          case NO_ROUTE, ENDPOINT_NOT_CONFIGURED -> ResponseCode.NO_ROUTE;
          case PIN_REFUSED -> ResponseCode.PIN_FORMAT;
          case INVALID_REQUEST -> ResponseCode.FORMAT_ERROR;
          case DUPLICATE_IN_FLIGHT -> ResponseCode.DUPLICATE;
          case NO_ZPK, SECURITY_MODULE, INTERNAL -> ResponseCode.SYSTEM_ERROR;
        };
  }
}
