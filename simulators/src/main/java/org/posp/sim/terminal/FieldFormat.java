package org.posp.sim.terminal;

import java.util.Map;

/**
 * Field formats of docs/protocol/terminal.md §3, used to validate a message before packing so that
 * a bad value fails with a message naming the field instead of producing wrong bytes.
 */
public record FieldFormat(Kind kind, int maxLength, boolean variable) {

  /** n = BCD digits, z = track digits with '=', ans = ASCII, b = raw bytes. */
  public enum Kind {
    N,
    Z,
    ANS,
    B
  }

  private static final Map<Integer, FieldFormat> FIELDS =
      Map.ofEntries(
          Map.entry(2, var(Kind.N, 19)),
          Map.entry(3, fixed(Kind.N, 6)),
          Map.entry(4, fixed(Kind.N, 12)),
          Map.entry(11, fixed(Kind.N, 6)),
          Map.entry(12, fixed(Kind.N, 6)),
          Map.entry(13, fixed(Kind.N, 4)),
          Map.entry(14, fixed(Kind.N, 4)),
          Map.entry(15, fixed(Kind.N, 4)),
          Map.entry(22, fixed(Kind.N, 3)),
          Map.entry(23, fixed(Kind.N, 3)),
          Map.entry(25, fixed(Kind.N, 2)),
          Map.entry(26, fixed(Kind.N, 2)),
          Map.entry(32, var(Kind.N, 11)),
          Map.entry(35, var(Kind.Z, 37)),
          Map.entry(36, var(Kind.Z, 104)),
          Map.entry(37, fixed(Kind.ANS, 12)),
          Map.entry(38, fixed(Kind.ANS, 6)),
          Map.entry(39, fixed(Kind.ANS, 2)),
          Map.entry(41, fixed(Kind.ANS, 8)),
          Map.entry(42, fixed(Kind.ANS, 15)),
          Map.entry(44, var(Kind.ANS, 25)),
          Map.entry(48, var(Kind.N, 322)),
          Map.entry(49, fixed(Kind.ANS, 3)),
          Map.entry(52, fixed(Kind.B, 8)),
          Map.entry(53, fixed(Kind.N, 16)),
          Map.entry(54, var(Kind.ANS, 20)),
          Map.entry(55, var(Kind.B, 255)),
          Map.entry(60, var(Kind.N, 19)),
          Map.entry(61, var(Kind.N, 29)),
          Map.entry(62, var(Kind.B, 512)),
          Map.entry(63, var(Kind.ANS, 163)),
          Map.entry(64, fixed(Kind.B, 8)));

  private static FieldFormat fixed(Kind k, int len) {
    return new FieldFormat(k, len, false);
  }

  private static FieldFormat var(Kind k, int max) {
    return new FieldFormat(k, max, true);
  }

  /** The format of a field, or null when the terminal format does not define it. */
  public static FieldFormat of(int field) {
    return FIELDS.get(field);
  }

  public static boolean isBinary(int field) {
    FieldFormat f = FIELDS.get(field);
    return f != null && f.kind == Kind.B;
  }

  /** Returns null when the value fits, else a reason naming the field (never the value). */
  String check(int field, Object value) {
    if (kind == Kind.B) {
      if (!(value instanceof byte[] b)) {
        return "field " + field + " is binary: set it as bytes";
      }
      return lengthProblem(field, b.length, "bytes");
    }
    if (!(value instanceof String s)) {
      return "field " + field + " is not binary: set it as a string";
    }
    String bad =
        switch (kind) {
          case N -> s.chars().allMatch(c -> c >= '0' && c <= '9') ? null : "digits only";
          case Z ->
              s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '=')
                  ? null
                  : "digits and '=' only";
          case ANS ->
              s.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? null : "printable ASCII only";
          case B -> null;
        };
    if (bad != null) {
      return "field " + field + " must hold " + bad;
    }
    return lengthProblem(field, s.length(), kind == Kind.ANS ? "characters" : "digits");
  }

  private String lengthProblem(int field, int len, String unit) {
    if (variable ? len > maxLength : (kind == Kind.ANS ? len > maxLength : len != maxLength)) {
      return "field "
          + field
          + " has "
          + len
          + " "
          + unit
          + ", "
          + (variable ? "at most " : kind == Kind.ANS ? "at most " : "exactly ")
          + maxLength
          + " allowed";
    }
    return null;
  }
}
