package org.posp.sim.terminal;

/**
 * Builds the request messages of docs/protocol/terminal.md §5 for one terminal. Field 64 is set to
 * a placeholder; {@link TerminalClient#prepare(TerminalMessage)} computes the MAC.
 */
final class TerminalRequests {
  static final String CURRENCY_CNY = "156";
  static final String PIN_CAPTURE_CODE = "06";
  private static final byte[] MAC_PLACEHOLDER = new byte[8];

  private final TerminalConfig cfg;

  TerminalRequests(TerminalConfig cfg) {
    this.cfg = cfg;
  }

  private TerminalMessage base(String mti, String stan) {
    return TerminalMessage.of(mti)
        .with(11, stan)
        .with(41, cfg.terminalId())
        .with(42, cfg.merchantId());
  }

  /** 0800 签到: 11 41 42 60 (00 + batch + scheme) 63. */
  TerminalMessage signOn(String stan, String batch) {
    return base("0800", stan).with(60, "00" + batch + cfg.keyScheme()).with(63, cfg.operatorCode());
  }

  /** 0820 sign-off (002) or echo test (301): 11 41 42 60. */
  TerminalMessage admin(String stan, String batch, String networkCode) {
    return base("0820", stan).with(60, "00" + batch + networkCode);
  }

  /** 0500 批结算: 11 41 42 48 49 60 (00 + batch + 201) 63. */
  TerminalMessage settlement(String stan, String batch, String field48) {
    return base("0500", stan)
        .with(48, field48)
        .with(49, CURRENCY_CNY)
        .with(60, "00" + batch + "201")
        .with(63, cfg.operatorCode());
  }

  /** 0320 批上送: 11 41 42 48 60 (00 + batch + code). */
  TerminalMessage batchUpload(String stan, String batch, String code, String field48) {
    return base("0320", stan).with(48, field48).with(60, "00" + batch + code);
  }

  /**
   * A financial request: card fields (35 when swiped, 2 + 14 when keyed), 3 4 11 22 25, PIN fields
   * 26 52 53 when a PIN is entered, 37 38 61 for voids / refunds / completions, 41 42 49 60 63 64.
   */
  TerminalMessage financial(
      TxnType type,
      Card card,
      long amountFen,
      String stan,
      String batch,
      WorkingKeys keys,
      String originalRrn,
      String originalAuthCode,
      String originalData) {
    TerminalMessage m = TerminalMessage.of(type.mti());
    if (card.keyed()) {
      m = m.with(2, card.pan()).with(14, card.expiry());
    } else {
      m = m.with(35, card.track2());
    }
    m = m.with(3, type.processingCode());
    if (type.hasAmount()) {
      m = m.with(4, amount(amountFen));
    }
    m = m.with(11, stan).with(22, card.entryMode()).with(25, type.conditionCode());
    if (card.withPin()) {
      String pan = PinBlock.panFor(card.keyed() ? card.pan() : null, card.track2());
      m =
          m.with(26, PIN_CAPTURE_CODE)
              .withBytes(52, PinBlock.encrypt(keys.pik(), card.pin(), pan))
              .with(53, securityControl(keys));
    }
    m =
        m.with(37, blankToNull(originalRrn))
            .with(38, blankToNull(originalAuthCode))
            .with(41, cfg.terminalId())
            .with(42, cfg.merchantId())
            .with(49, CURRENCY_CNY)
            .with(60, type.typeCode() + batch + "000")
            .with(61, originalData)
            .with(63, cfg.operatorCode());
    return m.withBytes(64, MAC_PLACEHOLDER);
  }

  /**
   * 0400 冲正 of a recorded transaction: 2 3 4 11 (original STAN) 14C 22 25 38C 39 (reason) 41 42 49
   * 60 (original 60.1 and batch) 61C 64. No track and no PIN block are sent.
   */
  TerminalMessage reversal(TxnRecord original, String reason) {
    TxnType type = original.type();
    TerminalMessage m =
        TerminalMessage.of("0400").with(2, original.pan()).with(3, type.processingCode());
    if (type.hasAmount()) {
      m = m.with(4, amount(original.amountFen()));
    }
    m = m.with(11, original.stan());
    if (original.entryMode() != null && original.entryMode().startsWith("01")) {
      m = m.with(14, original.expiry());
    }
    return m.with(22, original.entryMode())
        .with(25, type.conditionCode())
        .with(38, blankToNull(original.originalAuthCode()))
        .with(39, reason)
        .with(41, cfg.terminalId())
        .with(42, cfg.merchantId())
        .with(49, CURRENCY_CNY)
        .with(60, type.typeCode() + original.batch() + "000")
        .with(61, original.originalData())
        .withBytes(64, MAC_PLACEHOLDER);
  }

  /** Field 53: 2 = format 0 with PAN, 6/0 = double/single length PIK, tracks not encrypted. */
  static String securityControl(WorkingKeys keys) {
    return "2" + (keys.doubleLengthPik() ? "6" : "0") + "00000000000000";
  }

  static String amount(long fen) {
    if (fen < 0 || fen > 999_999_999_999L) {
      throw new IllegalArgumentException("amount must be 0..999999999999 fen");
    }
    return String.format("%012d", fen);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
