package org.posp.terminal.codec;

import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One terminal ISO 8583 message (POS 报文) as values: the MTI and field number → value.
 *
 * <p>Values are what the field means, not its wire form: digits for n fields (field 22 as {@code
 * "021"}), digits with {@code '='} for z tracks, text for an/ans fields (fixed ones as they travel,
 * i.e. with their space padding after an unpack), raw bytes for b fields (52, 55, 62, 64). {@link
 * TerminalCodec} checks values against the packager table when packing; this class only holds them.
 * Immutable and safe to share; {@link #toString()} is safe to log.
 */
public final class TerminalMessage {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private final String mti;

  /** String for n / z / an / ans fields, byte[] (never handed out) for b fields. */
  private final TreeMap<Integer, Object> values;

  private TerminalMessage(String mti, TreeMap<Integer, Object> values) {
    this.mti = mti;
    this.values = values;
  }

  /** A new message with this MTI (4 digits, e.g. {@code "0200"}). */
  public static Builder builder(String mti) {
    return new Builder(mti);
  }

  public String mti() {
    return mti;
  }

  public boolean has(int field) {
    return values.containsKey(field);
  }

  /**
   * The value of a field, or {@code null} when absent. For a b field (set with {@link
   * Builder#setBytes}) this is its bytes as uppercase hex, e.g. 52 = {@code "ACF46E73838A82F9"};
   * use {@link #getBytes} for the bytes themselves.
   */
  public String get(int field) {
    Object v = values.get(field);
    if (v == null) {
      return null;
    }
    return v instanceof byte[] b ? HEX.formatHex(b) : (String) v;
  }

  /**
   * The raw bytes of a b field (52, 55, 62, 64), a copy, or {@code null} when absent.
   *
   * @throws IllegalArgumentException if the field holds text (use {@link #get})
   */
  public byte[] getBytes(int field) {
    Object v = values.get(field);
    if (v == null) {
      return null;
    }
    if (v instanceof byte[] b) {
      return b.clone();
    }
    throw new IllegalArgumentException(
        "field " + field + " holds text, not bytes: use get(" + field + ")");
  }

  /** True when the field was set with {@link Builder#setBytes} (b fields). */
  public boolean isBinary(int field) {
    return values.get(field) instanceof byte[];
  }

  /** The numbers of the fields present (2..64), ascending; a copy. */
  public SortedSet<Integer> fields() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(values.keySet()));
  }

  public Builder toBuilder() {
    Builder b = new Builder(mti);
    b.values.putAll(values); // byte[] values are never mutated, sharing them is safe
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TerminalMessage other)
        || !mti.equals(other.mti)
        || !values.keySet().equals(other.values.keySet())) {
      return false;
    }
    for (Map.Entry<Integer, Object> e : values.entrySet()) {
      Object a = e.getValue();
      Object b = other.values.get(e.getKey());
      boolean same =
          a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : a.equals(b);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = mti.hashCode();
    for (Map.Entry<Integer, Object> e : values.entrySet()) {
      Object v = e.getValue();
      h = 31 * h + e.getKey();
      h = 31 * h + (v instanceof byte[] b ? Arrays.hashCode(b) : v.hashCode());
    }
    return h;
  }

  /**
   * The MTI and fields, with card data hidden: PAN (2) masked ({@link Masking#pan}); tracks (35,
   * 36), PIN block (52), ICC data (55) and field 62 (keys, payment codes) shown only as a length;
   * field 48 of batch upload (03xx, it carries PANs) shown only as a length too.
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("TerminalMessage[").append(mti);
    for (Map.Entry<Integer, Object> e : values.entrySet()) {
      int f = e.getKey();
      Object v = e.getValue();
      s.append(", ").append(f).append('=');
      if (f == 2 && v instanceof String pan) {
        s.append(Masking.pan(pan));
      } else if (hiddenInLogs(f)) {
        s.append('[')
            .append(v instanceof byte[] b ? b.length + " bytes" : ((String) v).length() + " chars")
            .append(']');
      } else if (v instanceof byte[] b) {
        s.append(HEX.formatHex(b));
      } else {
        s.append('"').append(v).append('"');
      }
    }
    return s.append(']').toString();
  }

  private boolean hiddenInLogs(int f) {
    return f == 2
        || f == 35
        || f == 36
        || f == 52
        || f == 55
        || f == 62
        || (f == 48 && mti.startsWith("03"));
  }

  /** Builds a {@link TerminalMessage}; not thread-safe. */
  public static final class Builder {
    private String mti;
    private final TreeMap<Integer, Object> values = new TreeMap<>();

    private Builder(String mti) {
      mti(mti);
    }

    /** Replaces the MTI, e.g. to turn a copied request into its reply. */
    public Builder mti(String mti) {
      Objects.requireNonNull(mti, "mti");
      if (mti.length() != 4 || !mti.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("MTI must be 4 digits, was \"" + mti + "\"");
      }
      this.mti = mti;
      return this;
    }

    /** Sets an n, z, an or ans field (2..64). Content is checked by {@link TerminalCodec#pack}. */
    public Builder set(int field, String value) {
      checkField(field);
      values.put(field, Objects.requireNonNull(value, () -> "value of field " + field));
      return this;
    }

    /** Sets a b field (52, 55, 62, 64) to a copy of these bytes. */
    public Builder setBytes(int field, byte[] value) {
      checkField(field);
      values.put(field, Objects.requireNonNull(value, () -> "value of field " + field).clone());
      return this;
    }

    public Builder remove(int field) {
      values.remove(field);
      return this;
    }

    public TerminalMessage build() {
      return new TerminalMessage(mti, new TreeMap<>(values));
    }

    private static void checkField(int field) {
      if (field < 2 || field > FieldTable.MAX_FIELD) {
        throw new IllegalArgumentException(
            "field number must be 2..64 (0 is the MTI, 1 the bitmap), was " + field);
      }
    }
  }
}
