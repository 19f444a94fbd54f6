package org.posp.sim.cardbus;

/**
 * What a card-bus message asks the host to do (docs/protocol/card-bus.md §5). Voids carry the
 * operation they cancel in {@link HostMessage#voidedOperation()}.
 */
public enum Operation {
  /** 余额查询: 2100, F3 30xxxx, F24 108. */
  BALANCE_INQUIRY,
  /** 预授权: 2100, F3 00xxxx, F24 101; holds the amount. */
  PRE_AUTH,
  /** 消费: 2200, F3 00xxxx, F24 200; debits. */
  SALE,
  /** 预授权完成(请求): 2200, F3 00xxxx, F24 202; debits and releases the pre-auth's hold. */
  COMPLETION,
  /** 预授权完成通知: 2220, F3 00xxxx, F24 202; like a completion, as an advice. */
  COMPLETION_ADVICE,
  /** 退货: 2200, F3 20xxxx, F24 200; credits. */
  REFUND,
  /** 转账 (CNAPS route): 2200, F3 40xxxx, F24 200; debits the card. */
  TRANSFER,
  /** 撤销: as the original, F25 4000; cancels a sale, pre-auth or completion. */
  VOID,
  /** 冲正: 2420/2421, F24 400; undoes the message whose RRN it carries. */
  REVERSAL,
  /** Anything the host does not support; answered with 9102. */
  UNSUPPORTED;

  /** Operations that take money from the card. */
  boolean debits() {
    return this == SALE || this == COMPLETION || this == COMPLETION_ADVICE || this == TRANSFER;
  }

  boolean credits() {
    return this == REFUND;
  }

  boolean isCompletion() {
    return this == COMPLETION || this == COMPLETION_ADVICE;
  }
}
