package org.posp.sim.load;

import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.posp.sim.terminal.CupMac;
import org.posp.sim.terminal.DesCipher;
import org.posp.sim.terminal.Frame;
import org.posp.sim.terminal.Hex;
import org.posp.sim.terminal.PinBlock;
import org.posp.sim.terminal.TerminalCodec;
import org.posp.sim.terminal.TerminalMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The echo server's answers (docs/protocol/terminal.md §5): every request approved 00 with no
 * state, no persistence and no upstream, just decode, MAC check, encode, MAC. One set of working
 * keys, drawn at start, serves every terminal: a sign-on gets them wrapped under the one TMK (key
 * block 001 with an 8-byte TMK, 003 or 004 with a 16-byte one), and every MAC is checked and made
 * with the one MAK. A request whose MAC is missing or wrong gets {@code A0} without 64, as from the
 * switch; a request type the echo server does not serve (settlement, batch upload, other 60.3
 * codes) gets {@code 40}. Thread-safe.
 */
final class EchoResponder {
  private static final Logger LOG = LoggerFactory.getLogger(EchoResponder.class);

  /**
   * Replies echo these request fields (3 4 11 25 41 42 49 60 are checked by terminals; 2 and 14 are
   * added).
   */
  private static final int[] ECHOED = {2, 3, 4, 11, 14, 25, 41, 42, 49, 60};

  private static final String ACQUIRER = "00010000";

  /** Counters for the echo server's status line. */
  record Counters(
      long requests, long replies, long macFailures, long unparseable, long unsupported) {}

  private final byte[] mak;
  private final Map<String, byte[]> keyBlocks = new HashMap<>();
  private final String keyCheckValues;
  private final AtomicLong rrn = new AtomicLong();
  private final LongAdder requests = new LongAdder();
  private final LongAdder replies = new LongAdder();
  private final LongAdder macFailures = new LongAdder();
  private final LongAdder unparseable = new LongAdder();
  private final LongAdder unsupported = new LongAdder();
  private final AtomicLong warnings = new AtomicLong();

  /** {@code tmkHex}: 16 hex digits (scheme 001) or 32 (schemes 003 and 004). */
  EchoResponder(String tmkHex) {
    byte[] tmk = Hex.parse(tmkHex, "TMK");
    if (tmk.length != 8 && tmk.length != 16) {
      throw new IllegalArgumentException(
          "TMK must be 16 hex digits (scheme 001) or 32 (schemes 003, 004)");
    }
    SecureRandom random = new SecureRandom();
    mak = desKey(random, 8);
    if (tmk.length == 8) {
      byte[] pik = desKey(random, 8);
      keyBlocks.put("001", concat(wrap(tmk, pik), wrap(tmk, mak)));
      keyCheckValues = "PIK " + cv(pik) + " MAK " + cv(mak);
    } else {
      byte[] pik = desKey(random, 16);
      byte[] tdk = desKey(random, 16);
      // 003: E(PIK) CV, E(MAK) 00x8 CV; 004 adds E(TDK) CV (§11.1)
      byte[] makSlot = concat(DesCipher.encrypt(tmk, mak), new byte[8], DesCipher.checkValue(mak));
      byte[] block003 = concat(wrap(tmk, pik), makSlot);
      keyBlocks.put("003", block003);
      keyBlocks.put("004", concat(block003, wrap(tmk, tdk)));
      keyCheckValues = "PIK " + cv(pik) + " MAK " + cv(mak) + " TDK " + cv(tdk);
    }
  }

  /** Check values of the working keys handed out (never the keys). */
  String keyCheckValues() {
    return keyCheckValues;
  }

  Counters counters() {
    return new Counters(
        requests.sum(), replies.sum(), macFailures.sum(), unparseable.sum(), unsupported.sum());
  }

  /**
   * Answers the bytes after LEN of one frame (TPDU + header + body); returns the whole reply frame
   * (LEN included), or null when nothing can be answered (the reason is logged).
   */
  byte[] answer(byte[] payload) {
    requests.increment();
    Frame frame;
    TerminalMessage req;
    try {
      frame = Frame.ofPayload(payload);
      req = TerminalCodec.get().unpack(frame.body());
    } catch (RuntimeException e) {
      unparseable.increment();
      warn("unparseable request ({} bytes), not answered: {}", payload.length, e.getMessage());
      return null;
    }
    try {
      TerminalMessage reply = reply(req, frame.body());
      if (reply == null) {
        return null;
      }
      byte[] body = TerminalCodec.get().pack(reply);
      if (reply.has(64)) {
        System.arraycopy(CupMac.computeForBody(mak, body), 0, body, body.length - 8, 8);
      }
      replies.increment();
      return new Frame(Frame.swappedTpdu(frame.tpdu()), frame.header(), body).encode();
    } catch (RuntimeException e) {
      // a field the request carried cannot be echoed as it is (e.g. a malformed 60): no reply
      unparseable.increment();
      warn("{} from terminal {} cannot be answered: {}", req.mti(), req.get(41), e.getMessage());
      return null;
    }
  }

  private TerminalMessage reply(TerminalMessage req, byte[] body) {
    String mti = req.mti();
    if (mti.charAt(2) % 2 != 0) {
      unsupported.increment();
      warn("MTI {} is not a request, not answered", mti);
      return null;
    }
    TerminalMessage r = echo(req);
    LocalDateTime now = LocalDateTime.now();
    r =
        r.with(12, String.format("%02d%02d%02d", now.getHour(), now.getMinute(), now.getSecond()))
            .with(13, String.format("%02d%02d", now.getMonthValue(), now.getDayOfMonth()));
    switch (mti) {
      case "0800" -> {
        return signOn(req, r);
      }
      case "0820" -> {
        String code = req.field60Network();
        return r.with(39, "002".equals(code) || "301".equals(code) ? "00" : "40");
      }
      case "0100", "0200", "0220", "0400" -> {
        if (!req.has(64) || !CupMac.verifyBody(mak, body)) {
          macFailures.increment();
          warn(
              "{} from terminal {}: MAC {}, answered A0",
              mti,
              req.get(41),
              req.has(64) ? "wrong" : "missing");
          return r.with(39, "A0");
        }
        r = r.with(15, r.get(13)).with(32, ACQUIRER).with(37, nextRrn()).with(39, "00");
        if (!"0400".equals(mti)) {
          r = r.with(38, String.format("%06d", rrn.get() % 1_000_000)).with(63, "CUP");
          if (req.get(3) != null && req.get(3).startsWith("31")) {
            r = r.with(54, "1002156C000100000000"); // balance 1,000,000.00 yuan
          }
        }
        return r.withBytes(64, new byte[8]);
      }
      default -> {
        unsupported.increment();
        return r.with(39, "40");
      }
    }
  }

  private TerminalMessage signOn(TerminalMessage req, TerminalMessage r) {
    String scheme = req.field60Network();
    byte[] block = scheme == null ? null : keyBlocks.get(scheme);
    if (block == null) {
      unsupported.increment();
      warn(
          "sign-on of terminal {} asks key scheme {}, the TMK serves {}: answered 40",
          req.get(41),
          scheme,
          keyBlocks.keySet());
      return r.with(39, "40");
    }
    String batch =
        req.field60Batch() != null && req.field60Batch().matches("\\d{6}")
            ? req.field60Batch()
            : "000001";
    return r.with(32, ACQUIRER)
        .with(37, nextRrn())
        .with(39, "00")
        .with(60, "00" + batch + scheme)
        .withBytes(62, block);
  }

  private static TerminalMessage echo(TerminalMessage req) {
    TerminalMessage r = TerminalMessage.of(req.replyMti());
    for (int f : ECHOED) {
      if (req.has(f)) {
        r = r.with(f, req.get(f));
      }
    }
    if (!req.has(2) && req.has(35) && !"0800".equals(req.mti())) {
      r = r.with(2, PinBlock.panFor(null, req.get(35)));
    }
    return r;
  }

  private String nextRrn() {
    return String.format("%012d", rrn.incrementAndGet());
  }

  /**
   * Bad input is logged with its reason, the first 10 times and then every 10,000th, never
   * flooding.
   */
  private void warn(String format, Object... args) {
    long n = warnings.incrementAndGet();
    if (n <= 10 || n % 10_000 == 0) {
      LOG.warn("echo server (warning #" + n + "): " + format, args);
    }
  }

  private static byte[] wrap(byte[] tmk, byte[] key) {
    return concat(DesCipher.encrypt(tmk, key), DesCipher.checkValue(key));
  }

  private static String cv(byte[] key) {
    return Hex.of(DesCipher.checkValue(key));
  }

  /** A random DES key with odd parity in every byte, as key generators make them. */
  private static byte[] desKey(SecureRandom random, int length) {
    byte[] k = new byte[length];
    random.nextBytes(k);
    for (int i = 0; i < k.length; i++) {
      int b = k[i] & 0xFE;
      k[i] = (byte) (Integer.bitCount(b) % 2 == 0 ? b | 1 : b);
    }
    return k;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
