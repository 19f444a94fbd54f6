package org.posp.terminal.codec;

import java.util.Arrays;

/**
 * Where the MAC (报文鉴别码, field 64) sits in a body. The MAC itself (银联 ECB MAC,
 * docs/protocol/terminal.md §11.2) is computed by the security module; this class only cuts and
 * patches bytes.
 *
 * <p>Field 64 is the last field and is always 8 bytes, so the MAB is simply the body without its
 * last 8 bytes. To build a reply that carries a MAC:
 *
 * <ol>
 *   <li>set field 64 to 8 zero bytes ({@link #placeholder()}) so that the bitmap has bit 64;
 *   <li>{@code body = TerminalCodec.pack(reply)};
 *   <li>compute the MAC over {@code Macs.mab(body)} with the terminal's MAK;
 *   <li>send {@code Macs.withMac(body, mac8)}.
 * </ol>
 *
 * To check a request: compute over {@code mab(body)} and compare with {@link #macOf(byte[])} in
 * constant time.
 */
public final class Macs {
  /** MAC field number. */
  public static final int FIELD = 64;

  public static final int MAC_LENGTH = 8;
  private static final int MTI_AND_BITMAP = 10;

  private Macs() {}

  /** 8 zero bytes: the value to pack in field 64 before the MAC is known. */
  public static byte[] placeholder() {
    return new byte[MAC_LENGTH];
  }

  /**
   * The MAC block (MAB): the body from the MTI to the end of the field before 64 — the body without
   * its last 8 bytes. The bitmap inside it has bit 64 set.
   *
   * @throws IllegalArgumentException if the body's bitmap has no bit 64 or it is too short
   */
  public static byte[] mab(byte[] body) {
    requireField64(body);
    return Arrays.copyOf(body, body.length - MAC_LENGTH);
  }

  /** The 8 bytes of field 64 (8 ASCII hex characters). */
  public static byte[] macOf(byte[] body) {
    requireField64(body);
    return Arrays.copyOfRange(body, body.length - MAC_LENGTH, body.length);
  }

  /** A copy of the body with its last 8 bytes (field 64) replaced by {@code mac8}. */
  public static byte[] withMac(byte[] body, byte[] mac8) {
    requireField64(body);
    if (mac8.length != MAC_LENGTH) {
      throw new IllegalArgumentException("MAC must be 8 bytes, was " + mac8.length);
    }
    byte[] out = body.clone();
    System.arraycopy(mac8, 0, out, out.length - MAC_LENGTH, MAC_LENGTH);
    return out;
  }

  /** True when the bitmap of this body announces field 64. */
  public static boolean hasMac(byte[] body) {
    return body.length >= MTI_AND_BITMAP + MAC_LENGTH && (body[MTI_AND_BITMAP - 1] & 0x01) != 0;
  }

  private static void requireField64(byte[] body) {
    if (!hasMac(body)) {
      throw new IllegalArgumentException(
          "body has no field 64 (bit 64 not set, or shorter than "
              + (MTI_AND_BITMAP + MAC_LENGTH)
              + " bytes)");
    }
  }
}
