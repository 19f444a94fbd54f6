package org.posp.sim.terminal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.GenericPackager;

/**
 * Packs and unpacks terminal message bodies (MTI + bitmap + fields) with the simulator's own jPOS
 * {@link GenericPackager} definition {@code packager/terminal-sim.xml}. Thread-safe: jPOS field
 * packagers are stateless and every call uses its own {@link ISOMsg}.
 */
public final class TerminalCodec {
  public static final String PACKAGER_RESOURCE = "/packager/terminal-sim.xml";
  private static final TerminalCodec INSTANCE = new TerminalCodec();

  private final GenericPackager packager;

  private TerminalCodec() {
    try (InputStream in = TerminalCodec.class.getResourceAsStream(PACKAGER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "packager resource " + PACKAGER_RESOURCE + " not on the class path");
      }
      packager = new GenericPackager(in);
    } catch (IOException | ISOException e) {
      throw new IllegalStateException(
          "cannot load " + PACKAGER_RESOURCE + ": " + e.getMessage(), e);
    }
  }

  public static TerminalCodec get() {
    return INSTANCE;
  }

  /**
   * A body that cannot be parsed (or a message that cannot be packed); the message names the cause.
   */
  public static final class FormatException extends RuntimeException {
    public FormatException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Packs a message; fields are validated first so a bad value names its field. */
  public byte[] pack(TerminalMessage message) {
    ISOMsg m = new ISOMsg();
    m.setPackager(packager);
    try {
      m.setMTI(message.mti());
      for (Map.Entry<Integer, Object> e : message.rawFields().entrySet()) {
        int field = e.getKey();
        FieldFormat format = FieldFormat.of(field);
        if (format == null) {
          throw new IllegalArgumentException(
              "field " + field + " is not part of the terminal format");
        }
        String problem = format.check(field, e.getValue());
        if (problem != null) {
          throw new IllegalArgumentException(problem);
        }
        if (e.getValue() instanceof byte[] b) {
          m.set(field, b);
        } else {
          m.set(field, (String) e.getValue());
        }
      }
      return m.pack();
    } catch (ISOException e) {
      throw new FormatException("cannot pack " + message.mti() + ": " + e.getMessage(), e);
    }
  }

  /** Unpacks a body; the whole body must be consumed and bit 1 must not be set. */
  public TerminalMessage unpack(byte[] body) {
    if (body.length < 10) {
      throw new FormatException(
          "body of " + body.length + " bytes is shorter than MTI + bitmap", null);
    }
    if ((body[2] & 0x80) != 0) {
      throw new FormatException("bitmap bit 1 (secondary bitmap) is set", null);
    }
    ISOMsg m = new ISOMsg();
    m.setPackager(packager);
    int consumed;
    try {
      consumed = m.unpack(body);
    } catch (ISOException | RuntimeException e) {
      throw new FormatException("cannot unpack body: " + e.getMessage(), e);
    }
    if (consumed != body.length) {
      throw new FormatException(
          "body has " + (body.length - consumed) + " trailing bytes after field " + m.getMaxField(),
          null);
    }
    try {
      TerminalMessage out = TerminalMessage.of(m.getMTI());
      for (int i = 2; i <= 64; i++) {
        if (!m.hasField(i)) {
          continue;
        }
        out =
            FieldFormat.isBinary(i) ? out.withBytes(i, m.getBytes(i)) : out.with(i, m.getString(i));
      }
      return out;
    } catch (ISOException | IllegalArgumentException e) {
      throw new FormatException("cannot read unpacked fields: " + e.getMessage(), e);
    }
  }
}
