package org.posp.terminal.codec;

/**
 * A terminal message, frame or sub-field that does not follow docs/protocol/terminal.md; the switch
 * answers such a request with {@code 39 = 30} (格式错误) when it can build a reply at all.
 *
 * <p>The message names the field and, when unpacking, the byte offset into the body (from the MTI)
 * where decoding failed, e.g. {@code "field 35 at offset 27: nibble E is not a track digit"}. It
 * never contains field content, so it is safe to log.
 */
public final class TerminalFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  /** {@link #field()} when the problem is not in one field (framing, TPDU). */
  public static final int NO_FIELD = -1;

  /** {@link #offset()} when the problem has no byte position (packing, sub-field values). */
  public static final int NO_OFFSET = -1;

  private final int field;
  private final int offset;
  private final String reason;

  public TerminalFormatException(int field, int offset, String reason) {
    super(describe(field, offset, reason));
    this.field = field;
    this.offset = offset;
    this.reason = reason;
  }

  /** A problem in one field, without a byte position (packing, sub-field parsing). */
  public TerminalFormatException(int field, String reason) {
    this(field, NO_OFFSET, reason);
  }

  /** The field number (0 = MTI, 1 = bitmap), or {@link #NO_FIELD}. */
  public int field() {
    return field;
  }

  /** Byte offset into the unpacked bytes where decoding failed, or {@link #NO_OFFSET}. */
  public int offset() {
    return offset;
  }

  /** The message without the "field N at offset M: " prefix. */
  public String reason() {
    return reason;
  }

  private static String describe(int field, int offset, String reason) {
    StringBuilder b = new StringBuilder();
    if (field != NO_FIELD) {
      b.append("field ").append(field);
    }
    if (offset != NO_OFFSET) {
      b.append(b.length() == 0 ? "offset " : " at offset ").append(offset);
    }
    return b.length() == 0 ? reason : b.append(": ").append(reason).toString();
  }
}
