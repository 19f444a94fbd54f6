package org.posp.terminal.codec;

/**
 * Field 61 (原始信息域), n..29 as LLL BCD digits: 61.1 n6 original batch, 61.2 n6 original STAN, 61.3 n4
 * original date MMDD, 61.4 n2 original authorisation method, 61.5 n11 original authorising
 * institution. Unknown parts are sent as zeros; trailing parts may be omitted (absent components
 * are {@code null}). 61.1 is always there.
 */
public record Field61(
    String originalBatch,
    String originalStan,
    String originalDate,
    String authMethod,
    String authInstitution) {
  public static final int FIELD = 61;
  private static final int[] LENGTHS = {6, 6, 4, 2, 11};

  public Field61 {
    SubFields.require("61.1", originalBatch, 6, false);
    SubFields.require("61.2", originalStan, 6, true);
    SubFields.require("61.3", originalDate, 4, true);
    SubFields.require("61.4", authMethod, 2, true);
    SubFields.require("61.5", authInstitution, 11, true);
    SubFields.requireNoGap(
        "61", originalBatch, originalStan, originalDate, authMethod, authInstitution);
  }

  /** 61.1 to 61.3, the form voids, refunds and completions send. */
  public static Field61 of(String originalBatch, String originalStan, String originalDate) {
    return new Field61(originalBatch, originalStan, originalDate, null, null);
  }

  public static Field61 parse(String digits) throws TerminalFormatException {
    String[] p = SubFields.split(FIELD, digits, LENGTHS, 1);
    return new Field61(p[0], p[1], p[2], p[3], p[4]);
  }

  /** Field 61 of a message. @throws TerminalFormatException if it is missing or malformed */
  public static Field61 from(TerminalMessage m) throws TerminalFormatException {
    return parse(m.get(FIELD));
  }

  public String format() {
    StringBuilder b = new StringBuilder(29);
    for (String part :
        new String[] {originalBatch, originalStan, originalDate, authMethod, authInstitution}) {
      if (part == null) {
        break;
      }
      b.append(part);
    }
    return b.toString();
  }
}
