package org.posp.benchmarks;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.posp.security.CupCrypto;
import org.posp.security.Hsm;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.SoftwareHsm;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalFrame;
import org.posp.terminal.codec.TerminalMessage;

/**
 * A typical magnetic-stripe sale with PIN (刷卡消费), as a POS terminal sends it, and what the
 * benchmarks need around it: a {@link SoftwareHsm} on a fixed benchmark LMK, the terminal's MAK and
 * PIK and a zone PIN key (ZPK) under that LMK, the 0200 frame with a real PIN block (field 52) and
 * a real MAC (field 64), and the 0210 the switch answers with (docs/protocol/terminal.md §5.4).
 *
 * <p>The fixture plays the terminal as well, as the simulators do, so it holds the clear test keys.
 * They are fixed, not random, so that two runs measure the same work: DES cost does not depend on
 * the key, but a different PIN or PAN would change the message length. Nothing here is, or may be
 * used as, a real key.
 *
 * <p>Immutable after {@link #create()}; safe to share between benchmark threads.
 */
public final class SaleFixture {
  /** The benchmark LMK (本地主密钥): a constant so results are comparable; not for any real card. */
  static final String BENCHMARK_LMK_HEX = "E3A42068B5523ED5A8497315C75E1C6D";

  /**
   * MAK: the TAK of docs/protocol/terminal.md §13.7 (MAC 2), so the test can check the HSM against
   * its vector.
   */
  static final String MAK_HEX = "C24A8FB57AA20123";

  /** Double-length PIK (scheme 003/004, the usual one). */
  static final String PIK_HEX = "9443AEE99E34ABA8D658640E1A3DC754";

  /** Double-length zone PIN key shared with the card bus. */
  static final String ZPK_HEX = "B00738D05BA87C4F1F02A2ABBF80EC0B";

  /**
   * A 19-digit test PAN (the longest, so field 2, track 2 and the PIN block take their largest
   * form).
   */
  static final String PAN = "6222021234567890128";

  static final String PIN = "123456";
  static final String TRACK2 = PAN + "=28121011234567890"; // 37 characters, the maximum of field 35
  static final String AMOUNT = "000000012345";
  static final String STAN = "000417";
  static final String TERMINAL_ID = "10000019";
  static final String MERCHANT_ID = "850100082410002";

  /**
   * TPDU {@code 60 0003 0000} and header {@code 60 31 00 31 10 03} of the captured IC sale
   * (research §8.3).
   */
  static final byte[] TPDU = {0x60, 0x00, 0x03, 0x00, 0x00};

  static final byte[] HEADER = {0x60, 0x31, 0x00, 0x31, 0x10, 0x03};

  /** What the card bus answered (the reply's outcome fields), and when. */
  static final String RRN = "524100100417";

  static final String AUTH_CODE = "A00417";
  static final String SETTLEMENT_DATE = "0314";
  static final String ACQUIRER_ID = "48020000";
  static final LocalDateTime REPLY_TIME = LocalDateTime.of(2025, 3, 14, 15, 8, 9);

  private static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HHmmss");
  private static final DateTimeFormatter MMDD = DateTimeFormatter.ofPattern("MMdd");
  private static final int[] ECHOED = {3, 4, 11, 25, 41, 42, 49, 60};

  private final Hsm hsm;
  private final LmkKey mak;
  private final LmkKey pik;
  private final LmkKey zpk;
  private final TerminalMessage request;
  private final byte[] requestFrame;
  private final TerminalMessage reply;

  private SaleFixture(
      Hsm hsm,
      LmkKey mak,
      LmkKey pik,
      LmkKey zpk,
      TerminalMessage request,
      byte[] requestFrame,
      TerminalMessage reply) {
    this.hsm = hsm;
    this.mak = mak;
    this.pik = pik;
    this.zpk = zpk;
    this.request = request;
    this.requestFrame = requestFrame;
    this.reply = reply;
  }

  /**
   * Builds the HSM, imports the keys and packs the signed request and reply with the codec itself.
   *
   * @throws IllegalStateException if the codec refuses the sale (the benchmark would measure
   *     nothing useful)
   */
  public static SaleFixture create() {
    Hsm hsm = SoftwareHsm.fromHex(BENCHMARK_LMK_HEX);
    LmkKey mak = hsm.importClearKey(KeyType.MAK, CupCrypto.unhex(MAK_HEX));
    LmkKey pik = hsm.importClearKey(KeyType.PIK, CupCrypto.unhex(PIK_HEX));
    LmkKey zpk = hsm.importClearKey(KeyType.ZPK, CupCrypto.unhex(ZPK_HEX));
    try {
      // the terminal's side: PIN block under the clear PIK, MAC over the packed body
      byte[] pinBlock =
          CupCrypto.ecbEncrypt(CupCrypto.unhex(PIK_HEX), CupCrypto.pinBlockFormat0(PIN, PAN));
      TerminalMessage unsigned =
          TerminalMessage.builder("0200")
              .set(2, PAN)
              .set(3, "000000")
              .set(4, AMOUNT)
              .set(11, STAN)
              .set(14, "2812")
              .set(22, "021") // magnetic stripe, PIN entered
              .set(25, "00")
              .set(26, "06") // the PIN pad takes up to 6 digits
              .set(35, TRACK2)
              .set(41, TERMINAL_ID)
              .set(42, MERCHANT_ID)
              .set(49, "156")
              .setBytes(52, pinBlock)
              .set(53, "2600000000000000") // format 0 with PAN, double-length PIK
              .set(60, "22000024000") // 60.1 sale, 60.2 batch 000024, 60.3 000
              .set(63, "001") // operator
              .build();
      TerminalMessage request = sign(unsigned, hsm, mak);
      byte[] frame = new TerminalFrame(TPDU, HEADER, TerminalCodec.pack(request)).encode();
      TerminalMessage reply = sign(saleReply(request, REPLY_TIME), hsm, mak);
      return new SaleFixture(hsm, mak, pik, zpk, request, frame, reply);
    } catch (TerminalFormatException e) {
      throw new IllegalStateException(
          "the benchmark sale does not fit the terminal packager: " + e.getMessage(), e);
    }
  }

  /**
   * The 0210 to an approved sale request (docs/protocol/terminal.md §5.4): echoes 3 4 11 25 41 42
   * 49 60 (the request's 60 has only 60.1-60.3) and adds 2 12 13 14 15 32 37 38 39 44 63, and 64 as
   * the 8 zero bytes of {@link Macs#placeholder()} to be replaced by the MAC.
   */
  public static TerminalMessage saleReply(TerminalMessage request, LocalDateTime now) {
    TerminalMessage.Builder b = TerminalMessage.builder("0210");
    for (int f : ECHOED) {
      if (request.has(f)) {
        b.set(f, request.get(f));
      }
    }
    if (request.has(2)) {
      b.set(2, request.get(2));
    }
    if (request.has(14)) {
      b.set(14, request.get(14));
    }
    return b.set(12, now.format(HHMMSS))
        .set(13, now.format(MMDD))
        .set(15, SETTLEMENT_DATE)
        .set(32, ACQUIRER_ID)
        .set(37, RRN)
        .set(38, AUTH_CODE)
        .set(39, "00")
        .set(44, padRight(ACQUIRER_ID, 11) + padRight(ACQUIRER_ID, 11))
        .set(63, "CUP")
        .setBytes(64, Macs.placeholder())
        .build();
  }

  /** The message with field 64 set to its MAC under {@code mak}, as packed by the codec. */
  static TerminalMessage sign(TerminalMessage m, Hsm hsm, LmkKey mak)
      throws TerminalFormatException {
    byte[] body = TerminalCodec.pack(m.toBuilder().setBytes(64, Macs.placeholder()).build());
    return m.toBuilder().setBytes(64, hsm.generateMac(mak, Macs.mab(body))).build();
  }

  private static String padRight(String s, int length) {
    return s.length() >= length ? s.substring(0, length) : s + " ".repeat(length - s.length());
  }

  public Hsm hsm() {
    return hsm;
  }

  /** The terminal's MAC key (MAC密钥) under the benchmark LMK. */
  public LmkKey mak() {
    return mak;
  }

  /** The terminal's PIN key (PIN密钥) under the benchmark LMK. */
  public LmkKey pik() {
    return pik;
  }

  /** The zone PIN key of the card bus under the benchmark LMK. */
  public LmkKey zpk() {
    return zpk;
  }

  /** The 0200 sale with its PIN block and MAC. */
  public TerminalMessage request() {
    return request;
  }

  /** The request as it arrives on TCP: LEN + TPDU + header + body (a copy). */
  public byte[] requestFrame() {
    return requestFrame.clone();
  }

  /** The 0210 reply to {@link #request()} with its MAC. */
  public TerminalMessage reply() {
    return reply;
  }

  /** The PAN the PIN block is bound to (field 2). */
  public String pan() {
    return PAN;
  }

  @Override
  public String toString() {
    return "SaleFixture[" + request + "]";
  }
}
