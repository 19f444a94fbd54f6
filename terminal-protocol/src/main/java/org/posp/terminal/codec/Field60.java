package org.posp.terminal.codec;

/**
 * Field 60 (自定义域), n..19 as LLL BCD digits: 60.1 n2 transaction type code (交易类型码), 60.2 n6 batch
 * number (批次号), 60.3 n3 network management code (网络管理信息码), 60.4 n1 terminal read capability, 60.5
 * n1 IC condition code, 60.6 n1 partial-approval flag, 60.7 n3 account type.
 *
 * <p>60.1 and 60.2 are always there; trailing parts may be omitted (a sale may send only {@code 22
 * 000001}), so the optional components are {@code null} when absent and {@link #format()} writes
 * only what is present. A value that stops inside a sub-field, or runs past 60.7 (17 digits), is
 * malformed.
 */
public record Field60(
    String type,
    String batch,
    String networkCode,
    String readCapability,
    String icCondition,
    String partialApproval,
    String accountType) {
  public static final int FIELD = 60;
  private static final int[] LENGTHS = {2, 6, 3, 1, 1, 1, 3};

  public Field60 {
    SubFields.require("60.1", type, 2, false);
    SubFields.require("60.2", batch, 6, false);
    SubFields.require("60.3", networkCode, 3, true);
    SubFields.require("60.4", readCapability, 1, true);
    SubFields.require("60.5", icCondition, 1, true);
    SubFields.require("60.6", partialApproval, 1, true);
    SubFields.require("60.7", accountType, 3, true);
    SubFields.requireNoGap(
        "60", type, batch, networkCode, readCapability, icCondition, partialApproval, accountType);
  }

  /** 60.1 to 60.3, the usual form (e.g. {@code 00 000001 003} for a sign-on). */
  public static Field60 of(String type, String batch, String networkCode) {
    return new Field60(type, batch, networkCode, null, null, null, null);
  }

  /** Parses the digits of field 60 as {@link TerminalMessage#get} returns them. */
  public static Field60 parse(String digits) throws TerminalFormatException {
    String[] p = SubFields.split(FIELD, digits, LENGTHS, 2);
    return new Field60(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
  }

  /** Field 60 of a message. @throws TerminalFormatException if it is missing or malformed */
  public static Field60 from(TerminalMessage m) throws TerminalFormatException {
    return parse(m.get(FIELD));
  }

  /** The digits to put in field 60: the present sub-fields, in order. */
  public String format() {
    StringBuilder b = new StringBuilder(17);
    for (String part :
        new String[] {
          type, batch, networkCode, readCapability, icCondition, partialApproval, accountType
        }) {
      if (part == null) {
        break;
      }
      b.append(part);
    }
    return b.toString();
  }

  /** The same field with another batch number (e.g. the batch assigned in 0810 / 0510). */
  public Field60 withBatch(String newBatch) {
    return new Field60(
        type, newBatch, networkCode, readCapability, icCondition, partialApproval, accountType);
  }

  /**
   * Only 60.1 to 60.3, as replies echo them (docs/protocol/terminal.md §6.1); 60.3 stays absent
   * when the request had none.
   */
  public Field60 firstThree() {
    return new Field60(type, batch, networkCode, null, null, null, null);
  }

  /** 60.2 as a number. */
  public int batchNumber() {
    return Integer.parseInt(batch);
  }
}
