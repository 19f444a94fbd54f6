package org.posp.terminal.codec;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One terminal frame without its length: TPDU (5 bytes), header (报文头, 6 bytes) and body
 * (docs/protocol/terminal.md §1–2). On TCP it travels as {@code LEN(2) TPDU HEADER BODY}; over
 * HTTPS as {@code TPDU HEADER BODY}.
 *
 * <p>The arrays are copied in and out, so a frame is immutable.
 *
 * @param tpdu {@code 60} + destination (2 bytes) + source (2 bytes)
 * @param header 12 BCD digits {@code AA VV SR NNNNNN}: application type, software version, terminal
 *     status S, processing requirement R (处理要求), sub-version
 * @param body MTI to the end of the last field
 */
public record TerminalFrame(byte[] tpdu, byte[] header, byte[] body) {
  /** Largest value of LEN (bytes after LEN) the switch accepts. */
  public static final int MAX_FRAME_LENGTH = 2048;

  /** Smallest value of LEN: TPDU + header + MTI + bitmap. */
  public static final int MIN_FRAME_LENGTH = 21;

  public static final int TPDU_LENGTH = 5;
  public static final int HEADER_LENGTH = 6;

  /** TPDU identifier (first byte). */
  public static final int TPDU_ID = 0x60;

  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  public TerminalFrame {
    Objects.requireNonNull(tpdu, "tpdu");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(body, "body");
    if (tpdu.length != TPDU_LENGTH) {
      throw new IllegalArgumentException("TPDU must be 5 bytes, was " + tpdu.length);
    }
    if (header.length != HEADER_LENGTH) {
      throw new IllegalArgumentException("header must be 6 bytes, was " + header.length);
    }
    tpdu = tpdu.clone();
    header = header.clone();
    body = body.clone();
  }

  /**
   * Splits the bytes that follow LEN (exactly LEN of them) into TPDU, header and body.
   *
   * @throws TerminalFormatException if the length is outside 21..2048 or the TPDU id is not 60
   */
  public static TerminalFrame parse(byte[] bytesAfterLen) throws TerminalFormatException {
    int n = bytesAfterLen.length;
    if (n < MIN_FRAME_LENGTH || n > MAX_FRAME_LENGTH) {
      throw new TerminalFormatException(
          TerminalFormatException.NO_FIELD,
          0,
          "frame length " + n + " is outside " + MIN_FRAME_LENGTH + ".." + MAX_FRAME_LENGTH);
    }
    if ((bytesAfterLen[0] & 0xFF) != TPDU_ID) {
      throw new TerminalFormatException(
          TerminalFormatException.NO_FIELD,
          0,
          String.format("TPDU id must be 60, was %02X", bytesAfterLen[0] & 0xFF));
    }
    return new TerminalFrame(
        Arrays.copyOfRange(bytesAfterLen, 0, TPDU_LENGTH),
        Arrays.copyOfRange(bytesAfterLen, TPDU_LENGTH, TPDU_LENGTH + HEADER_LENGTH),
        Arrays.copyOfRange(bytesAfterLen, TPDU_LENGTH + HEADER_LENGTH, n));
  }

  /**
   * Parses a whole TCP frame, LEN included; LEN must equal the number of bytes that follow it.
   * Offsets in errors count from the first byte of LEN.
   */
  public static TerminalFrame decode(byte[] frameWithLen) throws TerminalFormatException {
    if (frameWithLen.length < 2) {
      throw new TerminalFormatException(
          TerminalFormatException.NO_FIELD, 0, "truncated: LEN needs 2 bytes");
    }
    int len = readLength(frameWithLen[0], frameWithLen[1]);
    if (len != frameWithLen.length - 2) {
      throw new TerminalFormatException(
          TerminalFormatException.NO_FIELD,
          0,
          "LEN says " + len + " bytes but " + (frameWithLen.length - 2) + " follow");
    }
    try {
      return parse(Arrays.copyOfRange(frameWithLen, 2, frameWithLen.length));
    } catch (TerminalFormatException e) {
      throw new TerminalFormatException(e.field(), e.offset() + 2, e.reason());
    }
  }

  /** The value of a 2-byte big-endian LEN. */
  public static int readLength(byte high, byte low) {
    return (high & 0xFF) << 8 | (low & 0xFF);
  }

  /** LEN (2 bytes, big-endian) + TPDU + header + body, ready for a TCP connection. */
  public byte[] encode() {
    byte[] unframed = withoutLength();
    byte[] out = new byte[2 + unframed.length];
    out[0] = (byte) (unframed.length >>> 8);
    out[1] = (byte) unframed.length;
    System.arraycopy(unframed, 0, out, 2, unframed.length);
    return out;
  }

  /** TPDU + header + body, without LEN: the HTTPS {@code x-ISO-TPDU/x-auth} payload. */
  public byte[] withoutLength() {
    byte[] out = new byte[TPDU_LENGTH + HEADER_LENGTH + body.length];
    System.arraycopy(tpdu, 0, out, 0, TPDU_LENGTH);
    System.arraycopy(header, 0, out, TPDU_LENGTH, HEADER_LENGTH);
    System.arraycopy(body, 0, out, TPDU_LENGTH + HEADER_LENGTH, body.length);
    return out;
  }

  /**
   * The reply frame to this request: TPDU destination and source swapped ({@code 60 00 03 00 00} →
   * {@code 60 00 00 00 03}), header echoed with its processing requirement R set, and the given
   * body.
   *
   * @param processingRequirement R, 0-9: {@code 0} nothing, {@code 3} sign on again
   */
  public TerminalFrame reply(byte[] replyBody, int processingRequirement) {
    if (processingRequirement < 0 || processingRequirement > 9) {
      throw new IllegalArgumentException(
          "processing requirement must be one BCD digit, was " + processingRequirement);
    }
    byte[] t = {tpdu[0], tpdu[3], tpdu[4], tpdu[1], tpdu[2]};
    byte[] h = header.clone();
    h[2] = (byte) ((h[2] & 0xF0) | processingRequirement);
    int length = TPDU_LENGTH + HEADER_LENGTH + replyBody.length;
    if (length > MAX_FRAME_LENGTH) {
      throw new IllegalArgumentException(
          "reply frame of " + length + " bytes exceeds " + MAX_FRAME_LENGTH);
    }
    return new TerminalFrame(t, h, replyBody);
  }

  /** R, the low nibble of header byte 2 (0 in requests). */
  public int processingRequirement() {
    return header[2] & 0x0F;
  }

  /** S, the high nibble of header byte 2: 0 normal, 1 test. */
  public int terminalStatus() {
    return (header[2] & 0xF0) >>> 4;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof TerminalFrame f
        && Arrays.equals(tpdu, f.tpdu)
        && Arrays.equals(header, f.header)
        && Arrays.equals(body, f.body);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(tpdu) + Arrays.hashCode(header)) + Arrays.hashCode(body);
  }

  /** TPDU and header in hex, the body only as a length (it may hold card data). */
  @Override
  public String toString() {
    return "TerminalFrame[tpdu="
        + HEX.formatHex(tpdu)
        + ", header="
        + HEX.formatHex(header)
        + ", body="
        + body.length
        + " bytes]";
  }
}
