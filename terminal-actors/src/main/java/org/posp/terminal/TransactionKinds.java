package org.posp.terminal;

import static org.posp.terminal.Steps.CARD;
import static org.posp.terminal.Steps.KEY_FIELDS;
import static org.posp.terminal.Steps.MAC;
import static org.posp.terminal.Steps.MANDATORY;
import static org.posp.terminal.Steps.NEW_KEY;
import static org.posp.terminal.Steps.NOT_REVERSED_BEFORE;
import static org.posp.terminal.Steps.OPEN_BATCH;
import static org.posp.terminal.Steps.POSITIVE_AMOUNT;
import static org.posp.terminal.Steps.REFUND_ORIGINAL;
import static org.posp.terminal.Steps.RETRANSMISSION;
import static org.posp.terminal.Steps.SIGNED_ON;
import static org.posp.terminal.Steps.VOID_ORIGINAL;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.posp.channel.CardOperation;
import org.posp.terminal.Steps.Step;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * Every transaction type the switch implements: whether its merchant is asked first, its steps in
 * order, what it does once they pass, and for a card transaction its upstream operation. Adding a
 * transaction type is one entry here (and, when its checks are new, a step in {@link Steps}); types
 * without an entry are answered 40. The fronts ask here which requests an outcome the terminal did
 * not get may undo.
 */
public final class TransactionKinds {
  private TransactionKinds() {}

  /** What a request does once its steps pass. */
  enum Action {
    ECHO,
    SIGN_ON,
    SIGN_OFF,
    BALANCE,
    CARD_TRANSACTION,
    REVERSAL,
    SETTLEMENT,
    BATCH_UPLOAD
  }

  /**
   * @param operation for a card transaction: the upstream operation
   * @param originalOperation for a void: the operation of the original (its MTI, 3 and 24 upstream)
   */
  record Kind(
      TransactionType type,
      boolean askMerchant,
      List<Step> steps,
      Action action,
      CardOperation operation,
      CardOperation originalOperation) {
    static Kind of(TransactionType type, boolean askMerchant, Action action, Step... steps) {
      return new Kind(type, askMerchant, List.of(steps), action, null, null);
    }

    Kind upstream(CardOperation op, CardOperation original) {
      return new Kind(type, askMerchant, steps, action, op, original);
    }
  }

  /** The checks every new card transaction goes through, before those of its type. */
  private static final Step[] CARD_TRANSACTION = {
    SIGNED_ON,
    RETRANSMISSION,
    OPEN_BATCH,
    MAC,
    MANDATORY,
    CARD,
    NEW_KEY,
    NOT_REVERSED_BEFORE,
    POSITIVE_AMOUNT
  };

  private static final Map<TransactionType, Kind> KINDS = new EnumMap<>(TransactionType.class);

  static {
    add(Kind.of(TransactionType.ECHO, false, Action.ECHO));
    add(Kind.of(TransactionType.SIGN_OFF, false, Action.SIGN_OFF));
    add(Kind.of(TransactionType.SIGN_ON, true, Action.SIGN_ON, KEY_FIELDS));
    add(
        Kind.of(
            TransactionType.BALANCE,
            true,
            Action.BALANCE,
            SIGNED_ON,
            OPEN_BATCH,
            MAC,
            MANDATORY,
            CARD));
    add(
        Kind.of(TransactionType.SALE, true, Action.CARD_TRANSACTION, CARD_TRANSACTION)
            .upstream(CardOperation.SALE, null));
    add(
        Kind.of(
                TransactionType.SALE_VOID,
                true,
                Action.CARD_TRANSACTION,
                with(CARD_TRANSACTION, VOID_ORIGINAL))
            .upstream(CardOperation.VOID, CardOperation.SALE));
    add(
        Kind.of(
                TransactionType.REFUND,
                true,
                Action.CARD_TRANSACTION,
                with(CARD_TRANSACTION, REFUND_ORIGINAL))
            .upstream(CardOperation.REFUND, null));
    add(
        Kind.of(
            TransactionType.REVERSAL,
            false,
            Action.REVERSAL,
            KEY_FIELDS,
            SIGNED_ON,
            MAC,
            MANDATORY));
    add(Kind.of(TransactionType.SETTLEMENT, false, Action.SETTLEMENT, KEY_FIELDS, MANDATORY));
    add(Kind.of(TransactionType.BATCH_UPLOAD, false, Action.BATCH_UPLOAD, KEY_FIELDS, MANDATORY));
  }

  private static void add(Kind k) {
    KINDS.put(k.type(), k);
  }

  private static Step[] with(Step[] common, Step... more) {
    Step[] all = Arrays.copyOf(common, common.length + more.length);
    System.arraycopy(more, 0, all, common.length, more.length);
    return all;
  }

  /** The kind of a type, or null when the switch does not implement it (answered 40). */
  static Kind of(TransactionType type) {
    return type == null ? null : KINDS.get(type);
  }

  /**
   * The operation a reversal (2420) of a recorded transaction of {@code type} names as reversed
   * (its MTI and 3 upstream): a void's original operation (a void of a sale is reversed as the
   * sale's message), else the type's own.
   */
  static CardOperation reversedOperation(TransactionType type) {
    Kind k = of(type);
    if (k == null || k.operation() == null)
      throw new IllegalArgumentException("no upstream operation for " + type);
    return k.originalOperation() != null ? k.originalOperation() : k.operation();
  }

  /**
   * Whether {@code req} is a card transaction the terminal reverses when it gets no reply (a sale,
   * a void), with the 11 and 60 that identify it: an approval of it that the terminal did not get
   * is undone.
   */
  public static boolean reversedByTerminalOnTimeout(TerminalMessage req) {
    return identified(req).filter(TransactionType::terminalReversesOnTimeout).isPresent();
  }

  /**
   * Whether an outcome the terminal did not get may have to be undone for {@code req}: a card
   * transaction the terminal reverses on timeout ({@link #reversedByTerminalOnTimeout}) or a
   * reversal of one (its original is reversed), with the 11 and 60 that identify it.
   */
  public static boolean undoable(TerminalMessage req) {
    return identified(req)
        .filter(t -> t == TransactionType.REVERSAL || t.terminalReversesOnTimeout())
        .isPresent();
  }

  /** The type of a request that carries its 11 and 60; empty for anything else. */
  private static Optional<TransactionType> identified(TerminalMessage req) {
    try {
      return req.has(11) && req.has(60) ? TransactionType.classify(req) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
