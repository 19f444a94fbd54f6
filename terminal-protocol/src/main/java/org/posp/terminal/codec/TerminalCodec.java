package org.posp.terminal.codec;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.jpos.iso.ISOBinaryField;
import org.jpos.iso.ISOComponent;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOField;
import org.posp.terminal.codec.FieldTable.FieldDef;
import org.posp.terminal.codec.FieldTable.Kind;

/**
 * Packs and unpacks the terminal body (MTI, bitmap, fields; no LEN, TPDU or header) with the
 * packager table {@code packager/cup-pos.xml} (docs/protocol/terminal.md §3).
 *
 * <p>The field packagers come from jPOS; this class walks them itself so that every error names the
 * field and the byte offset, and adds the checks jPOS leaves out: BCD nibbles and length prefixes
 * must be valid, pad nibbles must be 0, lengths must not exceed the table, bit 1 must not be set
 * and nothing may follow the last field. The outcome is that a body that unpacks also packs back to
 * the same bytes. Stateless and thread-safe: the table is shared and never changed.
 */
public final class TerminalCodec {
  private static final int MTI_BYTES = 2;
  private static final int BITMAP_BYTES = 8;

  private TerminalCodec() {}

  /**
   * Decodes a body (from the MTI to the end).
   *
   * @throws TerminalFormatException naming the field and byte offset of the first problem
   */
  public static TerminalMessage unpack(byte[] body) throws TerminalFormatException {
    FieldTable table = FieldTable.get();
    if (body.length < MTI_BYTES) {
      throw new TerminalFormatException(
          0, 0, "truncated: the MTI needs 2 bytes, only " + body.length + " present");
    }
    checkNibbles(table.field(0), body, 0, MTI_BYTES);
    String mti = (String) unpackValue(table.field(0), body, 0).value;
    TerminalMessage.Builder message = TerminalMessage.builder(mti);

    int offset = MTI_BYTES;
    if (body.length < offset + BITMAP_BYTES) {
      throw new TerminalFormatException(
          1,
          offset,
          "truncated: the bitmap needs 8 bytes, only " + (body.length - offset) + " present");
    }
    if ((body[offset] & 0x80) != 0) {
      throw new TerminalFormatException(
          1,
          offset,
          "bit 1 (secondary bitmap) is set; terminal messages use the primary bitmap only");
    }
    byte[] bitmap = Arrays.copyOfRange(body, offset, offset + BITMAP_BYTES);
    offset += BITMAP_BYTES;

    int last = 1;
    for (int f = 2; f <= FieldTable.MAX_FIELD; f++) {
      if (!isSet(bitmap, f)) {
        continue;
      }
      FieldDef def = table.field(f);
      if (def == null) {
        // the offset is the bitmap byte that announces the field
        throw new TerminalFormatException(
            f, MTI_BYTES + (f - 1) / 8, "not part of the terminal protocol but set in the bitmap");
      }
      Decoded d = decodeField(def, body, offset);
      if (d.value instanceof byte[] bytes) {
        message.setBytes(f, bytes);
      } else {
        message.set(f, (String) d.value);
      }
      offset += d.consumed;
      last = f;
    }
    if (offset != body.length) {
      throw new TerminalFormatException(
          last, offset, (body.length - offset) + " trailing byte(s) after the last field");
    }
    return message.build();
  }

  /**
   * Encodes a message to its body. Field 64, when present, is packed as given (see {@link Macs}).
   *
   * @throws TerminalFormatException naming the field whose value does not fit the table
   */
  public static byte[] pack(TerminalMessage m) throws TerminalFormatException {
    FieldTable table = FieldTable.get();
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(packValue(table.field(0), m.mti()));
    byte[] bitmap = new byte[BITMAP_BYTES];
    for (int f : m.fields()) {
      bitmap[(f - 1) / 8] |= (byte) (0x80 >>> ((f - 1) % 8));
    }
    out.writeBytes(bitmap);
    for (int f : m.fields()) {
      FieldDef def = table.field(f);
      if (def == null) {
        throw new TerminalFormatException(f, "not part of the terminal protocol");
      }
      Object value = m.isBinary(f) ? m.getBytes(f) : m.get(f);
      out.writeBytes(packValue(def, value));
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------------------------- unpacking

  private record Decoded(Object value, int consumed) {}

  private static boolean isSet(byte[] bitmap, int f) {
    return (bitmap[(f - 1) / 8] & (0x80 >>> ((f - 1) % 8))) != 0;
  }

  private static Decoded decodeField(FieldDef def, byte[] body, int start)
      throws TerminalFormatException {
    int f = def.number();
    int remaining = body.length - start;
    int units;
    if (def.fixed()) {
      units = def.length();
    } else {
      if (remaining < def.prefixBytes()) {
        throw new TerminalFormatException(
            f,
            start,
            "truncated: the length prefix needs "
                + def.prefixBytes()
                + " byte(s), only "
                + remaining
                + " present");
      }
      units = 0;
      for (int i = 0; i < def.prefixBytes(); i++) {
        int b = body[start + i] & 0xFF;
        if ((b >>> 4) > 9 || (b & 0x0F) > 9) {
          throw new TerminalFormatException(
              f, start + i, String.format("length prefix byte %02X is not BCD", b));
        }
        units = units * 100 + (b >>> 4) * 10 + (b & 0x0F);
      }
      if (units > def.length()) {
        throw new TerminalFormatException(
            f,
            start,
            "length " + units + " exceeds the maximum " + def.length() + " of " + describe(def));
      }
    }
    int dataStart = start + def.prefixBytes();
    int dataBytes = def.dataBytes(units);
    int needed = def.prefixBytes() + dataBytes;
    if (needed > remaining) {
      throw new TerminalFormatException(
          f,
          start,
          "truncated: "
              + describe(def)
              + " needs "
              + needed
              + " byte(s), only "
              + remaining
              + " present");
    }
    if (def.kind().bcd()) {
      checkNibbles(def, body, dataStart, dataBytes);
    }
    Decoded d = unpackValue(def, body, start);
    if (d.consumed != needed) { // the table and jPOS disagree: a bug here, not in the message
      throw new IllegalStateException(
          "field " + f + ": jPOS consumed " + d.consumed + " bytes, expected " + needed);
    }
    if (def.kind().bcd()) {
      checkCanonical(def, body, start, d);
    }
    return d;
  }

  /** Each nibble must be a digit, or D ('=') in a track; the pad nibble is checked afterwards. */
  private static void checkNibbles(FieldDef def, byte[] body, int from, int count)
      throws TerminalFormatException {
    for (int i = from; i < from + count; i++) {
      int b = body[i] & 0xFF;
      for (int nibble : new int[] {b >>> 4, b & 0x0F}) {
        if (nibble > 9 && !(def.kind() == Kind.TRACK && nibble == 0x0D)) {
          throw new TerminalFormatException(
              def.number(),
              i,
              String.format(
                  "nibble %X in byte %02X is not a %s",
                  nibble, b, def.kind() == Kind.TRACK ? "track digit or '=' (D)" : "BCD digit"));
        }
      }
    }
  }

  /**
   * Packing the decoded value again must give the same bytes; after the prefix and nibble checks
   * the only way it cannot is a pad nibble other than 0 (jPOS ignores pad nibbles on unpack).
   */
  private static void checkCanonical(FieldDef def, byte[] body, int start, Decoded d)
      throws TerminalFormatException {
    byte[] again;
    try {
      again = def.packager().pack(component(def.number(), d.value));
    } catch (ISOException e) {
      throw new IllegalStateException(
          "field " + def.number() + ": cannot re-pack an unpacked value", e);
    }
    int i = 0;
    while (i < d.consumed && i < again.length && again[i] == body[start + i]) {
      i++;
    }
    if (i < d.consumed || again.length != d.consumed) {
      int at = Math.min(i, d.consumed - 1);
      throw new TerminalFormatException(
          def.number(),
          start + at,
          String.format("pad nibble must be 0 (byte %02X)", body[start + at] & 0xFF));
    }
  }

  private static Decoded unpackValue(FieldDef def, byte[] body, int start)
      throws TerminalFormatException {
    ISOComponent c =
        def.kind() == Kind.BINARY ? new ISOBinaryField(def.number()) : new ISOField(def.number());
    try {
      int consumed = def.packager().unpack(c, body, start);
      return new Decoded(c.getValue(), consumed);
    } catch (ISOException | RuntimeException e) {
      // Bounds were checked before, so this is not expected; still report where it happened.
      throw new TerminalFormatException(def.number(), start, "cannot decode " + describe(def));
    }
  }

  // ------------------------------------------------------------------------------------ packing

  private static byte[] packValue(FieldDef def, Object value) throws TerminalFormatException {
    int f = def.number();
    if (def.kind() == Kind.BINARY) {
      if (!(value instanceof byte[] bytes)) {
        throw new TerminalFormatException(
            f, "binary field (" + describe(def) + "): set it with setBytes");
      }
      checkLength(def, bytes.length, "bytes");
    } else {
      if (!(value instanceof String s)) {
        throw new TerminalFormatException(
            f, "not a binary field (" + describe(def) + "): set it with set");
      }
      checkContent(def, s);
      checkLength(def, s.length(), def.kind() == Kind.TEXT ? "characters" : "digits");
    }
    try {
      return def.packager().pack(component(f, value));
    } catch (ISOException e) {
      throw new TerminalFormatException(f, "cannot pack " + describe(def));
    }
  }

  private static void checkContent(FieldDef def, String s) throws TerminalFormatException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          switch (def.kind()) {
            case NUMERIC -> c >= '0' && c <= '9';
            case TRACK -> c >= '0' && c <= '9' || c == '=';
            case TEXT -> c <= 0xFF; // one byte per character (ISO-8859-1), as jPOS writes it
            case BINARY -> false;
          };
      if (!ok) {
        String expected =
            switch (def.kind()) {
              case NUMERIC -> "a digit";
              case TRACK -> "a digit or '='";
              default -> "a single-byte character";
            };
        throw new TerminalFormatException(
            def.number(),
            "character at position "
                + (i + 1)
                + " is not "
                + expected
                + " ("
                + describe(def)
                + ")");
      }
    }
  }

  private static void checkLength(FieldDef def, int length, String unit)
      throws TerminalFormatException {
    boolean exact = def.fixed() && def.kind() == Kind.BINARY; // n and an fixed fields are padded
    if (length > def.length() || exact && length != def.length()) {
      throw new TerminalFormatException(
          def.number(),
          "value has "
              + length
              + " "
              + unit
              + ", "
              + (exact ? "must be exactly " : "maximum ")
              + def.length()
              + " ("
              + describe(def)
              + ")");
    }
  }

  private static ISOComponent component(int f, Object value) {
    return value instanceof byte[] b ? new ISOBinaryField(f, b) : new ISOField(f, (String) value);
  }

  private static String describe(FieldDef def) {
    String type =
        switch (def.kind()) {
          case NUMERIC -> "n";
          case TRACK -> "z";
          case TEXT -> "ans";
          case BINARY -> "b";
        };
    String prefix =
        switch (def.prefixBytes()) {
          case 0 -> "";
          case 1 -> "LL ";
          default -> "LLL ";
        };
    return prefix + type + (def.fixed() ? "" : "..") + def.length();
  }
}
