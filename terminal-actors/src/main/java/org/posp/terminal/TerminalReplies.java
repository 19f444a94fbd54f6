package org.posp.terminal;

import java.time.LocalDateTime;
import org.posp.security.Hsm;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.terminal.codec.Field60;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * Builds replies to terminal requests (docs/protocol/terminal.md §5): replies echo 3, 4, 11, 25,
 * 41, 42, 49 and 60.1–60.3 of the request and add the fields of their type; 64 only when 39 = 00
 * and the type carries a MAC. Everything but 12 and 13 is a function of the request and the stored
 * outcome, so a replayed duplicate is the earlier reply byte for byte apart from the TPDU, 12 and
 * 13. A front that refuses a request before it reaches the terminal's record answers with {@link
 * #refusedAtFront}.
 */
public final class TerminalReplies {
  private static final int[] ECHOED = {3, 4, 11, 25, 41, 42, 49};

  private TerminalReplies() {}

  /** The reply skeleton: MTI + 10, the echoed fields, 12, 13 and 39. */
  static TerminalMessage.Builder base(
      TerminalMessage req, ResponseCode responseCode, LocalDateTime now) {
    return base(req, responseCode.code(), now);
  }

  /** The reply skeleton with a 39 as the host answered it. */
  static TerminalMessage.Builder base(TerminalMessage req, String responseCode, LocalDateTime now) {
    TerminalMessage.Builder b = echoed(req, responseCode);
    if (req.has(60)) b.set(60, echo60(req.get(60)));
    b.set(12, now.format(UpstreamTimes.HHMMSS));
    b.set(13, now.format(UpstreamTimes.MMDD));
    return b;
  }

  /** The reply MTI, the echoed fields of the request (3, 4, 11, 25, 41, 42, 49) and 39. */
  private static TerminalMessage.Builder echoed(TerminalMessage req, String responseCode) {
    TerminalMessage.Builder b = TerminalMessage.builder(replyMti(req.mti()));
    for (int f : ECHOED) {
      if (req.has(f)) b.set(f, req.get(f));
    }
    return b.set(39, responseCode);
  }

  /**
   * A front's refusal of a request that does not reach the terminal's record
   * (docs/protocol/terminal.md §5.10: a malformed 41 / 42, a wrong client certificate, an unknown
   * terminal, the database down, a body that does not decode): the echoed fields of the request and
   * 39 — no 12, 13 or 60, no MAC, processing requirement 0. When an echoed field cannot be packed
   * in the reply, 39 alone.
   *
   * @param req a request with a request MTI ({@link TransactionType#isRequestMti}); for a body that
   *     does not decode, a message of its MTI alone
   * @throws IllegalArgumentException when the MTI is not a request MTI
   */
  public static TerminalEntity.TerminalResponse refusedAtFront(
      TerminalMessage req, ResponseCode code) {
    TerminalMessage reply = echoed(req, code.code()).build();
    byte[] body;
    try {
      body = TerminalCodec.pack(reply);
    } catch (TerminalFormatException e) {
      try {
        body =
            TerminalCodec.pack(TerminalMessage.builder(reply.mti()).set(39, code.code()).build());
      } catch (TerminalFormatException again) {
        throw new IllegalStateException(
            "cannot pack a " + code + " reply: " + again.getMessage(), again);
      }
    }
    return new TerminalEntity.TerminalResponse(body, 0, code.code());
  }

  /** The reply MTI of a terminal request MTI (0200 → 0210); anything else has none. */
  static String replyMti(String mti) {
    if (!TransactionType.isRequestMti(mti))
      throw new IllegalArgumentException("not a request MTI: " + mti);
    return mti.substring(0, 2) + (char) (mti.charAt(2) + 1) + mti.charAt(3);
  }

  /** 60.1–60.3 of the request (trailing parts it did not send stay absent). */
  static String echo60(String f60) {
    try {
      Field60 p = Field60.parse(f60);
      return new Field60(p.type(), p.batch(), p.networkCode(), null, null, null, null).format();
    } catch (TerminalFormatException e) {
      return f60;
    }
  }

  /** Sets 60.2 of an already echoed 60 (sign-on and settlement replies name the batch to use). */
  static String with60Batch(String f60, String batch) {
    try {
      Field60 p = Field60.parse(f60);
      return new Field60(p.type(), batch, p.networkCode(), null, null, null, null).format();
    } catch (TerminalFormatException e) {
      return f60;
    }
  }

  /** A local decline or error (97, 03, 77, A0, 30, 94, 25, 64, 13, 12, 61, 58, 40, 96): no 64. */
  static TerminalMessage reject(TerminalMessage req, ResponseCode code, LocalDateTime now) {
    return base(req, code, now).build();
  }

  /** Financial / balance reply fields of §5 for an answered request. */
  static TerminalMessage financial(
      TerminalMessage req,
      TransactionType type,
      String code,
      String rrn,
      String authCode,
      String settlementDate,
      String balance,
      String acquirerId,
      String pan,
      LocalDateTime now) {
    TerminalMessage.Builder b = base(req, code, now);
    if (pan != null) b.set(2, pan);
    if (req.has(14)) b.set(14, req.get(14));
    if (type != TransactionType.BALANCE && settlementDate != null && settlementDate.length() >= 4) {
      b.set(15, settlementDate.substring(settlementDate.length() - 4));
    }
    b.set(32, acquirerId);
    if (rrn != null) b.set(37, rrn);
    if (authCode != null && !authCode.isBlank()) b.set(38, pad(authCode, 6));
    b.set(44, pad(acquirerId, 11) + pad(acquirerId, 11));
    if (type == TransactionType.BALANCE && ResponseCode.APPROVED.is(code) && balance != null)
      b.set(54, balance);
    b.set(63, "CUP");
    return b.build();
  }

  /**
   * Packs a reply; adds the MAC ({@code algorithm}) under {@code mak} when 39 = 00 and the type
   * carries one.
   */
  static byte[] pack(
      TerminalMessage reply, boolean withMac, Hsm hsm, LmkKey mak, MacAlgorithm algorithm)
      throws TerminalFormatException {
    if (!withMac || mak == null || !ResponseCode.APPROVED.is(reply.get(39))) {
      return TerminalCodec.pack(reply.toBuilder().remove(64).build());
    }
    byte[] body = TerminalCodec.pack(reply.toBuilder().setBytes(64, new byte[8]).build());
    return Macs.withMac(body, hsm.generateMac(mak, algorithm, Macs.mab(body)));
  }

  static String pad(String s, int len) {
    if (s.length() >= len) return s.substring(0, len);
    return s + " ".repeat(len - s.length());
  }
}
