package org.posp.sim.terminal;

import java.util.ArrayList;
import java.util.List;

/**
 * Field 48 contents of batch upload (批上送, docs/protocol/terminal.md §6.5): 201 detail messages hold
 * {@code count n2} then, per record, {@code cardType n2 | STAN n6 | PAN n20 right-aligned
 * zero-filled | amount n12}, at most 8 records per message (n..322); the 202/207 end message holds
 * the total count n4.
 */
public final class BatchUpload {
  public static final int RECORDS_PER_MESSAGE = 8;
  public static final String CODE_DETAIL = "201";
  public static final String CODE_END_UNBALANCED = "202";
  public static final String CODE_END_BALANCED = "207";

  private BatchUpload() {}

  /** Records to upload: the approved transactions that count in the totals. */
  public static List<TxnRecord> uploadable(List<TxnRecord> batch) {
    return batch.stream()
        .filter(r -> r.approved() && r.type().effect() != TxnType.Effect.NONE)
        .toList();
  }

  /** One field 48 per 201 message. */
  public static List<String> detailFields(List<TxnRecord> records) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i += RECORDS_PER_MESSAGE) {
      List<TxnRecord> chunk = records.subList(i, Math.min(records.size(), i + RECORDS_PER_MESSAGE));
      StringBuilder sb = new StringBuilder(String.format("%02d", chunk.size()));
      for (TxnRecord r : chunk) {
        String pan = r.pan();
        if (pan == null || !pan.matches("\\d{1,20}")) {
          throw new IllegalStateException("record stan=" + r.stan() + " has no PAN to upload");
        }
        sb.append("00")
            .append(r.stan())
            .append("0".repeat(20 - pan.length()))
            .append(pan)
            .append(String.format("%012d", r.amountFen()));
      }
      out.add(sb.toString());
    }
    return out;
  }

  /** Field 48 of the end message: total count n4. */
  public static String endField(int total) {
    if (total < 0 || total > 9999) {
      throw new IllegalArgumentException("batch upload count " + total + " does not fit n4");
    }
    return String.format("%04d", total);
  }
}
