package org.posp.sim.cardbus;

import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.rc.CMF;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the card bus (docs/protocol/card-bus.md §10): decides every request against the
 * {@link Ledger} and builds the CMF reply. Test cards: every Luhn-valid PAN, PIN {@code 123456};
 * PANs ending 9997 are declined 1000, 9998 are answered after the late delay, 9999 are never
 * answered (but decided and recorded like any other, so the switch's reversal has something to
 * undo).
 */
final class SimulatedIssuer {

  private static final Logger log = LoggerFactory.getLogger(SimulatedIssuer.class);

  static final String TEST_PIN = "123456";

  /** Fields a financial reply copies from its request. Never 14, 35, 52, 55 (card secrets). */
  private static final int[] ECHO = {2, 3, 4, 7, 11, 12, 24, 25, 32, 37, 41, 42, 56};

  /** Fields a 2810 copies from its 2800. */
  private static final int[] NETWORK_ECHO = {7, 11, 24, 41};

  private static final DateTimeFormatter YYYYMMDD = DateTimeFormatter.BASIC_ISO_DATE;

  /**
   * The host's answer: a reply (null = none, the message was not a request) and when to send it.
   */
  record Decision(ISOMsg reply, LedgerEntry.Timing timing) {}

  /** What a message asks for, or why it cannot be served. */
  private record Kind(Operation op, Operation voided, CMF error, String note) {
    static Kind of(Operation op) {
      return new Kind(op, null, null, null);
    }

    static Kind error(CMF code, String note) {
      return new Kind(Operation.UNSUPPORTED, null, code, note);
    }
  }

  private final Ledger ledger;
  private final PinVerifier pins;
  private final Clock clock;
  private final AtomicLong approvalCodes = new AtomicLong();

  SimulatedIssuer(Ledger ledger, PinVerifier pins, Clock clock) {
    this.ledger = ledger;
    this.pins = pins;
    this.clock = clock;
  }

  Decision handle(CardBusRequest req) throws ISOException {
    if (!req.isRequestOrAdvice()) {
      log.warn(
          "not answering MTI {}: the host only answers requests and advices ({})", req.mti, req);
      return new Decision(null, LedgerEntry.Timing.NEVER);
    }
    String base = req.baseMti();
    return switch (base) {
      case "2800" -> network(req);
      case "2420" -> reversal(req);
      case "2100", "2200", "2220" -> card(req);
      default -> unsupported(req, "MTI " + req.mti + " is not supported by the card bus");
    };
  }

  // ------------------------------------------------------------------ 2800 logon / echo

  private Decision network(CardBusRequest req) throws ISOException {
    ledger.countNetworkMessage();
    ISOMsg reply = new ISOMsg(req.replyMti());
    for (int f : NETWORK_ECHO) {
      copy(req.msg, reply, f);
    }
    String fc = req.functionCode;
    if ("801".equals(fc) || "802".equals(fc) || "831".equals(fc)) {
      reply.set(39, CMF.NET_ACCEPTED.ircString());
      if ("831".equals(fc)) {
        log.debug("echo stan={} tid={}", req.stan, req.terminalId);
      } else {
        log.info(
            "{} stan={} tid={} accepted",
            "801".equals(fc) ? "logon" : "logoff",
            req.stan,
            req.terminalId);
      }
    } else {
      reply.set(39, CMF.INVALID_TRANSACTION.ircString());
      log.warn(
          "2800 with function code {} is not supported (801 logon, 802 logoff, 831 echo): {}",
          fc,
          req);
    }
    return new Decision(reply, LedgerEntry.Timing.NOW);
  }

  // ------------------------------------------------------------------ unsupported

  private Decision unsupported(CardBusRequest req, String why) throws ISOException {
    synchronized (ledger.lock) {
      LedgerEntry e = ledger.record(req, Operation.UNSUPPORTED, null, clock.instant());
      decline(e, CMF.INVALID_TRANSACTION, why);
      return new Decision(reply(req, e), LedgerEntry.Timing.NOW);
    }
  }

  // ------------------------------------------------------------------ 2100 / 2200 / 2220

  private Decision card(CardBusRequest req) throws ISOException {
    Kind kind = classify(req);
    synchronized (ledger.lock) {
      if (kind.error() != null) {
        LedgerEntry e = ledger.record(req, Operation.UNSUPPORTED, null, clock.instant());
        decline(e, kind.error(), kind.note());
        return new Decision(reply(req, e), timing(req));
      }
      String missing = missingFields(req, kind.op());
      if (missing != null) {
        LedgerEntry e = ledger.record(req, kind.op(), kind.voided(), clock.instant());
        decline(e, CMF.MESSAGE_ERROR, missing);
        return new Decision(reply(req, e), timing(req));
      }
      LedgerEntry previous =
          kind.op() == Operation.VOID ? ledger.voidByRrn(req.rrn) : ledger.originalByRrn(req.rrn);
      if (previous == null && kind.op() != Operation.VOID) {
        previous = ledger.voidByRrn(req.rrn);
      }
      if (previous != null) {
        return repeated(req, kind, previous);
      }
      LedgerEntry e = ledger.record(req, kind.op(), kind.voided(), clock.instant());
      e.timing = timing(req);
      ledger.index(e);
      decide(req, e);
      log.info(
          "{} {} -> {}{}{}",
          kind.op(),
          req,
          e.actionCode,
          e.note == null ? "" : " (" + e.note + ")",
          e.timing == LedgerEntry.Timing.NOW ? "" : " reply " + e.timing);
      return new Decision(reply(req, e), e.timing);
    }
  }

  /**
   * A 37 that was answered before: same content → same answer, else 9113 (docs/protocol/card-bus.md
   * §10).
   */
  private Decision repeated(CardBusRequest req, Kind kind, LedgerEntry previous)
      throws ISOException {
    if (previous.fingerprint.equals(req.fingerprint()) && previous.operation == kind.op()) {
      previous.duplicates++;
      ledger.countDuplicate();
      log.info(
          "{} {} repeats rrn {} -> same answer {}", kind.op(), req, req.rrn, previous.actionCode);
      return new Decision(reply(req, previous), timing(req));
    }
    LedgerEntry e = ledger.record(req, kind.op(), kind.voided(), clock.instant());
    e.timing = timing(req);
    decline(
        e,
        CMF.DUPLICATE_TRANSMISSION,
        "37 "
            + req.rrn
            + " was already used by message #"
            + previous.sequence
            + " with different content");
    log.warn("{} {} -> 9113: {}", kind.op(), req, e.note);
    return new Decision(reply(req, e), e.timing);
  }

  private void decide(CardBusRequest req, LedgerEntry e) {
    Ledger.PendingReversal pending = ledger.pendingReversal(req.rrn);
    if (pending != null && pending.original().map(od -> matches(od, req)).orElse(true)) {
      ledger.removePendingReversal(req.rrn);
      pending.reversal().original = e;
      e.reversed = true;
      decline(
          e,
          CMF.DUPLICATE_TRANSMISSION,
          "reversed (message #" + pending.reversal().sequence + ") before it arrived");
      return;
    }
    if (!CardData.isLuhnValid(req.pan)) {
      decline(e, CMF.INVALID_CARD_NUMBER, "PAN is not 13..19 digits with a valid Luhn check digit");
      return;
    }
    if (req.pan.endsWith("9997")) {
      decline(e, CMF.DO_NOT_HONOUR, "test card ending 9997 is always declined");
      return;
    }
    if (req.expiry != null) {
      Optional<YearMonth> expiry = CardData.parseExpiry(req.expiry);
      if (expiry.isEmpty()) {
        decline(e, CMF.EXPIRED, "expiry date is not YYMM with a month 01..12");
        return;
      }
      if (expiry.get().isBefore(YearMonth.now(clock))) {
        decline(e, CMF.EXPIRED, "card expired " + expiry.get());
        return;
      }
    }
    if (req.amount != null && !"156".equals(req.amount.currency())) {
      decline(
          e, CMF.UNACCEPTED_CURRENCY, "currency " + req.amount.currency() + " is not 156 (CNY)");
      return;
    }
    if (req.pinBlock != null) {
      PinVerifier.Result pin = pins.verify(req.pinBlock, req.pan);
      if (pin != PinVerifier.Result.MATCH) {
        decline(
            e,
            CMF.INCORRECT_PIN,
            pin == PinVerifier.Result.MALFORMED
                ? "PIN block is not format 0 under the ZPK"
                : "wrong PIN");
        return;
      }
    }
    if (e.operation != Operation.BALANCE_INQUIRY && e.amountFen <= 0) {
      decline(e, CMF.INVALID_AMOUNT, "amount must be positive");
      return;
    }
    switch (e.operation) {
      case BALANCE_INQUIRY -> {
        approve(e);
        e.balances54 = balances(ledger.availableFen(req.pan));
      }
      case SALE, TRANSFER, PRE_AUTH -> debit(e, 0);
      case COMPLETION, COMPLETION_ADVICE -> completion(req, e);
      case REFUND -> {
        req.original
            .map(od -> ledger.findOriginal(od, req.terminalId))
            .ifPresent(o -> e.original = o);
        approve(e);
        ledger.apply(e);
      }
      case VOID -> voidOriginal(req, e);
      default ->
          decline(e, CMF.INVALID_TRANSACTION, "operation " + e.operation + " is not supported");
    }
  }

  /** Debits (or holds) when the available balance, plus a hold this message releases, covers it. */
  private void debit(LedgerEntry e, long releasedHold) {
    long available = ledger.availableFen(e.pan) + releasedHold;
    if (e.amountFen > available) {
      decline(
          e, CMF.NOT_SUFFICIENT_FUNDS, "amount " + e.amountFen + " exceeds available " + available);
      return;
    }
    approve(e);
    ledger.apply(e);
  }

  private void completion(CardBusRequest req, LedgerEntry e) {
    LedgerEntry preAuth =
        req.original.map(od -> ledger.findOriginal(od, req.terminalId)).orElse(null);
    if (preAuth != null && preAuth.operation == Operation.PRE_AUTH && req.pan.equals(preAuth.pan)) {
      e.original = preAuth;
      debit(e, preAuth.effective() ? preAuth.activeHoldFen : 0);
    } else {
      // A completion whose pre-auth the host never saw still debits: the acquirer holds the
      // approval.
      e.note = "pre-auth of field 56 not found; debited without releasing a hold";
      debit(e, 0);
    }
  }

  /**
   * A void (F25 4000) cancels its original's effect if that is approved, not voided, not reversed.
   */
  private void voidOriginal(CardBusRequest req, LedgerEntry e) {
    LedgerEntry original =
        req.original.map(od -> ledger.findOriginal(od, req.terminalId)).orElse(null);
    LedgerEntry sameRrn = ledger.originalByRrn(req.rrn);
    if (original == null) {
      original = sameRrn; // a void that carries its original's RRN instead of a new one
    } else if (sameRrn != null && sameRrn != original) {
      decline(
          e,
          CMF.DUPLICATE_TRANSMISSION,
          "37 "
              + req.rrn
              + " belongs to message #"
              + sameRrn.sequence
              + ", not to the original field 56 names");
      return;
    }
    if (original == null) {
      decline(
          e,
          CMF.ORIGINAL_NOT_FOUND,
          req.original.isPresent()
              ? "no message matches field 56 (MTI + 11 + 12) from terminal " + req.terminalId
              : "field 56 missing or not MTI n4 + 11 n12 + 12 n14 + 32");
      return;
    }
    e.original = original;
    String refusal = voidRefusal(req, e, original);
    if (refusal != null) {
      decline(e, refusal.startsWith("amount") ? CMF.INVALID_AMOUNT : CMF.DO_NOT_HONOUR, refusal);
      return;
    }
    ledger.undo(original);
    original.voided = true;
    approve(e);
  }

  private static String voidRefusal(CardBusRequest req, LedgerEntry e, LedgerEntry original) {
    Operation originalOp =
        original.operation == Operation.COMPLETION_ADVICE
            ? Operation.COMPLETION
            : original.operation;
    if (originalOp != e.voidedOperation) {
      return "original #"
          + original.sequence
          + " is a "
          + original.operation
          + ", the void is for a "
          + e.voidedOperation;
    }
    if (!req.pan.equals(original.pan)) {
      return "PAN differs from the original's";
    }
    if (!original.approved()) {
      return "original was declined (" + original.actionCode + ")";
    }
    if (original.reversed) {
      return "original was reversed";
    }
    if (original.voided) {
      return "original is already voided";
    }
    if (original.operation == Operation.PRE_AUTH && original.activeHoldFen == 0) {
      return "pre-auth is already completed";
    }
    if (e.amountFen != original.amountFen) {
      return "amount " + e.amountFen + " differs from the original's " + original.amountFen;
    }
    return null;
  }

  // ------------------------------------------------------------------ 2420 / 2421 reversal

  private Decision reversal(CardBusRequest req) throws ISOException {
    synchronized (ledger.lock) {
      ledger.countReversal();
      LedgerEntry e = ledger.record(req, Operation.REVERSAL, null, clock.instant());
      if (req.rrn == null || req.stan == null) {
        decline(
            e,
            CMF.MESSAGE_ERROR,
            "a reversal needs 11 and 37 (the RRN of the message it reverses)");
      } else if (!"400".equals(req.functionCode)) {
        decline(e, CMF.INVALID_TRANSACTION, "a reversal has F24 400, not " + req.functionCode);
      } else {
        reverse(req, e);
      }
      log.info("REVERSAL {} -> {} ({})", req, e.actionCode, e.note);
      return new Decision(reply(req, e), LedgerEntry.Timing.NOW);
    }
  }

  private void reverse(CardBusRequest req, LedgerEntry e) {
    LedgerEntry target = reversalTarget(req);
    e.actionCode = CMF.REVERSAL_ACCEPTED.ircString();
    if (target == null) {
      Ledger.PendingReversal pending = ledger.pendingReversal(req.rrn);
      if (pending == null) {
        ledger.addPendingReversal(req.rrn, new Ledger.PendingReversal(e, req.original));
        e.note = "message not seen yet: remembered, it will be declined 9113";
      } else {
        e.note = "repeat of pending reversal #" + pending.reversal().sequence + ": nothing changed";
      }
      return;
    }
    e.original = target;
    if (target.reversed) {
      e.note = "repeat: #" + target.sequence + " was already reversed, nothing changed";
      return;
    }
    if (target.approved() && target.operation == Operation.VOID) {
      LedgerEntry voided = target.original;
      if (voided != null && voided.voided) {
        voided.voided = false;
        if (voided.effective()) {
          ledger.apply(voided);
        }
      }
    } else if (target.effective()) {
      ledger.undo(target);
    }
    target.reversed = true;
    e.note =
        "reversed #" + target.sequence + " " + target.operation + " (" + target.actionCode + ")";
  }

  /**
   * The message with the reversal's 37; field 56 (MTI + 11) decides if an original and a void share
   * it.
   */
  private LedgerEntry reversalTarget(CardBusRequest req) {
    LedgerEntry original = ledger.originalByRrn(req.rrn);
    LedgerEntry voidEntry = ledger.voidByRrn(req.rrn);
    if (req.original.isPresent()) {
      OriginalData od = req.original.get();
      for (LedgerEntry c : new LedgerEntry[] {original, voidEntry}) {
        if (c != null && od.stan().equals(c.stan) && od.mti().equals(baseMti(c.mti))) {
          return c;
        }
      }
      if (original != null || voidEntry != null) {
        log.warn(
            "reversal {}: field 56 names MTI {} 11 {} but 37 belongs to another message; reversing by 37",
            req,
            od.mti(),
            od.stan());
      }
    }
    return original != null ? original : voidEntry;
  }

  // ------------------------------------------------------------------ helpers

  private static Kind classify(CardBusRequest req) {
    if (req.processingCode == null || req.processingCode.length() < 2) {
      return Kind.error(CMF.MESSAGE_ERROR, "field 3 (processing code) missing");
    }
    if (req.functionCode == null) {
      return Kind.error(CMF.MESSAGE_ERROR, "field 24 (function code) missing");
    }
    String base = req.baseMti();
    String type = req.processingCode.substring(0, 2);
    String key = base + '/' + type + '/' + req.functionCode;
    Operation op =
        switch (key) {
          case "2100/30/108" -> Operation.BALANCE_INQUIRY;
          case "2100/00/101" -> Operation.PRE_AUTH;
          case "2200/00/200" -> Operation.SALE;
          case "2200/00/202" -> Operation.COMPLETION;
          case "2220/00/202" -> Operation.COMPLETION_ADVICE;
          case "2200/20/200" -> Operation.REFUND;
          case "2200/40/200" -> Operation.TRANSFER;
          default -> Operation.UNSUPPORTED;
        };
    if (op == Operation.UNSUPPORTED) {
      return Kind.error(
          CMF.INVALID_TRANSACTION,
          "MTI "
              + req.mti
              + " with F3 "
              + req.processingCode
              + " and F24 "
              + req.functionCode
              + " is not a card-bus operation");
    }
    if ("4000".equals(req.reasonCode)) {
      if (op == Operation.SALE || op == Operation.PRE_AUTH || op == Operation.COMPLETION) {
        return new Kind(Operation.VOID, op, null, null);
      }
      return Kind.error(CMF.INVALID_TRANSACTION, "a " + op + " cannot be voided (F25 4000)");
    }
    return Kind.of(op);
  }

  private static String missingFields(CardBusRequest req, Operation op) {
    StringBuilder missing = new StringBuilder();
    if (req.stan == null) {
      missing.append(" 11");
    }
    if (req.rrn == null || req.rrn.isBlank()) {
      missing.append(" 37");
    }
    if (req.terminalId == null) {
      missing.append(" 41");
    }
    if (req.pan == null) {
      missing.append(" 2/35");
    }
    if (op != Operation.BALANCE_INQUIRY && req.amount == null) {
      missing.append(" 4");
    }
    if (missing.length() > 0) {
      return "mandatory field(s) missing:" + missing;
    }
    if (req.amount != null && !req.amount.valid()) {
      return req.amount.problem();
    }
    return null;
  }

  private static boolean matches(OriginalData od, CardBusRequest req) {
    return od.stan().equals(req.stan) && od.mti().equals(req.baseMti());
  }

  /**
   * Late and lost replies are for online requests only: advices and reversals are always answered.
   */
  private static LedgerEntry.Timing timing(CardBusRequest req) {
    String base = req.baseMti();
    if (req.pan == null || !("2100".equals(base) || "2200".equals(base))) {
      return LedgerEntry.Timing.NOW;
    }
    if (req.pan.endsWith("9998")) {
      return LedgerEntry.Timing.LATE;
    }
    return req.pan.endsWith("9999") ? LedgerEntry.Timing.NEVER : LedgerEntry.Timing.NOW;
  }

  private void approve(LedgerEntry e) {
    e.actionCode = CMF.APPROVED.ircString();
    long n = approvalCodes.incrementAndGet();
    e.approvalCode = String.format("%06d", n % 999_999 + 1);
  }

  private static void decline(LedgerEntry e, CMF code, String note) {
    e.actionCode = code.ircString();
    e.note = note;
  }

  /** Field 54: account type 10, amount type 02 (available), currency 156, C/D, amount n12. */
  static String balances(long availableFen) {
    return "1002156"
        + (availableFen < 0 ? 'D' : 'C')
        + String.format("%012d", Math.abs(availableFen));
  }

  private ISOMsg reply(CardBusRequest req, LedgerEntry e) throws ISOException {
    ISOMsg reply = new ISOMsg(req.replyMti());
    for (int f : ECHO) {
      copy(req.msg, reply, f);
    }
    if (e.settlementDate == null) {
      e.settlementDate = LocalDate.now(clock).format(YYYYMMDD);
    }
    reply.set(15, e.settlementDate);
    if (e.approvalCode != null) {
      reply.set(38, e.approvalCode);
    }
    reply.set(39, e.actionCode);
    if (e.balances54 != null) {
      reply.set(54, e.balances54);
    }
    return reply;
  }

  private static void copy(ISOMsg from, ISOMsg to, int field) throws ISOException {
    if (from.hasField(field)) {
      to.set(field, from.getString(field));
    }
  }

  private static String baseMti(String mti) {
    return mti != null && mti.length() == 4 && mti.charAt(3) == '1'
        ? mti.substring(0, 3) + '0'
        : mti;
  }
}
