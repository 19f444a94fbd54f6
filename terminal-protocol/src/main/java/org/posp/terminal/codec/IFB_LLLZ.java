package org.posp.terminal.codec;

import org.jpos.iso.IFB_LLLNUM;

/**
 * z..999 with a 2-byte BCD length prefix counting nibbles: track 3 (三磁道, field 36).
 *
 * <p>Same wire as {@code IFB_LLLNUM} with {@code pad=false}; see {@link IFB_LLZ} for why the class
 * exists.
 */
public class IFB_LLLZ extends IFB_LLLNUM {
  public IFB_LLLZ() {
    super();
    setPad(false);
  }

  public IFB_LLLZ(int len, String description) {
    super(len, description, false);
  }
}
