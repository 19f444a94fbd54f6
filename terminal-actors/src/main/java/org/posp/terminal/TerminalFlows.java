package org.posp.terminal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardOperation;
import org.posp.security.HsmException;
import org.posp.security.KeyScheme;
import org.posp.security.WorkingKeys;
import org.posp.terminal.TerminalEntity.BalanceDone;
import org.posp.terminal.TerminalEntity.Event;
import org.posp.terminal.TerminalEntity.HandleRequest;
import org.posp.terminal.TerminalEntity.MerchantChecked;
import org.posp.terminal.TerminalEntity.ReplyUndelivered;
import org.posp.terminal.TerminalEntity.Request;
import org.posp.terminal.TerminalEntity.ResolveInterrupted;
import org.posp.terminal.TerminalEntity.ReversalDone;
import org.posp.terminal.TerminalEntity.SendReversal;
import org.posp.terminal.TerminalEntity.TerminalResponse;
import org.posp.terminal.TerminalEntity.UpstreamDone;
import org.posp.terminal.TerminalState.Reversal;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.Field60;
import org.posp.terminal.codec.Field61;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * The request flows of a {@link TerminalEntity}: sign-on, sign-off, echo, balance, sale, void, refund,
 * reversal, and the upstream outcomes and store-and-forward reversals. Settlement and batch upload are
 * in {@link SettlementFlow}.
 */
final class TerminalFlows {
  private final TerminalEntity e;
  final SettlementFlow settlement;

  TerminalFlows(TerminalEntity entity) {
    this.e = entity;
    this.settlement = new SettlementFlow(entity, this);
  }

  EffectFactories<Event, TerminalState> effect() {
    return e.effects();
  }

  /** Persists, timing the journal write and publishing the entity's store-and-forward queue after it. */
  org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, TerminalState> persist(Event event) {
    long start = System.nanoTime();
    boolean reversals = TerminalEntity.touchesReversals(event);
    return effect().persist(event).thenRun(ns -> e.persisted(start, ns, reversals));
  }

  org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, TerminalState> persist(java.util.List<Event> events) {
    long start = System.nanoTime();
    boolean reversals = events.stream().anyMatch(TerminalEntity::touchesReversals);
    return effect().persist(events).thenRun(ns -> e.persisted(start, ns, reversals));
  }

  // ======================================================================== entry

  ReplyEffect<Event, TerminalState> onRequest(TerminalState s, HandleRequest c) {
    TerminalMessage m;
    try {
      m = TerminalEntity.unpack(c.body());
    } catch (TerminalFormatException ex) {
      e.log.warn("terminal {}: unparseable request reached the entity: {}", e.entityId(), ex.getMessage());
      return effect().reply(c.replyTo(), TerminalResponse.none());
    }
    if (!TransactionType.isRequestMti(m.mti())) {
      // the fronts never send these (format error there); no reply can be built for them
      e.log.warn("terminal {}: request with MTI {} is not a terminal request: not answered", e.entityId(), m.mti());
      return effect().reply(c.replyTo(), TerminalResponse.none());
    }
    Optional<TransactionType> type = TransactionType.classify(m);
    Request r = new Request(m, c.body(), type.orElse(null), c.replyTo(), e.now(), c.delivery());
    if (!s.provisioned()) return reject(s, r, "97", "terminal not provisioned");
    if (type.isEmpty()) return reject(s, r, "40", "function not supported");
    return switch (type.get()) {
      case ECHO -> reply(s, r, TerminalReplies.base(m, "00", r.receivedAt()).build(), false);
      case SIGN_OFF -> persistThenReply(r, new TerminalEntity.SignedOff(),
          ns -> e.respond(ns, TerminalReplies.base(m, "00", r.receivedAt()).build(), false));
      case SIGN_ON, BALANCE, SALE, SALE_VOID, REFUND -> {
        e.askMerchant(r, s.merchantId(), type.get().name(), m.has(4) ? parseAmount(m.get(4)) : 0);
        yield effect().noReply();
      }
      case REVERSAL -> onReversal(s, r);
      case SETTLEMENT -> settlement.onSettlement(s, r);
      case BATCH_UPLOAD -> settlement.onBatchUpload(s, r);
      default -> reject(s, r, "40", "transaction type not supported yet: " + type.get());
    };
  }

  ReplyEffect<Event, TerminalState> onMerchantChecked(TerminalState s, MerchantChecked c) {
    Request r = c.request();
    if (!c.result().allowed()) return reject(s, r, c.result().code(), c.result().reason());
    e.merchantAllowedAt = e.services.clock().instant();
    return switch (r.type()) {
      case SIGN_ON -> onSignOn(s, r);
      case BALANCE, SALE, SALE_VOID, REFUND -> onFinancial(s, r);
      // requests that waited for an in-flight transaction come back this way
      case REVERSAL -> onReversal(s, r);
      case SETTLEMENT -> settlement.onSettlement(s, r);
      default -> reject(s, r, "96", "unexpected flow");
    };
  }

  // ======================================================================== sign-on 签到

  private ReplyEffect<Event, TerminalState> onSignOn(TerminalState s, Request r) {
    TerminalMessage m = r.msg();
    Field60 f60 = field60(m);
    if (f60 == null || !m.has(11)) return reject(s, r, "30", "sign-on without 11 or 60");
    KeyScheme scheme = KeyScheme.ofNetworkCode(f60.networkCode());
    if (scheme == null) return reject(s, r, "40", "sign-on scheme " + f60.networkCode() + " not supported");
    if (scheme == KeyScheme.SINGLE_DES && !e.services.settings().singleDesAllowed()) {
      // terminal-protocol.md §4: a 60.3 the switch does not support gets 40
      e.log.warn("terminal {}: sign-on with scheme 001 refused: single DES keys are refused outside demo mode"
          + " (posp.security.allow-single-des = off)", e.entityId());
      return reject(s, r, "40", "single DES sign-on (scheme 001) is not allowed");
    }
    String stan = m.get(11);
    String hash = requestHash(r);
    TerminalState.Keys current = s.keys();
    if (current != null && stan.equals(current.signOnStan()) && hash.equals(current.signOnHash())
        && current.scheme() == scheme) {
      // the same sign-on asked again (a retry after a lost message): the same keys, never a second set
      byte[] block = e.services.hsm().exportKeyBlock(s.tmk(), scheme, current.pik(), current.mak(), current.tdk());
      return reply(s, r, signOnReply(r, s.batchNo(), block), false);
    }
    if (current != null && olderSignOn(current, stan)) {
      // a sign-on older than the current keys, delivered late after a failover: installing its keys would
      // leave the terminal (which has the newer ones) answered A0 on everything
      return reject(s, r, "94", "sign-on stan " + stan + " is older than the current keys' " + current.signOnStan());
    }
    WorkingKeys keys;
    try {
      keys = e.services.hsm().generateWorkingKeys(s.tmk(), scheme, s.macAlgorithm());
    } catch (HsmException ex) {
      e.log.warn("terminal {}: sign-on with scheme {} refused by the HSM: {}", e.entityId(), scheme, ex.getMessage());
      return reject(s, r, "40", "key scheme does not fit the TMK");
    }
    var k = new TerminalState.Keys(scheme, keys.pik(), keys.mak(), keys.tdk(), e.services.clock().instant(), stan,
        hash, current == null ? null : current.mak());
    String batch = s.batchNo();
    return persistThenReply(r, new TerminalEntity.SignedOn(k, batch), ns -> {
      e.log.info("terminal {} signed on (scheme {}, mac {}, batch {}, mak kcv {})", e.entityId(), scheme.networkCode(),
          s.macAlgorithm(), batch, keys.mak().checkValue());
      return e.respond(ns, signOnReply(r, batch, keys.keyBlock()), false);
    });
  }

  private TerminalMessage signOnReply(Request r, String batch, byte[] keyBlock) {
    TerminalMessage m = r.msg();
    return TerminalReplies.base(m, "00", r.receivedAt())
        .remove(3).remove(4).remove(25).remove(49)
        .set(32, e.services.settings().acquirerId())
        .set(37, e.services.ids().next().rrn())
        .set(60, TerminalReplies.with60Batch(m.get(60), batch))
        .setBytes(62, keyBlock)
        .build();
  }

  /** A sign-on whose STAN is up to 1000 behind the current keys' sign-on, within two minutes of it. */
  boolean olderSignOn(TerminalState.Keys current, String stan) {
    if (current.signOnStan() == null || stan == null) return false;
    int behind = Math.floorMod(Integer.parseInt(current.signOnStan()) - Integer.parseInt(stan), 1_000_000);
    boolean recent = current.issuedAt().plusSeconds(120).isAfter(e.services.clock().instant());
    return behind > 0 && behind <= 1000 && recent;
  }

  // ======================================================================== financial

  private ReplyEffect<Event, TerminalState> onFinancial(TerminalState s, Request r) {
    TerminalMessage m = r.msg();
    Field60 f60 = field60(m);
    if (!s.signedOn()) return reject(s, r, "77", "not signed on");
    boolean macOk = macValid(s, r, s.keys().mak());
    if (r.type() != TransactionType.BALANCE && m.has(11) && f60 != null) {
      // a retransmission is answered its recorded outcome, before the batch check (a retry queued behind
      // its in-flight original gets that outcome even when a settlement closed the batch meanwhile), and
      // only when authenticated: under the current MAK, or under the one before for a transaction recorded
      // before the keys were renewed (else A0 would answer an approval the terminal never saw)
      Optional<Txn> earlier = s.txn(key(m, f60)).filter(t -> t.requestHash().equals(requestHash(r)));
      if (earlier.isPresent() && (macOk || macUnderPreviousKeys(s, r, earlier.get()))) {
        if (earlier.get().status() == TxnStatus.PENDING) return waitFor(earlier.get().key(), r);
        e.log.debug("terminal {}: {} answered from the journal", e.entityId(), earlier.get().key());
        return reply(s, r, financialReply(r, earlier.get(), CardData.from(m)), true);
      }
    }
    if (f60 == null || !s.batchNo().equals(f60.batch())) {
      return reject(s, r, "77", "batch " + (f60 == null ? "?" : f60.batch()) + " is not the open batch " + s.batchNo());
    }
    if (!macOk) return reject(s, r, "A0", "MAC missing or wrong");
    String missing = Mandatory.missing(r.type(), m);
    if (missing != null) return reject(s, r, "30", "mandatory field missing or malformed: " + missing);
    CardData card = CardData.from(m);
    if (!card.hasPan()) return reject(s, r, "30", "no usable PAN in 2 or 35");

    if (r.type() == TransactionType.BALANCE) {
      var id = e.services.ids().next();
      CardBusRequest up = new CardBusRequest(CardOperation.BALANCE, null, id.rrn(), id.stan(),
          r.receivedAt().format(TerminalEntity.UPSTREAM_TIME), 0, card.pan(), card.expiry(), card.track2(),
          card.iccData(), pin(s, m), m.get(41), m.get(42), null, false, null);
      e.sendBalance(r, up);
      return effect().noReply();
    }

    String key = key(m, f60);
    String hash = requestHash(r);
    if (s.txn(key).isPresent()) return reject(s, r, "94", "same key " + key + ", different content");
    if (s.reversedBeforeSeen().contains(f60.batch() + ":" + m.get(11))) {
      // the terminal reversed this request before it reached the entity (it gave up waiting): it must
      // never be sent upstream now
      return reject(s, r, "12", "the terminal already reversed stan " + m.get(11));
    }
    long amount = parseAmount(m.get(4));
    if (amount <= 0) return reject(s, r, "13", "amount must be positive");

    var id = e.services.ids().next();
    String localDateTime = r.receivedAt().format(TerminalEntity.UPSTREAM_TIME);
    String date = String.format("%02d%02d", r.receivedAt().getMonthValue(), r.receivedAt().getDayOfMonth());
    String time = String.format("%02d%02d%02d", r.receivedAt().getHour(), r.receivedAt().getMinute(),
        r.receivedAt().getSecond());
    String panHash = e.services.hsm().keyedHash(card.pan().getBytes(StandardCharsets.US_ASCII));
    String cardEnc = e.services.hsm().encryptData(
        (card.pan() + "|" + (card.expiry() == null ? "" : card.expiry())).getBytes(StandardCharsets.US_ASCII),
        cardBinding(e.entityId(), key));
    String originalKey = null;
    CardBusRequest.OriginalData original = null;
    CardOperation op;
    CardOperation originalOp = null;
    String acquirer = e.services.settings().acquirerId();

    switch (r.type()) {
      case SALE -> op = CardOperation.SALE;
      case SALE_VOID -> {
        Field61 f61 = field61(m);
        if (f61 == null) return reject(s, r, "30", "void without a readable 61");
        Optional<Txn> o = s.txnByStan(f61.originalBatch(), f61.originalStan())
            .filter(t -> t.type() == TransactionType.SALE);
        if (o.isEmpty() || !o.get().batch().equals(s.batchNo()) || !o.get().rrn().equals(m.get(37).trim())
            || !o.get().panHash().equals(panHash)) {
          return reject(s, r, "25", "original sale not found in the open batch");
        }
        Txn orig = o.get();
        if (orig.status() == TxnStatus.VOIDED || orig.status() == TxnStatus.REVERSED) {
          return reject(s, r, "12", "original already voided or reversed");
        }
        if (orig.status() != TxnStatus.APPROVED) return reject(s, r, "25", "original was not approved");
        if (orig.amountFen() != amount) return reject(s, r, "64", "void amount differs from the original");
        originalKey = orig.key();
        op = CardOperation.VOID;
        originalOp = CardOperation.SALE;
        original = new CardBusRequest.OriginalData(CardOperation.SALE.mti(), orig.upstreamStan(), orig.localDateTime(),
            acquirer);
      }
      case REFUND -> {
        Field61 f61 = field61(m);
        if (f61 == null || f61.originalDate() == null) return reject(s, r, "30", "refund without 61.3");
        String origRrn = m.get(37).trim();
        Optional<Txn> open = s.txnByRrn(origRrn).filter(t -> t.type() == TransactionType.SALE);
        long origAmount;
        long refunded;
        String origUpStan;
        String origLdt;
        if (open.isPresent()) {
          Txn o = open.get();
          if (!o.date().equals(f61.originalDate()) || !o.panHash().equals(panHash)) {
            return reject(s, r, "25", "original sale not found");
          }
          if (o.status() == TxnStatus.VOIDED || o.status() == TxnStatus.REVERSED) {
            return reject(s, r, "12", "original already voided or reversed");
          }
          if (o.status() != TxnStatus.APPROVED) return reject(s, r, "25", "original was not approved");
          origAmount = o.amountFen();
          refunded = o.refundedFen();
          origUpStan = o.upstreamStan();
          origLdt = o.localDateTime();
        } else {
          TerminalState.SaleRef ref = s.sales().get(origRrn);
          if (ref == null || !ref.date().equals(f61.originalDate()) || !ref.panHash().equals(panHash)) {
            return reject(s, r, "25", "original sale not found");
          }
          origAmount = ref.amountFen();
          refunded = ref.refundedFen();
          origUpStan = ref.upstreamStan();
          origLdt = ref.localDateTime();
        }
        long pendingRefunds = s.txns().values().stream()
            .filter(t -> t.type() == TransactionType.REFUND && origRrn.equals(t.originalKey())
                && t.status() == TxnStatus.PENDING)
            .mapToLong(Txn::amountFen).sum();
        if (amount > origAmount - refunded - pendingRefunds) {
          return reject(s, r, "13", "refund above the refundable rest");
        }
        originalKey = origRrn;
        op = CardOperation.REFUND;
        original = new CardBusRequest.OriginalData(CardOperation.SALE.mti(), origUpStan, origLdt, acquirer);
      }
      default -> {
        return reject(s, r, "40", "not a card financial transaction");
      }
    }

    Txn txn = new Txn(key, r.type(), f60.batch(), m.get(11), amount, hash, id.rrn(), id.stan(), localDateTime, date,
        time, card.masked(), panHash, cardEnc, originalKey, TxnStatus.PENDING, null, null, null, null, 0, null,
        e.services.clock().instant(), r.delivery());
    CardBusRequest up = new CardBusRequest(op, originalOp, id.rrn(), id.stan(), localDateTime, amount, card.pan(),
        card.expiry(), card.track2(), card.iccData(), pin(s, m), m.get(41), m.get(42), original, false, null);
    waitFor(key, r);
    e.work().intentsWriting.add(key);
    return persist(new TerminalEntity.TxnStarted(txn))
        .thenRun(ns -> {
          e.work().intentsWriting.remove(key);
          e.sendUpstream(key, up);
        })
        .thenNoReply();
  }

  ReplyEffect<Event, TerminalState> onUpstreamDone(TerminalState s, UpstreamDone c) {
    if (!e.work().inFlight.remove(c.key())) {
      // sent by an earlier incarnation (the entity restarted after a journal failure, and may have
      // answered its requester 96): recovery resolves that intent as a reversal, whatever this says
      e.log.warn("terminal {}: upstream outcome of {} arrived after a restart ({}): ignored, the intent is reversed",
          e.entityId(), c.key(), describe(c.result()));
      return effect().noReply();
    }
    Optional<Txn> found = s.txn(c.key());
    if (found.isEmpty() || found.get().status() != TxnStatus.PENDING) {
      e.releaseWaiting(c.key());
      return effect().noReply();
    }
    Txn t = found.get();
    TerminalEntity.TxnCompleted done;
    CardBusResult res = c.result();
    if (res instanceof CardBusResult.Answered a && a.approved() && e.work().reverseWhenDone.remove(t.key())) {
      // the terminal gave up on it while it was upstream: approved, and reversed at once
      done = new TerminalEntity.TxnCompleted(t.key(), TxnStatus.REVERSED, a.terminalCode(), a.approvalCode(),
          a.settlementDate(), a.endpoint(), newReversal("06"));
      e.log.warn("terminal {}: {} rrn {} approved after the terminal gave up on it: reversing", e.entityId(),
          t.type(), t.rrn());
    } else if (res instanceof CardBusResult.Answered a) {
      done = new TerminalEntity.TxnCompleted(t.key(), a.approved() ? TxnStatus.APPROVED : TxnStatus.DECLINED,
          a.terminalCode(), a.approvalCode(), a.settlementDate(), a.endpoint(), null);
    } else if (res instanceof CardBusResult.NotSent n) {
      done = new TerminalEntity.TxnCompleted(t.key(), TxnStatus.DECLINED, n.terminalCode(), null, null, n.endpoint(), null);
      e.log.warn("terminal {}: {} rrn {} not sent upstream: {}", e.entityId(), t.type(), t.rrn(), n.reason());
    } else {
      done = new TerminalEntity.TxnCompleted(t.key(), TxnStatus.REVERSED, "98", null, null, res.endpoint(),
          newReversal("98"));
      e.log.warn("terminal {}: {} rrn {} timed out at {}: reversing", e.entityId(), t.type(), t.rrn(), res.endpoint());
    }
    return persist(done).thenRun(ns -> {
      Txn after = ns.txn(t.key()).orElseThrow();
      if (after.status() == TxnStatus.APPROVED && after.type() == TransactionType.SALE) {
        e.services.merchants().apply(ns.merchantId()).tell(new MerchantEntity.RecordApproved(after.rrn(),
            after.amountFen(), e.now().toLocalDate()));
      }
      if (after.reversalPending()) e.ctx.getSelf().tell(new SendReversal(after.key()));
      e.releaseWaiting(t.key());
    }).thenNoReply();
  }

  ReplyEffect<Event, TerminalState> onBalanceDone(TerminalState s, BalanceDone c) {
    Request r = c.request();
    CardData card = CardData.from(r.msg());
    String code;
    String balance = null;
    String rrn = null;
    if (c.result() instanceof CardBusResult.Answered a) {
      code = a.terminalCode();
      balance = a.balance();
    } else if (c.result() instanceof CardBusResult.NotSent n) {
      code = n.terminalCode();
    } else {
      code = "98";
    }
    TerminalMessage reply = TerminalReplies.financial(r.msg(), r.type(), code, rrn, null, null, balance,
        e.services.settings().acquirerId(), card.pan(), e.now());
    return reply(s, r, reply, true);
  }

  // ======================================================================== reversal 冲正

  private ReplyEffect<Event, TerminalState> onReversal(TerminalState s, Request r) {
    TerminalMessage m = r.msg();
    Field60 f60 = field60(m);
    if (f60 == null || !m.has(11)) return reject(s, r, "30", "reversal without 11 or 60");
    if (!s.signedOn()) return reject(s, r, "77", "not signed on");
    if (!macValid(s, r, s.keys().mak())) return reject(s, r, "A0", "MAC missing or wrong");
    Optional<Txn> orig = s.txnByStan(f60.batch(), m.get(11));
    boolean settledApproval = orig.isPresent() && orig.get().status() == TxnStatus.APPROVED
        && orig.get().reversal() == null;
    if ((orig.isEmpty() || settledApproval) && !f60.batch().equals(s.batchNo())) {
      // a closed (settled) batch, or one never opened: its transactions were settled as the terminal and
      // the switch counted them; nothing is reversed, the terminal is told so (77, as every financial
      // request of a closed batch), and operators handle it as a refund or a settlement difference
      e.log.warn("terminal {}: reversal of stan {} in batch {}, open batch is {}: refused 77, nothing reversed",
          e.entityId(), m.get(11), f60.batch(), s.batchNo());
      return reject(s, r, "77", "reversal of batch " + f60.batch() + ", which is not open");
    }
    if (orig.isEmpty()) {
      // remembered: if the original still arrives (delayed by a failover), it is refused
      String ref = f60.batch() + ":" + m.get(11);
      if (s.reversedBeforeSeen().contains(ref)) return reversalReply(s, r, null, "original unknown, already remembered");
      e.log.info("terminal {}: reversal of stan {} before its original was seen: remembered", e.entityId(), m.get(11));
      return persistThenReply(r, new TerminalEntity.ReversedBeforeSeen(ref),
          ns -> e.respond(ns, reversalMessage(r, null), true));
    }
    Txn t = orig.get();
    if (t.status() == TxnStatus.PENDING) return waitFor(t.key(), r);
    if (t.status() != TxnStatus.APPROVED) return reversalReply(s, r, t, "original " + t.status());
    String reason = m.has(39) ? m.get(39) : "06";
    TerminalMessage reply = reversalMessage(r, t);
    e.work().persisting.add(r);
    return persist(new TerminalEntity.ReversalRequested(t.key(), newReversal(reason)))
        .thenRun(ns -> e.ctx.getSelf().tell(new SendReversal(t.key())))
        .thenReply(r.replyTo(), ns -> {
          e.work().persisting.remove(r);
          e.releaseIfIdle();
          return e.respond(ns, reply, true);
        });
  }

  private ReplyEffect<Event, TerminalState> reversalReply(TerminalState s, Request r, Txn t, String why) {
    e.log.info("terminal {}: reversal of stan {}: {}, nothing to reverse", e.entityId(), r.msg().get(11), why);
    return reply(s, r, reversalMessage(r, t), true);
  }

  private TerminalMessage reversalMessage(Request r, Txn t) {
    TerminalMessage.Builder b = TerminalReplies.base(r.msg(), "00", r.receivedAt());
    String acq = e.services.settings().acquirerId();
    if (r.msg().has(2)) b.set(2, r.msg().get(2));
    b.set(15, String.format("%02d%02d", r.receivedAt().getMonthValue(), r.receivedAt().getDayOfMonth()));
    b.set(32, acq);
    if (t != null && t.rrn() != null) b.set(37, t.rrn());
    b.set(44, TerminalReplies.pad(acq, 11) + TerminalReplies.pad(acq, 11));
    return b.build();
  }

  /**
   * What a transaction's encrypted card data is bound to (the data key's associated data): the terminal
   * and the transaction key, so a cryptogram copied into another record does not decrypt.
   */
  static byte[] cardBinding(String entityId, String txnKey) {
    return ("card|" + entityId + "|" + txnKey).getBytes(StandardCharsets.US_ASCII);
  }

  ReplyEffect<Event, TerminalState> onSendReversal(TerminalState s, SendReversal c) {
    Optional<Txn> found = s.txn(c.key()).filter(Txn::reversalPending);
    if (found.isEmpty()) return effect().noReply();
    Txn t = found.get();
    String pan = null;
    String expiry = null;
    try {
      String[] parts = new String(e.services.hsm().decryptData(t.cardEnc(), cardBinding(e.entityId(), t.key())),
          StandardCharsets.US_ASCII).split("\\|", -1);
      pan = parts[0];
      expiry = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
    } catch (HsmException ex) {
      e.log.error("terminal {}: cannot decrypt the card of {} for its reversal: {}", e.entityId(), t.key(), ex.getMessage());
    }
    int attempts = e.work().reversalAttempts.getOrDefault(t.key(), 0);
    CardOperation reversed = switch (t.type()) {
      case REFUND -> CardOperation.REFUND;
      default -> CardOperation.SALE;
    };
    String origMti = t.type() == TransactionType.SALE_VOID ? CardOperation.SALE.mti() : reversed.mti();
    CardBusRequest up = new CardBusRequest(CardOperation.REVERSAL, reversed, t.rrn(), t.reversal().stan(),
        t.reversal().localDateTime(), t.amountFen(), pan, expiry, null, null, null, s.terminalId(), s.merchantId(),
        new CardBusRequest.OriginalData(origMti, t.upstreamStan(), t.localDateTime(), e.services.settings().acquirerId()),
        attempts > 0, null);
    e.work().reversalAttempts.put(t.key(), attempts + 1);
    e.sendReversalUpstream(t.key(), up);
    return effect().noReply();
  }

  ReplyEffect<Event, TerminalState> onReversalDone(TerminalState s, ReversalDone c) {
    Optional<Txn> found = s.txn(c.key()).filter(Txn::reversalPending);
    if (found.isEmpty()) return effect().noReply();
    if (c.result() instanceof CardBusResult.Answered a && "4000".equals(a.actionCode())) {
      e.work().reversalAttempts.remove(c.key());
      e.log.info("terminal {}: reversal of rrn {} acknowledged by {}", e.entityId(), found.get().rrn(), a.endpoint());
      return persist(new TerminalEntity.ReversalCompleted(c.key())).thenNoReply();
    }
    int attempts = e.work().reversalAttempts.getOrDefault(c.key(), 1);
    Duration first = e.services.settings().reversalFirstRetry();
    Duration max = e.services.settings().reversalMaxBackoff();
    long ms = Math.min(max.toMillis(), first.toMillis() * (1L << Math.min(10, attempts - 1)));
    e.log.warn("terminal {}: reversal of rrn {} not acknowledged ({}), attempt {}, next in {} ms", e.entityId(),
        found.get().rrn(), describe(c.result()), attempts, ms);
    e.timers.startSingleTimer("reversal-" + c.key(), new SendReversal(c.key()), Duration.ofMillis(ms));
    return effect().noReply();
  }

  /** After recovery: unknown outcomes become reversals, pending reversals are sent again. */
  ReplyEffect<Event, TerminalState> onResolveInterrupted(TerminalState s, ResolveInterrupted c) {
    List<Event> events = new ArrayList<>();
    for (Txn t : s.txns().values()) {
      if (t.status() == TxnStatus.PENDING && !e.work().inFlight.contains(t.key())) {
        e.log.warn("terminal {}: {} rrn {} was interrupted before its outcome: reversing", e.entityId(), t.type(), t.rrn());
        events.add(new TerminalEntity.TxnCompleted(t.key(), TxnStatus.REVERSED, "98", null, null, null,
            newReversal("98")));
      }
    }
    if (events.isEmpty()) {
      resumeReversals(s);
      return effect().noReply();
    }
    return persist(events).thenRun(this::resumeReversals).thenNoReply();
  }

  private void resumeReversals(TerminalState s) {
    for (Txn t : s.txns().values()) {
      if (t.reversalPending()) e.ctx.getSelf().tell(new SendReversal(t.key()));
    }
  }

  ReplyEffect<Event, TerminalState> onReplyUndelivered(TerminalState s, ReplyUndelivered c) {
    TerminalMessage m;
    try {
      m = TerminalEntity.unpack(c.body());
    } catch (TerminalFormatException ex) {
      return undeliveredIgnored(c, "unparseable request: " + ex.getMessage());
    }
    Optional<TransactionType> type = TransactionType.classify(m);
    Field60 f60 = field60(m);
    if (type.isEmpty() || f60 == null || !m.has(11) || !s.signedOn()) {
      return undeliveredIgnored(c, "not a financial request of a signed-on terminal");
    }
    Request r = new Request(m, c.body(), type.get(), null, e.now(), c.delivery());
    if (type.get() == TransactionType.REVERSAL) return reversalUndelivered(s, c, r, f60);
    if (!type.get().terminalReversesOnTimeout()) return undeliveredIgnored(c, "nothing to undo for " + type.get());
    String key = key(m, f60);
    Optional<Txn> recorded = s.txn(key);
    if (recorded.isPresent()) {
      Txn t = recorded.get();
      if (!t.requestHash().equals(requestHash(r))) return undeliveredIgnored(c, key + ": other content than recorded");
      if (t.origin() != null && !t.origin().equals(c.delivery())) {
        // a retransmission or replay: the delivery that started the transaction decides, not this one
        return undeliveredIgnored(c, key + ": not the delivery that started it");
      }
      if (!macValid(s, r, s.keys().mak()) && !macUnderPreviousKeys(s, r, t)) {
        return undeliveredIgnored(c, key + ": MAC missing or wrong");
      }
      if (t.status() == TxnStatus.PENDING) {
        // not acknowledged while pending: the sender asks again until the outcome is in and undone
        e.work().reverseWhenDone.add(key);
        return effect().noReply();
      }
      if (t.status() != TxnStatus.APPROVED) return undeliveredIgnored(c, key + ": " + t.status() + ", nothing to undo");
      e.log.warn("terminal {}: approval rrn {} could not be delivered: reversing", e.entityId(), t.rrn());
      return persist(new TerminalEntity.ReversalRequested(key, newReversal("06")))
          .thenRun(ns -> {
            e.ctx.getSelf().tell(new SendReversal(key));
            acknowledge(c);
          })
          .thenNoReply();
    }
    if (!macValid(s, r, s.keys().mak())) return undeliveredIgnored(c, key + ": unknown and MAC missing or wrong");
    // an authenticated request the entity has not recorded (answered 96 while the database was down): it
    // may still arrive (held in a mailbox during a restart); it is refused then
    return rememberReversedBeforeSeen(s, c, f60.batch() + ":" + m.get(11));
  }

  /** A reversal answered 96 by the node (database down): its original is reversed once the entity can write. */
  private ReplyEffect<Event, TerminalState> reversalUndelivered(TerminalState s, ReplyUndelivered c, Request r,
      Field60 f60) {
    if (!macValid(s, r, s.keys().mak())) return undeliveredIgnored(c, "reversal: MAC missing or wrong");
    Optional<Txn> orig = s.txnByStan(f60.batch(), r.msg().get(11));
    if (orig.isEmpty()) {
      if (!f60.batch().equals(s.batchNo())) return undeliveredIgnored(c, "reversal of a closed batch");
      return rememberReversedBeforeSeen(s, c, f60.batch() + ":" + r.msg().get(11));
    }
    Txn t = orig.get();
    if (t.status() == TxnStatus.PENDING) {
      e.work().reverseWhenDone.add(t.key());
      return effect().noReply();
    }
    if (t.status() != TxnStatus.APPROVED) return undeliveredIgnored(c, "reversal: original " + t.status());
    e.log.warn("terminal {}: reversal of rrn {} was answered 96 by the node: reversing", e.entityId(), t.rrn());
    String reason = r.msg().has(39) ? r.msg().get(39) : "06";
    return persist(new TerminalEntity.ReversalRequested(t.key(), newReversal(reason)))
        .thenRun(ns -> {
          e.ctx.getSelf().tell(new SendReversal(t.key()));
          acknowledge(c);
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, TerminalState> rememberReversedBeforeSeen(TerminalState s, ReplyUndelivered c,
      String ref) {
    if (s.reversedBeforeSeen().contains(ref)) {
      acknowledge(c);
      return effect().noReply();
    }
    return persist(new TerminalEntity.ReversedBeforeSeen(ref)).thenRun(ns -> acknowledge(c)).thenNoReply();
  }

  private ReplyEffect<Event, TerminalState> undeliveredIgnored(ReplyUndelivered c, String why) {
    e.log.info("terminal {}: undelivered reply not acted on: {}", e.entityId(), why);
    acknowledge(c);
    return effect().noReply();
  }

  private static void acknowledge(ReplyUndelivered c) {
    if (c.replyTo() != null) c.replyTo().tell(org.apache.pekko.Done.getInstance());
  }

  /** The reply to a request whose handler failed: 96, or nothing when not even that can be built. */
  TerminalResponse failureReply(TerminalState s, TerminalEntity.Command command) {
    try {
      TerminalMessage m = command instanceof TerminalEntity.MerchantChecked c ? c.request().msg()
          : TerminalEntity.unpack(((HandleRequest) command).body());
      return e.respond(s, TerminalReplies.reject(m, "96", e.now()), false);
    } catch (TerminalFormatException | RuntimeException ex) {
      return TerminalResponse.none();
    }
  }

  // ======================================================================== helpers

  /**
   * Persists and then answers {@code r}; if the journal write fails, {@link #answerJournalFailure}
   * answers it 96 instead (the entity restarts after a journal failure and would otherwise stay silent).
   */
  ReplyEffect<Event, TerminalState> persistThenReply(Request r, Event event,
      java.util.function.Function<TerminalState, TerminalResponse> reply) {
    e.work().persisting.add(r);
    return persist(event).thenReply(r.replyTo(), ns -> {
      e.work().persisting.remove(r);
      e.releaseIfIdle();
      return reply.apply(ns);
    });
  }

  /**
   * The journal refused a write (database down): every request waiting in this incarnation is answered
   * 96 now, before the entity restarts. Safe: no 00 was sent for them, and an upstream approval whose
   * outcome could not be recorded is reversed when the entity recovers (its intent is pending).
   */
  void answerJournalFailure(TerminalState s, Throwable cause) {
    List<Request> all = new ArrayList<>(e.work().persisting);
    e.work().persisting.clear();
    for (var w : e.work().waiting.entrySet()) {
      // only requests whose intent was being written are answered: for one whose intent is recorded the
      // failed write may have been its outcome, and a write reported failed (breaker timeout) can still
      // have committed an approval; the gateway answers it 96 and has the entity reverse it once it can
      // write (ReplyUndelivered)
      if (e.work().intentsWriting.contains(w.getKey())) all.addAll(w.getValue());
    }
    e.work().waiting.clear();
    e.work().intentsWriting.clear();
    if (all.isEmpty()) return;
    e.log.error("terminal {}: journal write failed ({}): answering {} waiting request(s) 96", e.entityId(),
        cause.getMessage(), all.size());
    for (Request r : all) {
      r.replyTo().tell(e.respond(s, TerminalReplies.reject(r.msg(), "96", e.now()), false));
    }
  }

  Reversal newReversal(String reason) {
    var id = e.services.ids().next();
    return new Reversal(reason, id.stan(), e.now().format(TerminalEntity.UPSTREAM_TIME), e.services.clock().instant(),
        false);
  }

  private TerminalMessage financialReply(Request r, Txn t, CardData card) {
    // a transaction the switch reversed (timeout, undelivered approval) is never answered 00 again
    boolean reversed = t.status() == TxnStatus.REVERSED && "00".equals(t.responseCode());
    return TerminalReplies.financial(r.msg(), r.type(), reversed ? "98" : t.responseCode(), t.rrn(),
        reversed ? null : t.authCode(), t.settlementDate(), null, e.services.settings().acquirerId(), card.pan(),
        e.now());
  }

  /** Replies to the requests waiting for {@code key} once it completed (called from the waiting list). */
  ReplyEffect<Event, TerminalState> waitFor(String key, Request r) {
    e.work().waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    return effect().noReply();
  }

  ReplyEffect<Event, TerminalState> reject(TerminalState s, Request r, String code, String why) {
    e.log.info("terminal {}: {} {} rejected with {}: {}", e.entityId(), r.msg().mti(),
        r.type() == null ? "?" : r.type(), code, why);
    return reply(s, r, TerminalReplies.reject(r.msg(), code, r.receivedAt()), false);
  }

  ReplyEffect<Event, TerminalState> reply(TerminalState s, Request r, TerminalMessage reply, boolean mac) {
    return effect().reply(r.replyTo(), e.respond(s, reply, mac && r.type() != null && r.type().requiresMac()));
  }

  /**
   * Whether the request's MAC (64) is right under {@code mak} with the terminal's MAC algorithm; true for
   * types without a MAC.
   */
  boolean macValid(TerminalState s, Request r, org.posp.security.LmkKey mak) {
    if (!r.type().requiresMac()) return true;
    TerminalMessage m = r.msg();
    if (!m.has(64) || mak == null || r.body().length < 8) return false;
    try {
      return e.services.hsm().verifyMac(mak, s.macAlgorithm(), Macs.mab(r.body()), m.getBytes(64));
    } catch (HsmException ex) {
      e.log.warn("terminal {}: MAC verification refused: {}", e.entityId(), ex.getMessage());
      return false;
    }
  }

  /**
   * The MAC is right under the MAK before the current one, and {@code t} was recorded under that MAK (with
   * the same MAC algorithm: provisioning, the only way to change it, drops the working keys).
   */
  boolean macUnderPreviousKeys(TerminalState s, Request r, Txn t) {
    TerminalState.Keys k = s.keys();
    return k != null && k.previousMak() != null && t.startedAt() != null && t.startedAt().isBefore(k.issuedAt())
        && macValid(s, r, k.previousMak());
  }

  String requestHash(Request r) {
    byte[] body = r.msg().has(64) ? Macs.mab(r.body()) : r.body();
    return e.services.hsm().keyedHash(body);
  }

  CardBusRequest.PinData pin(TerminalState s, TerminalMessage m) {
    if (!m.has(52) || s.keys() == null) return null;
    return new CardBusRequest.PinData(m.getBytes(52), s.keys().pik());
  }

  static String key(TerminalMessage m, Field60 f60) {
    return TerminalEntity.txnKey(m.mti(), f60.batch(), m.get(11));
  }

  static Field60 field60(TerminalMessage m) {
    if (!m.has(60)) return null;
    try {
      return Field60.parse(m.get(60));
    } catch (TerminalFormatException ex) {
      return null;
    }
  }

  static Field61 field61(TerminalMessage m) {
    if (!m.has(61)) return null;
    try {
      return Field61.parse(m.get(61));
    } catch (TerminalFormatException ex) {
      return null;
    }
  }

  static long parseAmount(String f4) {
    try {
      return Long.parseLong(f4);
    } catch (NumberFormatException ex) {
      return -1;
    }
  }

  static String describe(CardBusResult r) {
    if (r instanceof CardBusResult.Answered a) return "answered " + a.actionCode();
    if (r instanceof CardBusResult.NotSent n) return "not sent: " + n.reason();
    return "timed out";
  }

}
