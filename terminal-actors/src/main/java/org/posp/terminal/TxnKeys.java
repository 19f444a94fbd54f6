package org.posp.terminal;

import org.posp.terminal.codec.TransactionType;

/**
 * The duplicate key of a transaction within its terminal (41 and 42 are the entity's own): MTI
 * class + batch (60.2) + terminal STAN (11), e.g. {@code 02:000001:000012}. The one place that
 * builds it.
 */
public final class TxnKeys {
  private TxnKeys() {}

  public static String of(String mti, String batch, String stan) {
    return TransactionType.mtiClassOf(mti) + ":" + batch + ":" + stan;
  }

  /**
   * "batch:STAN", how a reversal names the request it reverses (and the reversed-before-seen
   * memory).
   */
  public static String batchAndStan(String batch, String stan) {
    return batch + ":" + stan;
  }
}
