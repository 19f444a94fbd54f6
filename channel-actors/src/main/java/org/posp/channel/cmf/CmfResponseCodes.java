package org.posp.channel.cmf;

import java.util.Map;
import org.jpos.rc.CMF;

/**
 * CMF action codes (field 39 of the host reply, {@link org.jpos.rc.CMF}) to the terminal's two-digit
 * response code (应答码), docs/protocol/card-bus.md §9.
 */
public final class CmfResponseCodes {

  private static final Map<String, String> TABLE = Map.ofEntries(
      entry(CMF.DO_NOT_HONOUR, "05"),
      entry(CMF.EXPIRED, "54"),
      entry(CMF.SUSPECTED_FRAUD, "59"),
      entry(CMF.MAX_PIN_TRIES_EXCEEDED, "75"),
      entry(CMF.REFER_TO_ISSUER, "01"),
      entry(CMF.INVALID_AMOUNT, "13"),
      entry(CMF.INVALID_CARD_NUMBER, "14"),
      entry(CMF.INVALID_CARD, "14"),
      entry(CMF.NOT_SUFFICIENT_FUNDS, "51"),
      entry(CMF.INCORRECT_PIN, "55"),
      entry(CMF.NOT_PERMITTED_TO_CARDHOLDER, "57"),
      entry(CMF.NOT_PERMITTED_TO_TERMINAL, "58"),
      entry(CMF.EXCEEDS_WITHDRAWAL_AMOUNT_LIMIT, "61"),
      entry(CMF.EXCEEDS_WITHDRAWAL_FREQUENCY_LIMIT, "65"),
      entry(CMF.LOST_OR_STOLEN_CARD, "41"),
      entry(CMF.ISSUER_NOT_AVAILABLE, "91"),
      entry(CMF.ISSUER_TIMEOUT, "91"),
      entry(CMF.ISSUER_UNAVAILABLE, "91"),
      entry(CMF.HOST_UNREACHABLE, "91"),
      entry(CMF.DUPLICATE_TRANSMISSION, "94"),
      entry(CMF.ORIGINAL_NOT_FOUND, "25"));

  /** Highest approval code: 0000..0013 are approvals in CMF (APPROVED .. APPROVED_OFFLINE_REFERRAL). */
  private static final int LAST_APPROVAL = CMF.APPROVED_OFFLINE_REFERRAL.irc();

  private CmfResponseCodes() {}

  private static Map.Entry<String, String> entry(CMF code, String terminal) {
    return Map.entry(code.ircString(), terminal);
  }

  /**
   * The terminal's 39 for a CMF action code: 0000-0013 give 00, the listed declines their code, any
   * other 1xxx/2xxx (declines) 05, everything else (including a missing or malformed code) 96.
   */
  public static String toTerminal(String cmf39) {
    if (cmf39 == null || !cmf39.matches("\\d{4}")) return "96";
    int code = Integer.parseInt(cmf39);
    if (code <= LAST_APPROVAL) return "00";
    String mapped = TABLE.get(cmf39);
    if (mapped != null) return mapped;
    char first = cmf39.charAt(0);
    return first == '1' || first == '2' ? "05" : "96";
  }

  /** True for a CMF approval (0000..0013). */
  public static boolean isApproval(String cmf39) {
    return cmf39 != null && cmf39.matches("\\d{4}") && Integer.parseInt(cmf39) <= LAST_APPROVAL;
  }
}
