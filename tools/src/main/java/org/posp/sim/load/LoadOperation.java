package org.posp.sim.load;

import java.util.Arrays;
import java.util.Optional;

/**
 * One kind of work a load terminal does when the {@link Mix} picks it. To add a kind (for example a
 * QR sale 扫码消费), add a constant here with its mix label, a {@link RequestKind} for each request it
 * sends, and its case in {@link LoadTerminal#run}: the exhaustive switch there will not compile
 * until the new constant is handled.
 */
public enum LoadOperation {
  /** 消费: one 0200 sale. */
  SALE("sale"),
  /** 消费撤销: voids the terminal's last approved sale (a sale is sent instead when there is none). */
  VOID("void"),
  /** 余额查询: one 0200 balance inquiry. */
  BALANCE("balance"),
  /** 冲正: a sale, then its 0400 with reason 98 as if the sale's reply had been lost. */
  REVERSAL("reversal");

  private final String label;

  LoadOperation(String label) {
    this.label = label;
  }

  /** The name used in {@code --mix} and in the report. */
  public String label() {
    return label;
  }

  public static Optional<LoadOperation> ofLabel(String label) {
    return Arrays.stream(values()).filter(o -> o.label.equals(label)).findFirst();
  }
}
