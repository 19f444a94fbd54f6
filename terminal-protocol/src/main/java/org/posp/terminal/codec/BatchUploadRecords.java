package org.posp.terminal.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Field 48 of a magstripe batch upload (批上送, 0320 with 60.3 = 201): {@code count n2}, then per
 * record {@code cardType n2 | STAN n6 | PAN n20 (right-aligned, zero-filled) | amount n12}
 * (docs/protocol/terminal.md §6.5). Eight records fill the 322 digits of field 48.
 *
 * <p>The messages that end an upload (202 after "not balanced", 207 after "balanced") carry instead
 * the total number of uploaded records as {@code n4}: {@link #parseTotalCount} / {@link
 * #formatTotalCount}.
 */
public record BatchUploadRecords(List<Entry> entries) {
  public static final int FIELD = 48;

  /** Records that fit in one message (2 + 8 × 40 = 322 digits). */
  public static final int MAX_ENTRIES = 8;

  private static final int ENTRY_DIGITS = 40;

  public BatchUploadRecords {
    entries = List.copyOf(entries);
    if (entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "at most " + MAX_ENTRIES + " records per message, was " + entries.size());
    }
  }

  /**
   * One uploaded transaction.
   *
   * @param cardType {@code 00} domestic card, {@code 01} foreign card (n2)
   * @param stan the transaction's STAN, field 11 (n6)
   * @param pan card number without the zero fill, up to 20 digits; empty when none
   * @param amount amount in fen (n12)
   */
  public record Entry(String cardType, String stan, String pan, long amount) {
    public Entry {
      SubFields.require("card type", cardType, 2, false);
      SubFields.require("STAN", stan, 6, false);
      Objects.requireNonNull(pan, "pan");
      if (pan.length() > 20 || !SubFields.digits(pan)) {
        // never echo the value: it is a card number
        throw new IllegalArgumentException(
            "PAN must be up to 20 digits (" + pan.length() + " characters given)");
      }
      pan = stripZeros(pan);
      if (amount < 0 || amount > 999_999_999_999L) {
        throw new IllegalArgumentException("amount must be 0..999999999999, was " + amount);
      }
    }

    String format() {
      return cardType + stan + "0".repeat(20 - pan.length()) + pan + String.format("%012d", amount);
    }

    /** The PAN masked; the rest in clear. */
    @Override
    public String toString() {
      return "Entry[cardType="
          + cardType
          + ", stan="
          + stan
          + ", pan="
          + Masking.pan(pan)
          + ", amount="
          + amount
          + "]";
    }

    private static String stripZeros(String pan) {
      int i = 0;
      while (i < pan.length() && pan.charAt(i) == '0') {
        i++;
      }
      return pan.substring(i);
    }
  }

  /** Parses the digits of field 48: count, then exactly that many 40-digit records. */
  public static BatchUploadRecords parse(String digits) throws TerminalFormatException {
    SubFields.requireDigits(FIELD, digits);
    if (digits.length() < 2) {
      throw new TerminalFormatException(FIELD, "batch upload records need a 2-digit count");
    }
    int count = Integer.parseInt(digits.substring(0, 2));
    if (count > MAX_ENTRIES) {
      throw new TerminalFormatException(
          FIELD, "count " + count + " exceeds " + MAX_ENTRIES + " records");
    }
    if (digits.length() != 2 + count * ENTRY_DIGITS) {
      throw new TerminalFormatException(
          FIELD,
          "count "
              + count
              + " needs "
              + (2 + count * ENTRY_DIGITS)
              + " digits, field has "
              + digits.length());
    }
    List<Entry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int at = 2 + i * ENTRY_DIGITS;
      entries.add(
          new Entry(
              digits.substring(at, at + 2),
              digits.substring(at + 2, at + 8),
              digits.substring(at + 8, at + 28),
              Long.parseLong(digits.substring(at + 28, at + 40))));
    }
    return new BatchUploadRecords(entries);
  }

  /** Field 48 of a message. @throws TerminalFormatException if it is missing or malformed */
  public static BatchUploadRecords from(TerminalMessage m) throws TerminalFormatException {
    return parse(m.get(FIELD));
  }

  /** The digits for field 48. */
  public String format() {
    StringBuilder b = new StringBuilder(2 + entries.size() * ENTRY_DIGITS);
    b.append(String.format("%02d", entries.size()));
    entries.forEach(e -> b.append(e.format()));
    return b.toString();
  }

  /** The total count (n4) of the message that ends a batch upload (60.3 = 202 or 207). */
  public static int parseTotalCount(String digits) throws TerminalFormatException {
    SubFields.requireDigits(FIELD, digits);
    if (digits.length() != 4) {
      throw new TerminalFormatException(
          FIELD, "total count must be 4 digits, was " + digits.length());
    }
    return Integer.parseInt(digits);
  }

  public static String formatTotalCount(int totalCount) {
    if (totalCount < 0 || totalCount > 9999) {
      throw new IllegalArgumentException("total count must be 0..9999, was " + totalCount);
    }
    return String.format("%04d", totalCount);
  }
}
