package org.posp.terminal.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.jpos.iso.IFB_BINARY;
import org.jpos.iso.IFB_BITMAP;
import org.jpos.iso.IFB_LLBINARY;
import org.jpos.iso.IFB_LLCHAR;
import org.jpos.iso.IFB_LLLBINARY;
import org.jpos.iso.IFB_LLLCHAR;
import org.jpos.iso.IFB_LLLNUM;
import org.jpos.iso.IFB_LLNUM;
import org.jpos.iso.IFB_NUMERIC;
import org.jpos.iso.IF_CHAR;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOFieldPackager;
import org.jpos.iso.packager.GenericPackager;

/**
 * The packager table {@code packager/cup-pos.xml}, loaded once, with what the codec needs to know
 * about each field's wire shape to check it strictly (jPOS itself accepts bad nibbles, bad pad
 * nibbles and over-long values on unpack).
 *
 * <p>The wire shape is derived from the jPOS class of each line, never written a second time: an
 * unknown class in the table fails loading, so the table cannot hold a field the codec does not
 * check.
 */
final class FieldTable {
  static final String RESOURCE = "/packager/cup-pos.xml";
  static final int MAX_FIELD = 64;

  /** How the value of a field is written. */
  enum Kind {
    /** n: BCD digits 0-9. */
    NUMERIC,
    /** z: BCD digits and '=' as nibble D (tracks). */
    TRACK,
    /** an / ans: ASCII (ISO-8859-1) bytes. */
    TEXT,
    /** b: raw bytes. */
    BINARY;

    boolean bcd() {
      return this == NUMERIC || this == TRACK;
    }
  }

  /**
   * One line of the table.
   *
   * @param length fixed length, or maximum length of a variable field (digits for BCD kinds, bytes
   *     otherwise)
   * @param prefixBytes 0 for fixed fields, 1 for LL, 2 for LLL (BCD prefixes)
   */
  record FieldDef(
      int number,
      String description,
      Kind kind,
      int length,
      int prefixBytes,
      ISOFieldPackager packager) {
    boolean fixed() {
      return prefixBytes == 0;
    }

    /** Bytes the value takes on the wire for a length of {@code units} digits or bytes. */
    int dataBytes(int units) {
      return kind.bcd() ? (units + 1) / 2 : units;
    }
  }

  private static final FieldTable INSTANCE = load();

  private final FieldDef[] fields;

  private FieldTable(FieldDef[] fields) {
    this.fields = fields;
  }

  static FieldTable get() {
    return INSTANCE;
  }

  /**
   * The definition of field {@code number} (0 = MTI, 2..64), or null when the protocol has none.
   */
  FieldDef field(int number) {
    return number >= 0 && number <= MAX_FIELD ? fields[number] : null;
  }

  private static FieldTable load() {
    GenericPackager packager;
    try (InputStream in = FieldTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("packager table " + RESOURCE + " not on the class path");
      }
      packager = new GenericPackager(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    } catch (ISOException e) {
      throw new IllegalStateException("invalid packager table " + RESOURCE, e);
    }
    ISOFieldPackager bitmap = packager.getFieldPackager(1);
    if (!(bitmap instanceof IFB_BITMAP) || bitmap.getLength() != 8) {
      throw new IllegalStateException(RESOURCE + ": field 1 must be an 8-byte IFB_BITMAP");
    }
    FieldDef[] defs = new FieldDef[MAX_FIELD + 1];
    for (int f = 0; f <= MAX_FIELD; f++) {
      if (f == 1) {
        continue;
      }
      ISOFieldPackager p = packager.getFieldPackager(f);
      if (p != null) {
        defs[f] = define(f, p);
      }
    }
    if (defs[0] == null
        || defs[0].kind() != Kind.NUMERIC
        || defs[0].length() != 4
        || !defs[0].fixed()) {
      throw new IllegalStateException(RESOURCE + ": field 0 must be an n4 IFB_NUMERIC MTI");
    }
    return new FieldTable(defs);
  }

  // Order matters: IFB_LLZ extends IFB_LLNUM and IFB_LLLZ extends IFB_LLLNUM.
  private static FieldDef define(int f, ISOFieldPackager p) {
    Kind kind;
    int prefix;
    if (p instanceof IFB_LLZ) {
      kind = Kind.TRACK;
      prefix = 1;
    } else if (p instanceof IFB_LLLZ) {
      kind = Kind.TRACK;
      prefix = 2;
    } else if (p instanceof IFB_NUMERIC) {
      kind = Kind.NUMERIC;
      prefix = 0;
    } else if (p instanceof IFB_LLNUM) {
      kind = Kind.NUMERIC;
      prefix = 1;
    } else if (p instanceof IFB_LLLNUM) {
      kind = Kind.NUMERIC;
      prefix = 2;
    } else if (p instanceof IF_CHAR) {
      kind = Kind.TEXT;
      prefix = 0;
    } else if (p instanceof IFB_LLCHAR) {
      kind = Kind.TEXT;
      prefix = 1;
    } else if (p instanceof IFB_LLLCHAR) {
      kind = Kind.TEXT;
      prefix = 2;
    } else if (p instanceof IFB_BINARY) {
      kind = Kind.BINARY;
      prefix = 0;
    } else if (p instanceof IFB_LLBINARY) {
      kind = Kind.BINARY;
      prefix = 1;
    } else if (p instanceof IFB_LLLBINARY) {
      kind = Kind.BINARY;
      prefix = 2;
    } else {
      throw new IllegalStateException(
          RESOURCE
              + ": field "
              + f
              + " uses "
              + p.getClass().getName()
              + ", which the terminal codec does not check");
    }
    int max = prefix == 1 ? 99 : 999;
    if (prefix > 0 && p.getLength() > max) {
      throw new IllegalStateException(
          RESOURCE
              + ": field "
              + f
              + " length "
              + p.getLength()
              + " does not fit its "
              + (prefix == 1 ? "LL" : "LLL")
              + " prefix");
    }
    return new FieldDef(f, p.getDescription(), kind, p.getLength(), prefix, p);
  }
}
