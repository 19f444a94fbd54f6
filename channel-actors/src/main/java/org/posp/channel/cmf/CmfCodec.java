package org.posp.channel.cmf;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jpos.iso.ISOAmount;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.GenericPackager;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardOperation;

/**
 * Packs and unpacks card-bus messages (docs/protocol/card-bus.md §5, §6) with the jPOS Common
 * Message Format packager ({@code packager/cmf.xml} inside the jPOS jar, loaded once with {@link
 * GenericPackager}).
 *
 * <p>Every request is validated field by field before packing so that bad input fails with a {@link
 * CmfException} naming the field, never with a packer error deep inside jPOS, and never with the
 * field's content in the message.
 */
public final class CmfCodec {

  public static final String MTI_NETWORK = "2800";
  public static final String MTI_NETWORK_RESPONSE = "2810";

  /** Field 24 of a logon (签到) 2800. */
  public static final String FUNCTION_LOGON = "801";

  /** Field 24 of an echo test (回响测试) 2800. */
  public static final String FUNCTION_ECHO = "831";

  /** Field 25 of a void (撤销): customer cancellation. */
  public static final String REASON_CUSTOMER_CANCELLATION = "4000";

  /** Field 25 of a reversal (冲正): timeout / unknown outcome. */
  public static final String REASON_UNKNOWN_OUTCOME = "4021";

  /** ISO 4217 numeric code of the yuan; amounts are in fen (minor unit 2). */
  public static final int CURRENCY_CNY = 156;

  public static final long MAX_AMOUNT_FEN = 999_999_999_999L;

  private static final DateTimeFormatter TRANSMISSION_TIME =
      DateTimeFormatter.ofPattern("MMddHHmmss").withZone(ZoneOffset.UTC);
  private static final GenericPackager PACKAGER = loadPackager();

  private CmfCodec() {}

  private static GenericPackager loadPackager() {
    try (InputStream in = GenericPackager.class.getResourceAsStream("/packager/cmf.xml")) {
      if (in == null) {
        throw new IllegalStateException(
            "packager/cmf.xml not found: is the jPOS jar on the class path?");
      }
      return new GenericPackager(in);
    } catch (ISOException | IOException e) {
      throw new IllegalStateException("cannot load the jPOS CMF packager packager/cmf.xml", e);
    }
  }

  /** Packs a message with the CMF packager (without the 2-byte length header). */
  public static byte[] pack(ISOMsg msg) {
    try {
      msg.setPackager(PACKAGER);
      return msg.pack(); // recalculates the bitmap, which packager.pack alone does not
    } catch (ISOException | RuntimeException e) {
      // jPOS messages name the field and the packer, not the content
      throw new CmfException("cannot pack CMF " + safeMti(msg) + ": " + e.getMessage(), e);
    }
  }

  /** Unpacks one frame (without the length header); the frame must be exactly one message. */
  public static ISOMsg unpack(byte[] frame) {
    if (frame == null || frame.length < 4) {
      throw new CmfException(
          "CMF frame too short: " + (frame == null ? 0 : frame.length) + " bytes");
    }
    ISOMsg msg = new ISOMsg();
    msg.setPackager(PACKAGER);
    int consumed;
    try {
      consumed = PACKAGER.unpack(msg, frame);
    } catch (ISOException | RuntimeException e) {
      throw new CmfException(
          "cannot unpack CMF frame of " + frame.length + " bytes: " + e.getClass().getSimpleName(),
          e);
    }
    if (consumed != frame.length) {
      throw new CmfException(
          "CMF frame of "
              + frame.length
              + " bytes has "
              + (frame.length - consumed)
              + " trailing bytes after the message");
    }
    if (msg.getString(0) == null || !msg.getString(0).matches("\\d{4}")) {
      throw new CmfException("CMF frame without a valid MTI");
    }
    return msg;
  }

  /**
   * The matching key of a request or its reply: MTI class + 11 + 41, as jPOS QMUX's default key.
   * The MTI class is the MTI without its origin digit and with the function digit rounded down to
   * the request (2200 and 2210 give "220", 2420, 2421 and 2430 give "242").
   */
  public static String matchKey(ISOMsg msg) {
    String mti = safeMti(msg);
    String stan = msg.getString(11);
    String tid = msg.getString(41);
    return mtiClass(mti) + "|" + (stan == null ? "" : stan) + "|" + (tid == null ? "" : tid.trim());
  }

  static String mtiClass(String mti) {
    if (mti == null || mti.length() != 4) return "????";
    char function = mti.charAt(2);
    char rounded = Character.isDigit(function) ? (char) ('0' + ((function - '0') & ~1)) : function;
    return mti.substring(0, 2) + rounded;
  }

  /** True for a response MTI (function digit odd: x1xx request response, x3xx advice response). */
  public static boolean isResponse(String mti) {
    return mti != null
        && mti.length() == 4
        && Character.isDigit(mti.charAt(2))
        && ((mti.charAt(2) - '0') & 1) == 1;
  }

  /** A logon (801) or echo (831) 2800 on a link. */
  public static ISOMsg networkRequest(
      String functionCode, String stan, String acquirerId, Instant now) {
    requireDigits("11", stan, 12, 12);
    requireDigits("32", acquirerId, 1, 11);
    ISOMsg m = new ISOMsg(MTI_NETWORK);
    set(m, 7, TRANSMISSION_TIME.format(now));
    set(m, 11, stan);
    set(m, 24, functionCode);
    set(m, 32, acquirerId);
    return m;
  }

  /** Our 2810 answer (39 = 8000) to a 2800 the host sent us (a host-side echo test). */
  public static ISOMsg networkResponse(ISOMsg request, Instant now) {
    ISOMsg m = new ISOMsg("2810");
    set(m, 7, TRANSMISSION_TIME.format(now));
    for (int f : new int[] {11, 24, 32}) {
      if (request.hasField(f)) set(m, f, request.getString(f));
    }
    set(m, 39, "8000");
    return m;
  }

  /**
   * Builds the CMF request of docs/protocol/card-bus.md §5 and §6 for a {@link CardBusRequest}.
   *
   * @param acquirerId field 32 (configured)
   * @param pinUnderZpk field 52: the PIN block already translated to the endpoint's ZPK, or null
   * @param transmission the send time, field 7
   * @throws CmfException naming the first field that is missing or malformed
   */
  public static ISOMsg request(
      CardBusRequest r, String acquirerId, byte[] pinUnderZpk, Instant transmission) {
    if (r == null || r.operation() == null) throw new CmfException("request without an operation");
    CardOperation op = r.operation();
    CardOperation orig = r.originalOperation();
    String mti;
    String processingCode;
    String functionCode;
    String reasonCode = null;
    switch (op) {
      case VOID -> {
        if (orig != CardOperation.SALE
            && orig != CardOperation.PRE_AUTH
            && orig != CardOperation.COMPLETION) {
          throw new CmfException(
              "VOID needs originalOperation SALE, PRE_AUTH or COMPLETION, not " + orig);
        }
        if (r.repeat())
          throw new CmfException("repeat applies to advices and reversals only, not VOID");
        mti = orig.mti();
        processingCode = orig.processingCode();
        functionCode = orig.functionCode();
        reasonCode = REASON_CUSTOMER_CANCELLATION;
      }
      case REVERSAL -> {
        if (orig == null || orig == CardOperation.REVERSAL) {
          throw new CmfException(
              "REVERSAL needs the originalOperation of the reversed message, not " + orig);
        }
        mti = r.repeat() ? "2421" : "2420";
        // a void carries the processing code of what it voids; every voidable operation has 000000
        processingCode = orig == CardOperation.VOID ? "000000" : orig.processingCode();
        functionCode = op.functionCode();
        reasonCode = REASON_UNKNOWN_OUTCOME;
      }
      case COMPLETION_ADVICE -> {
        mti = r.repeat() ? "2221" : op.mti();
        processingCode = op.processingCode();
        functionCode = op.functionCode();
      }
      default -> {
        if (r.repeat())
          throw new CmfException("repeat applies to advices and reversals only, not " + op);
        mti = op.mti();
        processingCode = op.processingCode();
        functionCode = op.functionCode();
      }
    }

    ISOMsg m = new ISOMsg(mti);
    String pan = r.pan();
    if (pan != null && !pan.isEmpty()) {
      requireDigits("2 (PAN)", pan, 12, 19);
      set(m, 2, pan);
    } else if (r.track2() == null || r.track2().isEmpty()) {
      throw new CmfException("field 2 (PAN) or 35 (track 2) is required");
    }
    set(m, 3, processingCode);

    if (r.amountFen() < 0 || r.amountFen() > MAX_AMOUNT_FEN) {
      throw new CmfException("field 4: amount in fen must be 0.." + MAX_AMOUNT_FEN);
    }
    boolean balanceInquiry =
        op == CardOperation.BALANCE
            || (op == CardOperation.REVERSAL && orig == CardOperation.BALANCE);
    if (!balanceInquiry) {
      try {
        m.set(new ISOAmount(4, CURRENCY_CNY, BigDecimal.valueOf(r.amountFen(), 2)));
      } catch (ISOException e) {
        throw new CmfException("field 4: cannot build the amount", e);
      }
    } else if (r.amountFen() != 0) {
      throw new CmfException("field 4: a balance inquiry carries no amount");
    }

    set(m, 7, TRANSMISSION_TIME.format(transmission));
    requireDigits("11 (STAN)", r.stan(), 12, 12);
    set(m, 11, r.stan());
    requireDigits("12 (local date-time)", r.localDateTime(), 14, 14);
    set(m, 12, r.localDateTime());
    if (r.expiry() != null && !r.expiry().isEmpty()) {
      requireDigits("14 (expiry)", r.expiry(), 4, 4);
      set(m, 14, r.expiry());
    }
    set(m, 24, functionCode);
    if (reasonCode != null) set(m, 25, reasonCode);
    requireDigits("32 (acquirer id)", acquirerId, 1, 11);
    set(m, 32, acquirerId);
    if (r.track2() != null && !r.track2().isEmpty()) {
      if (r.track2().length() > 37 || !r.track2().matches("[0-9]{12,19}[=D][0-9]*")) {
        throw new CmfException("field 35 (track 2) must be PAN '=' data, at most 37 characters");
      }
      set(m, 35, r.track2());
    }
    requirePrintable("37 (RRN)", r.rrn(), 12, 12, "[0-9A-Za-z]{12}");
    set(m, 37, r.rrn());
    requirePrintable("41 (terminal id)", r.terminalId(), 1, 16, "[\\x21-\\x7e]+");
    set(m, 41, r.terminalId());
    requirePrintable("42 (merchant id)", r.merchantId(), 1, 35, "[\\x21-\\x7e]+");
    set(m, 42, r.merchantId());
    if (pinUnderZpk != null) {
      if (pinUnderZpk.length != 8) throw new CmfException("field 52: a PIN block is 8 bytes");
      m.set(52, pinUnderZpk);
    }
    if (r.iccData() != null && r.iccData().length > 0) {
      if (r.iccData().length > 9999)
        throw new CmfException("field 55: at most 9999 bytes of ICC data");
      m.set(55, r.iccData());
    }
    if (needsOriginal(op)) {
      set(m, 56, originalData(r.original(), op));
    }
    if (op == CardOperation.TRANSFER) {
      requirePrintable(
          "103 (destination account)", r.destinationAccount(), 1, 28, "[\\x21-\\x7e]+");
      set(m, 103, r.destinationAccount());
    }
    return m;
  }

  /** Operations whose message names the message they refer to in field 56. */
  public static boolean needsOriginal(CardOperation op) {
    return switch (op) {
      case VOID, REFUND, COMPLETION, COMPLETION_ADVICE, REVERSAL -> true;
      default -> false;
    };
  }

  /**
   * Field 56: original MTI n4 + original 11 n12 + original 12 n14 + original 32 (LLNUM, max 41).
   */
  static String originalData(CardBusRequest.OriginalData o, CardOperation op) {
    if (o == null) throw new CmfException("field 56 (original data) is required for " + op);
    requireDigits("56 original MTI", o.mti(), 4, 4);
    requireDigits("56 original 11", o.stan(), 12, 12);
    requireDigits("56 original 12", o.localDateTime(), 14, 14);
    requireDigits("56 original 32", o.acquirerId(), 1, 11);
    return o.mti() + o.stan() + o.localDateTime() + o.acquirerId();
  }

  private static void set(ISOMsg m, int field, String value) {
    try {
      m.set(field, value);
    } catch (RuntimeException e) {
      throw new CmfException("field " + field + ": cannot be set", e);
    }
  }

  private static void requireDigits(String field, String value, int min, int max) {
    if (value == null
        || value.length() < min
        || value.length() > max
        || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new CmfException(
          "field " + field + " must be " + (min == max ? min : min + ".." + max) + " digits");
    }
  }

  private static void requirePrintable(
      String field, String value, int min, int max, String pattern) {
    if (value == null || value.length() < min || value.length() > max || !value.matches(pattern)) {
      throw new CmfException(
          "field "
              + field
              + " must be "
              + (min == max ? min : min + ".." + max)
              + " characters matching "
              + pattern);
    }
  }

  private static String safeMti(ISOMsg msg) {
    try {
      return msg.getMTI();
    } catch (ISOException | RuntimeException e) {
      return null;
    }
  }
}
