package org.posp.channel.cmf;

import org.jpos.iso.ISOMsg;

/**
 * The fields of a host reply the switch uses. Holds no card data, so it is safe to log.
 *
 * @param mti reply MTI (2110, 2210, 2230, 2430, 2810)
 * @param stan field 11
 * @param terminalId field 41 without the packer's space padding, or null
 * @param rrn field 37 or null
 * @param functionCode field 24 or null
 * @param actionCode field 39, the CMF action code (4 digits), or null when missing
 * @param approvalCode field 38 or null
 * @param settlementDate field 15 YYYYMMDD or null
 * @param balance field 54 as received or null
 */
public record CmfReply(
    String mti,
    String stan,
    String terminalId,
    String rrn,
    String functionCode,
    String actionCode,
    String approvalCode,
    String settlementDate,
    String balance) {

  /** Reads a reply; never fails (missing fields are null). */
  public static CmfReply of(ISOMsg m) {
    return new CmfReply(
        m.getString(0),
        m.getString(11),
        trimmed(m.getString(41)),
        trimmed(m.getString(37)),
        m.getString(24),
        m.getString(39),
        trimmed(m.getString(38)),
        m.getString(15),
        m.getString(54));
  }

  /** True when field 39 is a well-formed 4-digit action code. */
  public boolean hasActionCode() {
    return CmfActionCodes.isWellFormed(actionCode);
  }

  private static String trimmed(String s) {
    if (s == null) return null;
    String t = s.strip();
    return t.isEmpty() ? null : t;
  }
}
