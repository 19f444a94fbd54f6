package org.posp.sim.cardbus;

import java.util.Optional;

/**
 * Field 56, original data elements (原始数据元), as the card bus lays it out in jPOS CMF's {@code
 * IFB_LLNUM} n..41: original MTI n4 + original 11 n12 + original 12 n14 + original 32 (n..11).
 */
public record OriginalData(String mti, String stan, String localDateTime, String acquirerId) {

  /** Parses field 56; empty when absent or shorter than MTI + 11 + 12 or not all digits. */
  public static Optional<OriginalData> parse(String field56) {
    if (field56 == null || field56.length() < 30 || !field56.matches("\\d+")) {
      return Optional.empty();
    }
    return Optional.of(
        new OriginalData(
            field56.substring(0, 4),
            field56.substring(4, 16),
            field56.substring(16, 30),
            field56.substring(30)));
  }

  /** The field 56 value for this original, for clients building voids and reversals. */
  public String format() {
    return mti + stan + localDateTime + acquirerId;
  }
}
