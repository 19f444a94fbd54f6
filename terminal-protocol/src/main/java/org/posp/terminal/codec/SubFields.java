package org.posp.terminal.codec;

/** Shared checks for the fixed-position sub-fields of 48, 60 and 61. */
final class SubFields {
  private SubFields() {}

  static boolean digits(String s) {
    return s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** Checks a sub-field value given by a caller; null allowed when {@code optional}. */
  static void require(String name, String value, int length, boolean optional) {
    if (value == null) {
      if (!optional) {
        throw new IllegalArgumentException(name + " is required");
      }
      return;
    }
    if (value.length() != length || !digits(value)) {
      throw new IllegalArgumentException(
          name + " must be " + length + " digit(s), was \"" + value + "\"");
    }
  }

  /** A sub-field is present only when all those before it are. */
  static void requireNoGap(String field, String... parts) {
    boolean absentSeen = false;
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] == null) {
        absentSeen = true;
      } else if (absentSeen) {
        throw new IllegalArgumentException(
            field
                + "."
                + (i + 1)
                + " is present but an earlier sub-field is not (only trailing parts may be omitted)");
      }
    }
  }

  /** Checks that a whole field value is digits; the message never repeats the value. */
  static void requireDigits(int field, String value) throws TerminalFormatException {
    if (value == null) {
      throw new TerminalFormatException(field, "missing");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new TerminalFormatException(
            field, "character at position " + (i + 1) + " is not a digit");
      }
    }
  }

  /** Splits {@code value} at the given sub-field lengths; parts beyond its end are null. */
  static String[] split(int field, String value, int[] lengths, int mandatory)
      throws TerminalFormatException {
    requireDigits(field, value);
    String[] parts = new String[lengths.length];
    int pos = 0;
    int count = 0;
    while (count < lengths.length && pos + lengths[count] <= value.length()) {
      parts[count] = value.substring(pos, pos + lengths[count]);
      pos += lengths[count];
      count++;
    }
    if (pos == value.length() && count >= mandatory) {
      return parts;
    }
    StringBuilder boundaries = new StringBuilder();
    int end = 0;
    for (int i = 0; i < lengths.length; i++) {
      end += lengths[i];
      if (i + 1 >= mandatory) {
        boundaries.append(boundaries.length() == 0 ? "" : ", ").append(end);
      }
    }
    throw new TerminalFormatException(
        field,
        value.length() + " digit(s) do not end on a sub-field boundary (" + boundaries + ")");
  }
}
