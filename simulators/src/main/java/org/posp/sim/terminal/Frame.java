package org.posp.sim.terminal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * One TCP frame (docs/protocol/terminal.md §1–2): {@code LEN(2, big-endian) TPDU(5) HEADER(6)
 * BODY}. LEN counts the bytes after itself and must lie in [21, 2048].
 */
public record Frame(byte[] tpdu, byte[] header, byte[] body) {
  public static final int TPDU_LENGTH = 5;
  public static final int HEADER_LENGTH = 6;
  public static final int MIN_LEN = TPDU_LENGTH + HEADER_LENGTH + 10;
  public static final int MAX_LEN = 2048;

  public Frame {
    if (tpdu.length != TPDU_LENGTH || header.length != HEADER_LENGTH) {
      throw new IllegalArgumentException("TPDU must be 5 bytes and header 6 bytes");
    }
    tpdu = tpdu.clone();
    header = header.clone();
    body = body.clone();
  }

  @Override
  public byte[] tpdu() {
    return tpdu.clone();
  }

  @Override
  public byte[] header() {
    return header.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** TPDU {@code 60 DDDD SSSS} from 4-hex-digit destination and source addresses. */
  public static byte[] tpdu(String destination, String source) {
    if (destination == null
        || source == null
        || !destination.matches("[0-9A-Fa-f]{4}")
        || !source.matches("[0-9A-Fa-f]{4}")) {
      throw new IllegalArgumentException("TPDU destination and source must be 4 hex digits each");
    }
    return Hex.parse("60" + destination + source, "TPDU");
  }

  /** The TPDU a reply to {@code request} must carry: destination and source swapped. */
  public static byte[] swappedTpdu(byte[] request) {
    return new byte[] {request[0], request[3], request[4], request[1], request[2]};
  }

  /** Processing requirement R (header digit 6): 3 means the terminal must sign on again. */
  public int processingRequirement() {
    return header[2] & 0x0F;
  }

  /** LEN + TPDU + header + body, ready to write. */
  public byte[] encode() {
    int len = TPDU_LENGTH + HEADER_LENGTH + body.length;
    if (len > MAX_LEN) {
      throw new IllegalArgumentException("frame of " + len + " bytes exceeds LEN limit " + MAX_LEN);
    }
    byte[] out = new byte[2 + len];
    out[0] = (byte) (len >>> 8);
    out[1] = (byte) len;
    System.arraycopy(tpdu, 0, out, 2, TPDU_LENGTH);
    System.arraycopy(header, 0, out, 2 + TPDU_LENGTH, HEADER_LENGTH);
    System.arraycopy(body, 0, out, 2 + TPDU_LENGTH + HEADER_LENGTH, body.length);
    return out;
  }

  /** Splits the bytes that followed LEN. */
  public static Frame ofPayload(byte[] payload) {
    if (payload.length < TPDU_LENGTH + HEADER_LENGTH) {
      throw new IllegalArgumentException(
          "frame of " + payload.length + " bytes has no TPDU and header");
    }
    return new Frame(
        Arrays.copyOfRange(payload, 0, TPDU_LENGTH),
        Arrays.copyOfRange(payload, TPDU_LENGTH, TPDU_LENGTH + HEADER_LENGTH),
        Arrays.copyOfRange(payload, TPDU_LENGTH + HEADER_LENGTH, payload.length));
  }

  /** Decodes a whole frame including LEN; LEN must match the array exactly. */
  public static Frame decode(byte[] whole) {
    if (whole.length < 2) {
      throw new IllegalArgumentException("frame shorter than its LEN");
    }
    int len = ((whole[0] & 0xFF) << 8) | (whole[1] & 0xFF);
    if (len != whole.length - 2) {
      throw new IllegalArgumentException(
          "LEN " + len + " does not match " + (whole.length - 2) + " bytes");
    }
    checkLen(len);
    return ofPayload(Arrays.copyOfRange(whole, 2, whole.length));
  }

  /**
   * A LEN outside [21, 2048] is a framing error: no reply can be built, the connection is closed.
   */
  public static final class FramingException extends IOException {
    public FramingException(String message) {
      super(message);
    }
  }

  static void checkLen(int len) {
    if (len < MIN_LEN || len > MAX_LEN) {
      throw new IllegalArgumentException(
          "LEN " + len + " outside [" + MIN_LEN + ", " + MAX_LEN + "]");
    }
  }

  /**
   * Reads one frame; returns null on a clean end of stream before LEN. Throws {@link
   * FramingException} on a LEN out of range and EOFException on a truncated frame.
   */
  public static Frame read(InputStream in) throws IOException {
    int hi = in.read();
    if (hi < 0) {
      return null;
    }
    int lo = in.read();
    if (lo < 0) {
      throw new EOFException("stream ended inside LEN");
    }
    int len = (hi << 8) | lo;
    if (len < MIN_LEN || len > MAX_LEN) {
      throw new FramingException("LEN " + len + " outside [" + MIN_LEN + ", " + MAX_LEN + "]");
    }
    byte[] payload = in.readNBytes(len);
    if (payload.length != len) {
      throw new EOFException(
          "stream ended after " + payload.length + " of " + len + " frame bytes");
    }
    return ofPayload(payload);
  }

  @Override
  public String toString() {
    return "Frame[tpdu="
        + Hex.of(tpdu)
        + ", header="
        + Hex.of(header)
        + ", body "
        + body.length
        + " bytes]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f
        && Arrays.equals(tpdu, f.tpdu)
        && Arrays.equals(header, f.header)
        && Arrays.equals(body, f.body);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(body);
  }
}
