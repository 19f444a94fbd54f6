package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusResult;
import org.posp.security.CupCrypto;
import org.posp.security.KeyScheme;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.SignOnKeyBlock;
import org.posp.security.SoftwareHsm;
import org.posp.terminal.codec.BatchUploadRecords;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.SettlementTotals;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;

/**
 * A terminal and its state driven through the {@link TerminalDecider} alone: no actor system, no
 * network, no journal. Each decision's events are applied with the event handler, as the entity
 * would after the journal stored them; requests are built and MAC'd as the terminal would, with the
 * clear keys.
 */
final class DeciderHarness {
  static final String LMK = "89ABCDEF01234567FEDCBA9876543210";
  static final byte[] TMK = HexFormat.of().parseHex("70F2A84CCBC2AE8625CBB0F2C22AB923");
  static final String MID = "898100012345678";
  static final String TID = "10000001";
  static final String ACQUIRER = "48020000";
  static final SoftwareHsm HSM = SoftwareHsm.fromHex(LMK);

  final TerminalDecider decider;
  TerminalState state = TerminalState.EMPTY;
  final List<Decision> decisions = new ArrayList<>();
  private byte[] mak;
  String batch = "000001";
  private int stan;

  DeciderHarness() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-07T02:00:00Z"), ZoneId.of("Asia/Shanghai"));
    decider =
        new TerminalDecider(
            new TerminalDecider.Env(
                TerminalEntity.entityId(MID, TID),
                HSM,
                new UpstreamIds(7, clock),
                TerminalSettings.defaults(ACQUIRER),
                clock));
  }

  /** Decides and applies the decision's events. */
  Decision decide(TerminalDecider.Input input) {
    Decision d = decider.decide(state, input);
    state = TerminalEvents.applyAll(state, d.events());
    decisions.add(d);
    return d;
  }

  /** A request as received, then (when the decider asks the merchant) the merchant's approval. */
  Decision request(byte[] body) {
    Decision d = decide(new TerminalDecider.Received(body, null, "delivery-" + decisions.size()));
    for (Decision.Effect e : d.effects()) {
      if (e instanceof Decision.AskMerchant a) {
        return decide(new TerminalDecider.MerchantAnswered(a.request(), TerminalDecider.ALLOWED));
      }
    }
    return d;
  }

  DeciderHarness provisioned() {
    LmkKey tmk = HSM.importClearKey(KeyType.TMK, TMK);
    decide(new TerminalDecider.Provision(new TerminalEntity.Provision(MID, TID, tmk, null)));
    return this;
  }

  DeciderHarness signedOn() {
    provisioned();
    TerminalMessage reply = reply(request(pack(signOn("003").build())));
    assertEquals("00", reply.get(39), "sign-on");
    mak = SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH, TMK, reply.getBytes(62)).mak();
    return this;
  }

  /** A sign-on (0800) with the key scheme {@code networkCode} (60.3: 001, 003 or 004). */
  TerminalMessage.Builder signOn(String networkCode) {
    return management("0800", networkCode);
  }

  /**
   * A management message {@code mti} of 60.3 {@code networkCode} (0820: 301 echo, 002 sign-off).
   */
  TerminalMessage.Builder management(String mti, String networkCode) {
    return TerminalMessage.builder(mti)
        .set(11, nextStan())
        .set(41, TID)
        .set(42, MID)
        .set(60, "00" + batch + networkCode);
  }

  /** A settlement (0500) of the batch with the terminal's domestic totals. */
  TerminalMessage.Builder settlement(long debitFen, int debits, long creditFen, int credits) {
    SettlementTotals totals =
        new SettlementTotals(
            new SettlementTotals.Block(
                debitFen, debits, creditFen, credits, SettlementTotals.REQUEST),
            SettlementTotals.Block.EMPTY);
    return TerminalMessage.builder("0500")
        .set(11, nextStan())
        .set(41, TID)
        .set(42, MID)
        .set(48, totals.format())
        .set(49, "156")
        .set(60, "00" + batch + "201");
  }

  /** The last batch upload (0320, 60.3 = 207) of {@code batchNo}, with its total count. */
  TerminalMessage.Builder uploadEnd(String batchNo, int totalCount) {
    return TerminalMessage.builder("0320")
        .set(11, nextStan())
        .set(41, TID)
        .set(42, MID)
        .set(48, BatchUploadRecords.formatTotalCount(totalCount))
        .set(60, "00" + batchNo + "207");
  }

  /** A void (0200, 60.1 = 23) of {@code original} for {@code amountFen}. */
  TerminalMessage.Builder voidOf(TerminalState.Txn original, String pan, long amountFen) {
    return sale(pan, amountFen)
        .remove(14)
        .set(3, "200000")
        .set(37, original.rrn())
        .set(60, "23" + batch + "000")
        .set(61, original.batch() + original.stan());
  }

  /** A refund (0220, 60.1 = 25) of the sale with RRN {@code rrn} of {@code date} (MMDD). */
  TerminalMessage.Builder refundOf(String rrn, String date, String pan, long amountFen) {
    return sale(pan, amountFen)
        .mti("0220")
        .remove(14)
        .set(3, "200000")
        .set(37, rrn)
        .set(60, "25" + batch + "000")
        .set(61, "000000000000" + date);
  }

  String nextStan() {
    return String.format(Locale.ROOT, "%06d", ++stan);
  }

  TerminalMessage.Builder sale(String pan, long amountFen) {
    return TerminalMessage.builder("0200")
        .set(2, pan)
        .set(3, "000000")
        .set(4, String.format(Locale.ROOT, "%012d", amountFen))
        .set(11, nextStan())
        .set(14, "3012")
        .set(22, "021")
        .set(25, "00")
        .set(41, TID)
        .set(42, MID)
        .set(49, "156")
        .set(60, "22" + batch + "000")
        .setBytes(64, Macs.placeholder());
  }

  TerminalMessage.Builder balance(String pan) {
    return TerminalMessage.builder("0200")
        .set(2, pan)
        .set(3, "310000")
        .set(11, nextStan())
        .set(14, "3012")
        .set(22, "021")
        .set(25, "00")
        .set(41, TID)
        .set(42, MID)
        .set(49, "156")
        .set(60, "01" + batch + "000")
        .setBytes(64, Macs.placeholder());
  }

  /** A reversal (0400) of the sale with {@code saleStan}, reason 98. */
  TerminalMessage.Builder reversalOf(String pan, long amountFen, String saleStan) {
    return TerminalMessage.builder("0400")
        .set(2, pan)
        .set(3, "000000")
        .set(4, String.format(Locale.ROOT, "%012d", amountFen))
        .set(11, saleStan)
        .set(22, "021")
        .set(25, "00")
        .set(39, "98")
        .set(41, TID)
        .set(42, MID)
        .set(49, "156")
        .set(60, "22" + batch + "000")
        .setBytes(64, Macs.placeholder());
  }

  byte[] withMac(TerminalMessage.Builder m) {
    byte[] body = pack(m.build());
    return Macs.withMac(body, CupCrypto.cupMac(mak, Macs.mab(body)));
  }

  /**
   * The host's answer to the transaction sent by {@code d}, with its CMF action code (0000
   * approves).
   */
  Decision answer(Decision d, String actionCode) {
    Decision.SendUpstream up = sent(d);
    return decide(
        new TerminalDecider.UpstreamAnswered(
            up.key(),
            new CardBusResult.Answered("cups", actionCode, "123456", "20261207", null),
            false));
  }

  /** A sale of {@code amountFen} approved by the host, as recorded. */
  TerminalState.Txn approvedSale(String pan, long amountFen) {
    Decision d = request(withMac(sale(pan, amountFen)));
    answer(d, "0000");
    return state.txn(sent(d).key()).orElseThrow();
  }

  /** The message sent upstream when the pending reversal of {@code key} is due. */
  CardBusRequest reversalSent(String key, int attempts) {
    return effects(
            decide(new TerminalDecider.ReversalDue(key, attempts)), Decision.SendReversal.class)
        .get(0)
        .request();
  }

  Decision timeOut(Decision d) {
    return decide(
        new TerminalDecider.UpstreamAnswered(
            sent(d).key(), new CardBusResult.TimedOut("cups"), false));
  }

  static Decision.SendUpstream sent(Decision d) {
    return effects(d, Decision.SendUpstream.class).get(0);
  }

  static <T extends Decision.Effect> List<T> effects(Decision d, Class<T> type) {
    return d.effects().stream().filter(type::isInstance).map(type::cast).toList();
  }

  static TerminalMessage reply(Decision d) {
    if (!(d.reply() instanceof Decision.ToTerminal t))
      throw new AssertionError("no reply to the terminal: " + d);
    return t.message();
  }

  static byte[] pack(TerminalMessage m) {
    try {
      return TerminalCodec.pack(m);
    } catch (TerminalFormatException e) {
      throw new AssertionError(e);
    }
  }
}
