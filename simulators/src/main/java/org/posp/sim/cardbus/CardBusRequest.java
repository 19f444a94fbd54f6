package org.posp.sim.cardbus;

import java.math.BigDecimal;
import java.util.Optional;
import org.jpos.iso.ISOAmount;
import org.jpos.iso.ISOComponent;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * A received card-bus message, read field by field (docs/protocol/card-bus.md §5, §6). Holds the
 * clear PAN and the PIN block only in memory: {@link #toString()} masks the PAN and never shows
 * field 52, 35 or 14.
 */
final class CardBusRequest {

  final ISOMsg msg;
  final String mti;
  final String processingCode;
  final String functionCode;
  final String reasonCode;
  final String stan;
  final String rrn;
  final String localDateTime;
  final String acquirerId;

  /** Field 41 without the space padding of CMF's 16-character field. */
  final String terminalId;

  final String merchantId;
  final String pan;
  final String expiry;
  final byte[] pinBlock;
  final Amount amount;
  final String field56;
  final Optional<OriginalData> original;

  /** Field 4 read as currency + amount in fen, or the reason it cannot be. */
  record Amount(String currency, long fen, String problem) {
    boolean valid() {
      return problem == null;
    }
  }

  CardBusRequest(ISOMsg msg) {
    this.msg = msg;
    this.mti = str(msg, 0);
    this.processingCode = str(msg, 3);
    this.functionCode = str(msg, 24);
    this.reasonCode = str(msg, 25);
    this.stan = str(msg, 11);
    this.rrn = str(msg, 37);
    this.localDateTime = str(msg, 12);
    this.acquirerId = str(msg, 32);
    String tid = str(msg, 41);
    this.terminalId = tid == null ? null : tid.stripTrailing();
    String mid = str(msg, 42);
    this.merchantId = mid == null ? null : mid.strip();
    String track2 = str(msg, 35);
    this.pan = CardData.panOf(str(msg, 2), track2).orElse(null);
    this.expiry = CardData.expiryOf(str(msg, 14), track2).orElse(null);
    this.pinBlock = msg.hasField(52) ? msg.getBytes(52) : null;
    this.amount = msg.hasField(4) ? readAmount(msg.getComponent(4)) : null;
    this.field56 = str(msg, 56);
    this.original = OriginalData.parse(field56);
  }

  /** MTI with the repeat digit cleared: 2421 → 2420, 2221 → 2220. */
  String baseMti() {
    if (mti == null || mti.length() != 4) {
      return mti;
    }
    char last = mti.charAt(3);
    return last == '1' ? mti.substring(0, 3) + '0' : mti;
  }

  /** True for the request/advice MTIs the host answers (third digit 0 or 2). */
  boolean isRequestOrAdvice() {
    return mti != null && mti.length() == 4 && (mti.charAt(2) == '0' || mti.charAt(2) == '2');
  }

  /** Reply MTI: request MTI + 10 with the repeat digit dropped (2421 → 2430). */
  String replyMti() {
    String base = baseMti();
    return base.substring(0, 2) + (char) (base.charAt(2) + 1) + '0';
  }

  String maskedPan() {
    return CardData.mask(pan);
  }

  /**
   * Content that must be equal for a repeated 37 to be the same message (docs/protocol/card-bus.md
   * §10).
   */
  String fingerprint() {
    return baseMti()
        + '|'
        + processingCode
        + '|'
        + functionCode
        + '|'
        + reasonCode
        + '|'
        + pan
        + '|'
        + (amount == null ? "-" : amount.currency() + ':' + amount.fen());
  }

  private static Amount readAmount(ISOComponent c) {
    try {
      if (c instanceof ISOAmount a) {
        return fen(a.getCurrencyCodeAsString(), a.getAmount());
      }
      Object value = c.getValue();
      String s = value == null ? "" : value.toString();
      // CMF IFB_AMOUNT2003: currency n3 + minor unit n1 + amount n12
      if (!s.matches("\\d{16}")) {
        return new Amount(null, 0, "field 4 is not currency n3 + minor unit n1 + amount n12");
      }
      return fen(
          s.substring(0, 3), new BigDecimal(s.substring(4)).movePointLeft(s.charAt(3) - '0'));
    } catch (ISOException | RuntimeException e) {
      return new Amount(null, 0, "field 4 unreadable: " + e.getMessage());
    }
  }

  private static Amount fen(String currency, BigDecimal major) {
    try {
      return new Amount(currency, major.movePointRight(2).longValueExact(), null);
    } catch (ArithmeticException e) {
      return new Amount(
          currency, 0, "field 4 amount " + major.toPlainString() + " has fractions of a fen");
    }
  }

  private static String str(ISOMsg msg, int field) {
    try {
      if (field == 0) {
        return msg.getMTI();
      }
    } catch (ISOException e) {
      return null;
    }
    return msg.hasField(field) ? msg.getString(field) : null;
  }

  @Override
  public String toString() {
    return mti
        + " pc="
        + processingCode
        + " fc="
        + functionCode
        + (reasonCode == null ? "" : " reason=" + reasonCode)
        + " stan="
        + stan
        + " rrn="
        + rrn
        + " tid="
        + terminalId
        + " mid="
        + merchantId
        + " pan="
        + maskedPan()
        + (amount == null
            ? ""
            : amount.valid() ? " amount=" + amount.currency() + ":" + amount.fen() : " amount=?")
        + (field56 == null ? "" : " f56=" + field56)
        + (pinBlock == null ? "" : " pin=present");
  }
}
