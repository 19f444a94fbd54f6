package org.posp.terminal.codec;

import org.jpos.iso.IFB_LLNUM;

/**
 * z..99 with a 1-byte BCD length prefix counting nibbles: track 2 (二磁道, field 35).
 *
 * <p>On the wire it is exactly {@code IFB_LLNUM} with {@code pad=false} (left-aligned, trailing pad
 * nibble 0); jPOS already packs {@code '='} as nibble {@code D} and unpacks {@code D} as {@code
 * '='}. The class exists so that the packager table says "z" where the spec says z, and {@link
 * TerminalCodec} accepts {@code '='} (nibble D) in this field and in no numeric one. Named after
 * jPOS's own field classes so the table reads like a jPOS packager.
 */
public class IFB_LLZ extends IFB_LLNUM {
  public IFB_LLZ() {
    super();
    setPad(false);
  }

  public IFB_LLZ(int len, String description) {
    super(len, description, false);
  }
}
