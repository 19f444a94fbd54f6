package org.posp.terminal.codec;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The terminal transactions the switch supports (docs/protocol/terminal.md §4) and how a request is
 * recognised.
 *
 * <p>Financial requests are routed on MTI + field 3 digits 1-2 + field 25 + 60.1; management
 * requests (60.1 = 00) on MTI + 60.3. A reversal (0400) carries the routing values of the
 * transaction it reverses. Anything else, including parameter and IC key downloads, is not
 * classified; the switch answers it with {@code 39 = 40}.
 */
public enum TransactionType {
  /** 签到. */
  SIGN_ON("0800", null, null, null, Set.of("001", "003", "004"), false, false),
  /** 签退. */
  SIGN_OFF("0820", null, null, null, Set.of("002"), false, false),
  /** 回响测试. */
  ECHO("0820", null, null, null, Set.of("301"), false, false),
  /** 余额查询. */
  BALANCE("0200", "31", "00", "01", null, true, false),
  /** 消费. */
  SALE("0200", "00", "00", "22", null, true, true),
  /** 消费撤销. */
  SALE_VOID("0200", "20", "00", "23", null, true, true),
  /** 退货. */
  REFUND("0220", "20", "00", "25", null, true, false),
  /** 预授权. */
  PRE_AUTH("0100", "03", "06", "10", null, true, true),
  /** 预授权撤销. */
  PRE_AUTH_VOID("0100", "20", "06", "11", null, true, true),
  /** 预授权完成(请求). */
  COMPLETION("0200", "00", "06", "20", null, true, true),
  /** 预授权完成撤销. */
  COMPLETION_VOID("0200", "20", "06", "21", null, true, true),
  /** 预授权完成通知. */
  COMPLETION_NOTICE("0220", "00", "06", "24", null, true, false),
  /** 冲正: F3 / F25 / 60.1 as the original, see {@link #reversedType}. */
  REVERSAL("0400", null, null, null, null, true, false),
  /** 批结算. */
  SETTLEMENT("0500", null, null, null, Set.of("201"), false, false),
  /** 批上送: 201 magstripe records, 203/205 IC records, 202/207 end of upload. */
  BATCH_UPLOAD("0320", null, null, null, Set.of("201", "202", "203", "205", "207"), false, false),
  /** 扫码消费 (acquirer extension). */
  QR_SALE("0200", "00", "00", "26", null, true, true),
  /** 扫码退货 (acquirer extension). */
  QR_REFUND("0220", "20", "00", "27", null, true, false);

  private static final Set<String> MANAGEMENT_MTIS = Set.of("0800", "0820", "0500", "0320");

  /**
   * Every MTI a terminal may send (docs/protocol/terminal.md §4): the request MTIs of the types.
   */
  private static final Set<String> REQUEST_MTIS =
      Arrays.stream(values()).map(t -> t.requestMti).collect(Collectors.toUnmodifiableSet());

  /** Whether {@code mti} is one a terminal sends; anything else is a format error at the front. */
  public static boolean isRequestMti(String mti) {
    return mti != null && REQUEST_MTIS.contains(mti);
  }

  private final String requestMti;
  private final String processingPrefix;
  private final String conditionCode;
  private final String typeCode;
  private final Set<String> networkCodes;
  private final boolean requiresMac;
  private final boolean terminalReversesOnTimeout;

  TransactionType(
      String requestMti,
      String processingPrefix,
      String conditionCode,
      String typeCode,
      Set<String> networkCodes,
      boolean requiresMac,
      boolean terminalReversesOnTimeout) {
    this.requestMti = requestMti;
    this.processingPrefix = processingPrefix;
    this.conditionCode = conditionCode;
    this.typeCode = typeCode;
    this.networkCodes = networkCodes;
    this.requiresMac = requiresMac;
    this.terminalReversesOnTimeout = terminalReversesOnTimeout;
  }

  /**
   * The transaction a request is, from its routing key; empty for anything the switch does not
   * support (reply {@code 39 = 40}) and for replies. A request whose key fields (3, 25, 60) are
   * missing is not classified either: check mandatory fields ({@code 30}) separately.
   *
   * <p>A reversal is classified only when it reverses a transaction the terminal reverses ({@link
   * #terminalReversesOnTimeout()}).
   */
  public static Optional<TransactionType> classify(TerminalMessage m) {
    String mti = m.mti();
    String f60 = m.get(60);
    if (f60 == null || f60.length() < 2) {
      return Optional.empty();
    }
    if (MANAGEMENT_MTIS.contains(mti)) { // management: MTI + 60.3
      if (f60.length() < 11) {
        return Optional.empty();
      }
      String networkCode = f60.substring(8, 11);
      for (TransactionType t : values()) {
        if (t.isManagement() && t.requestMti.equals(mti) && t.networkCodes.contains(networkCode)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
    if (mti.equals(REVERSAL.requestMti)) {
      return reversedType(m).filter(TransactionType::terminalReversesOnTimeout).map(t -> REVERSAL);
    }
    return financial(m).filter(t -> t.requestMti.equals(mti));
  }

  /**
   * For a reversal (0400), the type of the transaction it reverses, from its F3 / F25 / 60.1; empty
   * when they match no financial transaction.
   */
  public static Optional<TransactionType> reversedType(TerminalMessage reversal) {
    if (!reversal.mti().equals(REVERSAL.requestMti)) {
      return Optional.empty();
    }
    return financial(reversal);
  }

  // F3 digits 1-2 + F25 + 60.1 alone identify a financial type (the MTI follows from it).
  private static Optional<TransactionType> financial(TerminalMessage m) {
    String f3 = m.get(3);
    String f25 = m.get(25);
    String f60 = m.get(60);
    if (f3 == null || f3.length() < 2 || f25 == null || f60 == null || f60.length() < 2) {
      return Optional.empty();
    }
    String processing = f3.substring(0, 2);
    String type = f60.substring(0, 2);
    for (TransactionType t : values()) {
      if (t.typeCode != null
          && t.processingPrefix.equals(processing)
          && t.conditionCode.equals(f25)
          && t.typeCode.equals(type)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The MTI the terminal sends, e.g. {@code "0200"}. */
  public String requestMti() {
    return requestMti;
  }

  /** The MTI of the switch's reply, e.g. {@code "0210"}. */
  public String replyMti() {
    // the function digit (third) goes up by one: 0200 -> 0210, 0220 -> 0230, 0820 -> 0830
    return requestMti.substring(0, 2) + (char) (requestMti.charAt(2) + 1) + requestMti.charAt(3);
  }

  /**
   * The MTI class, first two digits of the MTI ({@code "02"} for 0200 / 0210): part of the
   * duplicate key 41 + 42 + 60.2 + 11 + MTI class.
   */
  public String mtiClass() {
    return requestMti.substring(0, 2);
  }

  /** The MTI class of any MTI, e.g. {@code "04"} for 0410. */
  public static String mtiClassOf(String mti) {
    if (mti == null || mti.length() != 4) {
      throw new IllegalArgumentException("MTI must be 4 digits");
    }
    return mti.substring(0, 2);
  }

  /** Whether request and approved reply carry field 64 (MAC column of §4). */
  public boolean requiresMac() {
    return requiresMac;
  }

  /** Whether a terminal that gets no reply sends a reversal (0400) for it. */
  public boolean terminalReversesOnTimeout() {
    return terminalReversesOnTimeout;
  }

  /** 60.1 of financial types, null for management types and {@link #REVERSAL}. */
  public String typeCode() {
    return typeCode;
  }

  /** True for sign-on, sign-off, echo, settlement and batch upload (60.1 = 00, no MAC). */
  public boolean isManagement() {
    return networkCodes != null;
  }
}
