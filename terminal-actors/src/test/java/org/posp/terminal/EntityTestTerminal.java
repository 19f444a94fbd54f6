package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.posp.security.CupCrypto;
import org.posp.security.KeyScheme;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.security.SignOnKeyBlock;
import org.posp.terminal.TerminalEntity.TerminalResponse;
import org.posp.terminal.codec.Field60;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;

/**
 * One terminal as the entity tests drive it: a real {@link TerminalEntity} spawned in the test kit,
 * and the terminal's side of the protocol built with the project's codec — requests packed with
 * {@link TerminalCodec}, MACs computed with {@link CupCrypto} on the clear MAK opened from the
 * sign-on reply with the clear TMK.
 */
final class EntityTestTerminal {
  static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
  static final String EXPIRY = "3012";
  private static final AtomicInteger NEXT_TID = new AtomicInteger(30_000_001);

  final String merchantId;
  final String tid = String.valueOf(NEXT_TID.getAndIncrement());
  final String entityId;
  final String pid;
  private final ActorTestKit testKit;
  private TerminalServices services;
  private final List<ActorRef<?>> running;
  ActorRef<TerminalEntity.Command> ref;

  /** The clear MAK of the last sign-on, as the terminal holds it. */
  byte[] mak;

  /** The MAC algorithm this terminal was provisioned with. */
  MacAlgorithm macAlgorithm = MacAlgorithm.CUP_ECB;

  /** The batch (60.2) the switch named in the last sign-on reply. */
  String batch;

  private int stan;

  EntityTestTerminal(
      ActorTestKit testKit,
      String merchantId,
      TerminalServices services,
      List<ActorRef<?>> running) {
    this.testKit = testKit;
    this.merchantId = merchantId;
    this.services = services;
    this.running = running;
    this.entityId = TerminalEntity.entityId(merchantId, tid);
    this.pid = PersistenceId.of(TerminalEntity.TYPE_KEY.name(), entityId).id();
  }

  EntityTestTerminal spawn() {
    ref = testKit.spawn(TerminalEntity.create(entityId, services, null));
    running.add(ref);
    return this;
  }

  /** Stops the entity (waiting for it to end) and spawns a new incarnation with the same id. */
  void restart() {
    testKit.stop(ref, Duration.ofSeconds(10));
    running.remove(ref);
    spawn();
  }

  /**
   * Stops the entity and spawns a new incarnation with the same id that uses {@code other}
   * services.
   */
  void restartWith(TerminalServices other) {
    services = other;
    restart();
  }

  StatusReply<Done> provision(LmkKey tmk) {
    return provisionAs(tid, tmk);
  }

  /** Provisions with a MAC algorithm; the terminal's side MACs with it from now on. */
  StatusReply<Done> provision(LmkKey tmk, MacAlgorithm mac) {
    TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
    ref.tell(new TerminalEntity.Provision(merchantId, tid, tmk, mac, probe.ref()));
    StatusReply<Done> reply = probe.receiveMessage(REPLY_TIMEOUT);
    if (reply.isSuccess()) macAlgorithm = mac;
    return reply;
  }

  StatusReply<Done> provisionAs(String terminalId, LmkKey tmk) {
    TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
    ref.tell(new TerminalEntity.Provision(merchantId, terminalId, tmk, probe.ref()));
    return probe.receiveMessage(REPLY_TIMEOUT);
  }

  StatusReply<Done> requireSignOn() {
    TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
    ref.tell(new TerminalEntity.RequireSignOn(probe.ref()));
    return probe.receiveMessage(REPLY_TIMEOUT);
  }

  TerminalState state() {
    TestProbe<TerminalState> probe = testKit.createTestProbe();
    ref.tell(new TerminalEntity.GetState(probe.ref()));
    return probe.receiveMessage(REPLY_TIMEOUT);
  }

  TerminalResponse send(byte[] body) {
    return send(body, TerminalEntity.newDelivery());
  }

  /**
   * Sends {@code body} as the front's delivery {@code delivery} (the same value when the front asks
   * again).
   */
  TerminalResponse send(byte[] body, String delivery) {
    TestProbe<TerminalResponse> probe = testKit.createTestProbe();
    ref.tell(new TerminalEntity.HandleRequest(body, probe.ref(), delivery));
    return probe.receiveMessage(REPLY_TIMEOUT);
  }

  String nextStan() {
    return String.format(Locale.ROOT, "%06d", ++stan);
  }

  String lastStan() {
    return String.format(Locale.ROOT, "%06d", stan);
  }

  /**
   * Signs on with scheme 003, announcing {@code terminalBatch}; keeps the MAK and the batch the
   * switch names.
   */
  TerminalMessage signOn(byte[] clearTmk, String terminalBatch) {
    TerminalMessage reply = signOnReply(KeyScheme.DOUBLE_LENGTH, terminalBatch);
    assertEquals("00", reply.get(39), "sign-on: " + reply);
    mak =
        SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH, clearTmk, reply.getBytes(62), macAlgorithm)
            .mak();
    batch = field60(reply).batch();
    return reply;
  }

  /** The reply to a sign-on with {@code scheme}, whatever its 39; installs nothing. */
  TerminalMessage signOnReply(KeyScheme scheme, String terminalBatch) {
    TerminalMessage req =
        TerminalMessage.builder("0800")
            .set(11, nextStan())
            .set(41, tid)
            .set(42, merchantId)
            .set(60, "00" + terminalBatch + scheme.networkCode())
            .build();
    return unpack(send(pack(req)).body());
  }

  /** A swiped sale (消费) without PIN, MAC under the clear MAK. */
  byte[] sale(String pan, long amountFen) {
    TerminalMessage m =
        TerminalMessage.builder("0200")
            .set(2, pan)
            .set(3, "000000")
            .set(4, String.format(Locale.ROOT, "%012d", amountFen))
            .set(11, nextStan())
            .set(14, EXPIRY)
            .set(22, "021")
            .set(25, "00")
            .set(41, tid)
            .set(42, merchantId)
            .set(49, "156")
            .set(60, "22" + batch + "000")
            .setBytes(64, Macs.placeholder())
            .build();
    return withMac(pack(m));
  }

  /** An echo test (回响测试, 0820 with 60.3 = 301): no MAC, no merchant check, always 00. */
  byte[] echo() {
    return pack(
        TerminalMessage.builder("0820")
            .set(11, nextStan())
            .set(41, tid)
            .set(42, merchantId)
            .set(60, "00" + (batch == null ? "000001" : batch) + "301")
            .build());
  }

  /**
   * Duplicate key of the entity for a financial request of this terminal (MTI class + batch +
   * STAN).
   */
  String key(String mti, String stanOfRequest) {
    return TxnKeys.of(mti, batch, stanOfRequest);
  }

  byte[] withMac(byte[] body) {
    return Macs.withMac(body, mac(Macs.mab(body)));
  }

  /** Field 64 of a MAB under the clear MAK with the terminal's MAC algorithm. */
  byte[] mac(byte[] mab) {
    return macAlgorithm == MacAlgorithm.X919
        ? CupCrypto.x919Field64(new CupCrypto.RetailMacKey(mak), mab)
        : CupCrypto.cupMac(mak, mab);
  }

  /** The reply's field 64 must be the MAC of its MAB under the terminal's MAK. */
  void assertMacValid(byte[] replyBody) {
    assertArrayEquals(mac(Macs.mab(replyBody)), Macs.macOf(replyBody), "reply MAC");
  }

  static byte[] pack(TerminalMessage m) {
    try {
      return TerminalCodec.pack(m);
    } catch (TerminalFormatException e) {
      throw new AssertionError("test request does not pack: " + e.getMessage(), e);
    }
  }

  static TerminalMessage unpack(byte[] body) {
    if (body == null) throw new AssertionError("the entity answered with nothing to send");
    try {
      return TerminalCodec.unpack(body);
    } catch (TerminalFormatException e) {
      throw new AssertionError("reply does not unpack: " + e.getMessage(), e);
    }
  }

  static Field60 field60(TerminalMessage m) {
    try {
      return Field60.parse(m.get(60));
    } catch (TerminalFormatException e) {
      throw new AssertionError("field 60 of " + m + ": " + e.getMessage(), e);
    }
  }
}
