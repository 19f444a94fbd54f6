package org.posp.sim.cardbus;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.GenericPackager;

/**
 * jPOS CMF wire format of the card bus (docs/protocol/card-bus.md §1): the {@code packager/cmf.xml}
 * generic packager from the jPOS jar, framed by a 2-byte binary big-endian length.
 */
public final class CmfCodec {

  /** Classpath resource of jPOS's CMF packager definition (inside the jPOS jar). */
  public static final String CMF_PACKAGER_RESOURCE = "/packager/cmf.xml";

  /** The 2-byte length prefix cannot count more. */
  public static final int MAX_FRAME = 0xFFFF;

  private static final GenericPackager PACKAGER = load();

  private CmfCodec() {}

  /**
   * The shared packager; jPOS field packagers keep no state, so one instance serves every thread.
   */
  public static GenericPackager packager() {
    return PACKAGER;
  }

  public static byte[] pack(ISOMsg msg) throws ISOException {
    msg.setPackager(PACKAGER);
    return msg.pack();
  }

  public static ISOMsg unpack(byte[] body) throws ISOException {
    ISOMsg msg = new ISOMsg();
    msg.setPackager(PACKAGER);
    msg.unpack(body);
    return msg;
  }

  /**
   * Reads one frame body. Returns null on a clean end of stream before a frame starts; a stream
   * that ends inside a frame is an {@link EOFException}.
   */
  public static byte[] readFrame(InputStream in) throws IOException {
    int hi = in.read();
    if (hi < 0) {
      return null;
    }
    int lo = in.read();
    if (lo < 0) {
      throw new EOFException("stream ended inside a length prefix");
    }
    int length = (hi << 8) | lo;
    byte[] body = new byte[length];
    new DataInputStream(in).readFully(body);
    return body;
  }

  /** Writes length prefix and body; callers serialize writers of one stream. */
  public static void writeFrame(OutputStream out, byte[] body) throws IOException {
    if (body.length > MAX_FRAME) {
      throw new IOException(
          "message of " + body.length + " bytes does not fit the 2-byte length prefix");
    }
    byte[] frame = new byte[body.length + 2];
    frame[0] = (byte) (body.length >>> 8);
    frame[1] = (byte) body.length;
    System.arraycopy(body, 0, frame, 2, body.length);
    out.write(frame);
    out.flush();
  }

  private static GenericPackager load() {
    try (InputStream xml = CmfCodec.class.getResourceAsStream(CMF_PACKAGER_RESOURCE)) {
      if (xml == null) {
        throw new IllegalStateException(
            CMF_PACKAGER_RESOURCE + " not on the class path: the jPOS jar is missing");
      }
      return new GenericPackager(xml);
    } catch (IOException | ISOException e) {
      throw new IllegalStateException("cannot load jPOS CMF packager " + CMF_PACKAGER_RESOURCE, e);
    }
  }
}
