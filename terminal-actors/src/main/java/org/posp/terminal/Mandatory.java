package org.posp.terminal;

import java.util.Map;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * Mandatory request fields per transaction type (docs/protocol/terminal.md §5; the card itself — 2
 * or 35 — is checked separately). A missing field, or a currency other than 156, is answered with
 * 30.
 */
final class Mandatory {
  private static final Map<TransactionType, int[]> FIELDS =
      Map.of(
          TransactionType.BALANCE, new int[] {3, 11, 22, 25, 41, 42, 49, 60, 64},
          TransactionType.SALE, new int[] {3, 4, 11, 22, 25, 41, 42, 49, 60, 64},
          TransactionType.SALE_VOID, new int[] {3, 4, 11, 22, 25, 37, 41, 42, 49, 60, 61, 64},
          TransactionType.REFUND, new int[] {3, 4, 11, 22, 25, 37, 41, 42, 49, 60, 61, 64},
          TransactionType.REVERSAL, new int[] {3, 4, 11, 22, 25, 41, 42, 49, 60, 64},
          TransactionType.SETTLEMENT, new int[] {11, 41, 42, 48, 49, 60},
          TransactionType.BATCH_UPLOAD, new int[] {11, 41, 42, 48, 60});

  private Mandatory() {}

  /** The first missing or malformed field as "field N", or null when the request is complete. */
  static String missing(TransactionType type, TerminalMessage m) {
    int[] fields = FIELDS.get(type);
    if (fields == null) return null;
    for (int f : fields) {
      if (!m.has(f)) return "field " + f;
    }
    if (m.has(49) && !"156".equals(m.get(49))) return "field 49 (currency must be 156)";
    return null;
  }
}
