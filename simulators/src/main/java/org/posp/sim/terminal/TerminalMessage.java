package org.posp.sim.terminal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable terminal message: MTI plus fields 2..64. Binary fields (52, 55, 62, 64) hold bytes,
 * all others strings exactly as the protocol defines them (tracks with '=' as separator). {@link
 * #toString()} masks the PAN and hides tracks, PIN block and field 62 (keys).
 */
public final class TerminalMessage {
  private final String mti;
  private final TreeMap<Integer, Object> fields;

  private TerminalMessage(String mti, TreeMap<Integer, Object> fields) {
    if (mti == null || !mti.matches("\\d{4}")) {
      throw new IllegalArgumentException("MTI must be 4 digits");
    }
    this.mti = mti;
    this.fields = fields;
  }

  public static TerminalMessage of(String mti) {
    return new TerminalMessage(mti, new TreeMap<>());
  }

  public String mti() {
    return mti;
  }

  /** MTI of the reply to this request (request + 10): 0200 -> 0210. */
  public String replyMti() {
    return String.format("%04d", Integer.parseInt(mti) + 10);
  }

  public TerminalMessage withMti(String newMti) {
    return new TerminalMessage(newMti, new TreeMap<>(fields));
  }

  /** Sets a non-binary field; a null value removes it. */
  public TerminalMessage with(int field, String value) {
    checkNumber(field);
    if (FieldFormat.isBinary(field) && value != null) {
      throw new IllegalArgumentException("field " + field + " is binary: use withBytes");
    }
    return copyWith(field, value);
  }

  /** Sets a binary field (52, 55, 62, 64); a null value removes it. */
  public TerminalMessage withBytes(int field, byte[] value) {
    checkNumber(field);
    if (!FieldFormat.isBinary(field) && value != null) {
      throw new IllegalArgumentException("field " + field + " is not binary: use with");
    }
    return copyWith(field, value == null ? null : value.clone());
  }

  public TerminalMessage without(int field) {
    return copyWith(field, null);
  }

  private TerminalMessage copyWith(int field, Object value) {
    TreeMap<Integer, Object> copy = new TreeMap<>(fields);
    if (value == null) {
      copy.remove(field);
    } else {
      copy.put(field, value);
    }
    return new TerminalMessage(mti, copy);
  }

  private static void checkNumber(int field) {
    if (field < 2 || field > 64) {
      throw new IllegalArgumentException("field number " + field + " outside 2..64");
    }
    if (FieldFormat.of(field) == null) {
      throw new IllegalArgumentException("field " + field + " is not part of the terminal format");
    }
  }

  public boolean has(int field) {
    return fields.containsKey(field);
  }

  /** String value of a field (binary fields as upper-case hex), or null when absent. */
  public String get(int field) {
    Object v = fields.get(field);
    if (v == null) {
      return null;
    }
    return v instanceof byte[] b ? Hex.of(b) : (String) v;
  }

  /** Bytes of a field (ASCII bytes for string fields), or null when absent. */
  public byte[] bytes(int field) {
    Object v = fields.get(field);
    if (v == null) {
      return null;
    }
    return v instanceof byte[] b ? b.clone() : ((String) v).getBytes(StandardCharsets.US_ASCII);
  }

  public SortedSet<Integer> fieldNumbers() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(fields.keySet()));
  }

  Map<Integer, Object> rawFields() {
    return Collections.unmodifiableMap(fields);
  }

  /** 60.1 (type code), or null. */
  public String field60Type() {
    String f60 = get(60);
    return f60 == null || f60.length() < 2 ? null : f60.substring(0, 2);
  }

  /** 60.2 (batch), or null. */
  public String field60Batch() {
    String f60 = get(60);
    return f60 == null || f60.length() < 8 ? null : f60.substring(2, 8);
  }

  /** 60.3 (network management code), or null. */
  public String field60Network() {
    String f60 = get(60);
    return f60 == null || f60.length() < 11 ? null : f60.substring(8, 11);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TerminalMessage m)
        || !mti.equals(m.mti)
        || !fields.keySet().equals(m.fields.keySet())) {
      return false;
    }
    for (Map.Entry<Integer, Object> e : fields.entrySet()) {
      Object other = m.fields.get(e.getKey());
      boolean same =
          e.getValue() instanceof byte[] a
              ? other instanceof byte[] b && Arrays.equals(a, b)
              : e.getValue().equals(other);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return mti.hashCode() * 31 + fields.keySet().hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("TerminalMessage[").append(mti);
    for (Map.Entry<Integer, Object> e : fields.entrySet()) {
      sb.append(' ').append(e.getKey()).append('=').append(display(e.getKey(), e.getValue()));
    }
    return sb.append(']').toString();
  }

  private static String display(int field, Object v) {
    return switch (field) {
      case 2 -> Masking.pan((String) v);
      case 35, 36 -> "<track " + Masking.pan(PinBlock.panFor(null, (String) v)) + ">";
      case 52 -> "<pin block>";
      case 55 -> "<icc " + ((byte[]) v).length + " bytes>";
      case 62 -> "<" + ((byte[]) v).length + " bytes>";
      default -> v instanceof byte[] b ? Hex.of(b) : "'" + v + "'";
    };
  }
}
