package org.posp.channel.cmf;

import org.jpos.rc.CMF;

/** What the card bus reads in a CMF action code (field 39 of a host reply, {@link CMF}). */
public final class CmfActionCodes {

  /**
   * Highest approval code: 0000..0013 are approvals in CMF (APPROVED .. APPROVED_OFFLINE_REFERRAL).
   */
  private static final int LAST_APPROVAL = CMF.APPROVED_OFFLINE_REFERRAL.irc();

  private CmfActionCodes() {}

  /** True for a well-formed action code: 4 digits. */
  public static boolean isWellFormed(String cmf39) {
    if (cmf39 == null || cmf39.length() != 4) return false;
    for (int i = 0; i < 4; i++) {
      char c = cmf39.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }

  /** True for a CMF approval (0000..0013). */
  public static boolean isApproval(String cmf39) {
    return isWellFormed(cmf39) && Integer.parseInt(cmf39) <= LAST_APPROVAL;
  }
}
