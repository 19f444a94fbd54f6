package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.terminal.EntityTestTerminal.unpack;
import static org.posp.terminal.TestCards.card;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posp.channel.CardBusSystem;
import org.posp.security.CupCrypto;
import org.posp.security.HsmException;
import org.posp.security.KeyScheme;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.security.SignOnKeyBlock;
import org.posp.security.SoftwareHsm;
import org.posp.security.WorkingKeys;
import org.posp.sim.cardbus.CardBusHost;
import org.posp.sim.cardbus.CardBusHostConfig;
import org.posp.sim.cardbus.HostMessage;
import org.posp.sim.cardbus.Operation;
import org.posp.terminal.TerminalEntity.TerminalResponse;
import org.posp.terminal.TerminalEvent.Provisioned;
import org.posp.terminal.TerminalEvent.ReversalCompleted;
import org.posp.terminal.TerminalEvent.ReversalRequested;
import org.posp.terminal.TerminalEvent.SignedOn;
import org.posp.terminal.TerminalEvent.TxnApproved;
import org.posp.terminal.TerminalEvent.TxnDeclined;
import org.posp.terminal.TerminalEvent.TxnRequested;
import org.posp.terminal.TerminalEvent.TxnUnanswered;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.Masking;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * A real {@link TerminalEntity} in an actor test kit: in-memory journal and snapshots (Jackson
 * CBOR), a real {@link SoftwareHsm}, the real card bus ({@link CardBusSystem}) talking CMF over
 * loopback TCP to the real card-bus host simulator, and a {@link MerchantEntity} as a plain actor.
 * The node over TCP is tested in switch-node; these tests look at the entity: its journal, its
 * state, its replies.
 */
class TerminalEntityTest {
  static final String LMK = "89ABCDEF01234567FEDCBA9876543210";
  static final byte[] TMK = HexFormat.of().parseHex("70F2A84CCBC2AE8625CBB0F2C22AB923");
  static final byte[] OTHER_TMK = HexFormat.of().parseHex("0123456789ABCDEFFEDCBA9876543210");
  static final String MID = "898100012345678";
  static final String ACQUIRER = "48020000";

  /** Routed to the endpoint with a short timeout. */
  static final String SLOW_BIN = "621499";

  static final Duration EVENT_TIMEOUT = Duration.ofSeconds(10);

  static ActorTestKit testKit;
  static PersistenceTestKit journal;
  static SoftwareHsm hsm;
  static LmkKey tmk;
  static CardBusHost host;
  static CardBusSystem cardBus;
  static UpstreamIds ids;
  static ActorRef<MerchantEntity.Command> merchant;
  private final List<ActorRef<?>> running = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    host = CardBusHost.start(CardBusHostConfig.defaults().withHttpPort(-1));
    testKit =
        ActorTestKit.create(
            "terminal-entity",
            PersistenceTestKitPlugin.config()
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(
                    ConfigFactory.parseString(
                        "pekko.actor.serialization-bindings {\"org.posp.persistence.CborSerializable\" = jackson-cbor}")));
    journal = PersistenceTestKit.create(testKit.system());
    hsm = SoftwareHsm.fromHex(LMK);
    tmk = hsm.importClearKey(KeyType.TMK, TMK);
    cardBus = CardBusSystem.start(testKit.system(), cardBusConfig(host.port()), hsm);
    cardBus.awaitReady(Duration.ofSeconds(15)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    ids = new UpstreamIds(7, Clock.systemDefaultZone());
    merchant = testKit.spawn(MerchantEntity.create(MID, MerchantSettings.defaults()), "merchant");
    TestProbe<StatusReply<Done>> ack = testKit.createTestProbe();
    merchant.tell(
        new MerchantEntity.Register(
            new MerchantEntity.Profile(
                MID, "Entity test shop", "5411", MerchantEntity.Status.ACTIVE, 0, 0, Set.of()),
            ack.ref()));
    assertTrue(ack.receiveMessage(Duration.ofSeconds(10)).isSuccess());
  }

  /**
   * Two endpoints on the one simulator: {@code cups} for every card, {@code slow} (1 s timeout) for
   * 621499.
   */
  static Config cardBusConfig(int port) {
    String address = "[\"127.0.0.1:" + port + "\"]";
    return ConfigFactory.parseString(
        "posp.card-bus {\n"
            + "acquirer-id = \""
            + ACQUIRER
            + "\"\n"
            + "logon-timeout = 2s\nconnect-timeout = 2s\n"
            + "reconnect { min-backoff = 100ms, max-backoff = 1s }\n"
            + "endpoint-defaults { links-per-address = 1, zpk.clear = \""
            + CardBusHostConfig.DEMO_ZPK
            + "\" }\n"
            + "endpoints {\n"
            + "  cups { addresses = "
            + address
            + ", timeout = 5s }\n"
            + "  slow { addresses = "
            + address
            + ", timeout = 1s }\n"
            + "}\n"
            + "routes { bins { \""
            + SLOW_BIN
            + "\" = slow }, default = cups }\n}\n");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (cardBus != null) cardBus.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } finally {
      if (testKit != null) testKit.shutdownTestKit();
      if (host != null) host.close();
    }
  }

  @AfterEach
  void stopEntities() {
    for (ActorRef<?> r : running) testKit.stop(r, Duration.ofSeconds(10));
    running.clear();
  }

  // ------------------------------------------------------------------------------ helpers

  static TerminalSettings settings(Duration keyMaxAge) {
    return new TerminalSettings(
        ACQUIRER,
        keyMaxAge,
        Duration.ofMinutes(10),
        Duration.ofSeconds(60),
        Duration.ofSeconds(20),
        Duration.ofSeconds(5),
        Duration.ofMinutes(5),
        30,
        100,
        false,
        Duration.ofMinutes(2),
        TerminalSettings.defaults(ACQUIRER).restartBackoff());
  }

  static TerminalServices services(Duration keyMaxAge, Clock clock) {
    return new TerminalServices(hsm, cardBus, ids, settings(keyMaxAge), clock, mid -> merchant);
  }

  /** Services that accept single DES keys (posp.security.allow-single-des = on, or demo mode). */
  static TerminalServices singleDesServices() {
    TerminalSettings s = settings(Duration.ofHours(24));
    return new TerminalServices(
        hsm,
        cardBus,
        ids,
        s.withSingleDesAllowed(true),
        Clock.systemDefaultZone(),
        mid -> merchant);
  }

  EntityTestTerminal terminal() {
    return new EntityTestTerminal(
        testKit, MID, services(Duration.ofHours(24), Clock.systemDefaultZone()), running);
  }

  EntityTestTerminal provisioned() {
    EntityTestTerminal t = terminal().spawn();
    assertTrue(t.provision(tmk).isSuccess());
    return t;
  }

  EntityTestTerminal signedOn() {
    EntityTestTerminal t = provisioned();
    t.signOn(TMK, "000001");
    return t;
  }

  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0)
        throw new AssertionError("not within " + EVENT_TIMEOUT + ": " + what);
      Thread.sleep(20);
    }
  }

  static <T> T next(EntityTestTerminal t, Class<T> event) {
    return journal.expectNextPersistedClass(t.pid, event, EVENT_TIMEOUT);
  }

  static long merchantDayTotal() {
    TestProbe<MerchantEntity.State> probe = testKit.createTestProbe();
    merchant.tell(new MerchantEntity.Get(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(5)).dayApprovedFen();
  }

  // ------------------------------------------------------------------------------ provisioning and
  // sign-on

  @Test
  void provisioningIsIdempotentAndRefusedForAnotherTerminalId() {
    EntityTestTerminal t = terminal().spawn();
    assertTrue(t.provision(tmk).isSuccess());
    assertEquals(
        new Provisioned(MID, t.tid, tmk, MacAlgorithm.CUP_ECB), next(t, Provisioned.class));
    assertTrue(t.provision(tmk).isSuccess(), "the same TMK again is acknowledged");
    StatusReply<Done> other = t.provisionAs("39999999", tmk);
    assertTrue(other.isError());
    assertTrue(
        other.getError().getMessage().contains("another terminal"), other.getError().getMessage());
    journal.expectNothingPersisted(t.pid, Duration.ofMillis(300));
    TerminalState s = t.state();
    assertEquals(tmk, s.tmk());
    assertEquals(MID, s.merchantId());
    assertEquals(t.tid, s.terminalId());
  }

  @Test
  void provisioningAnotherTmkSignsTheTerminalOff() {
    EntityTestTerminal t = signedOn();
    LmkKey newTmk = hsm.importClearKey(KeyType.TMK, OTHER_TMK);
    assertTrue(t.provision(newTmk).isSuccess());
    TerminalState s = t.state();
    assertEquals(newTmk, s.tmk());
    assertFalse(s.signedOn(), "working keys of the old TMK are gone");
    TerminalMessage reply = unpack(t.send(t.sale(card(), 1_00)).body());
    assertEquals("77", reply.get(39));
  }

  @Test
  void signOnReturnsAKeyBlockThatOpensWithTheTmkAndNamesTheOpenBatch() {
    EntityTestTerminal t = provisioned();
    // the terminal believes it is in batch 000009; the switch's open batch is the first one
    TerminalMessage reply = t.signOn(TMK, "000009");
    assertEquals("0810", reply.mti());
    assertEquals(
        "000001",
        EntityTestTerminal.field60(reply).batch(),
        "60.2 of the reply is the switch's batch");
    assertEquals("003", EntityTestTerminal.field60(reply).networkCode());
    assertEquals(ACQUIRER, reply.get(32));
    byte[] block = reply.getBytes(62);
    assertEquals(KeyScheme.DOUBLE_LENGTH.keyBlockLength(), block.length);
    SignOnKeyBlock.ClearWorkingKeys keys = SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH, TMK, block);
    assertThrows(
        IllegalArgumentException.class,
        () -> SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH, OTHER_TMK, block),
        "the block is under this terminal's TMK only");

    next(t, Provisioned.class);
    SignedOn signedOn = next(t, SignedOn.class);
    assertEquals("000001", signedOn.batch());
    assertEquals(KeyScheme.DOUBLE_LENGTH, signedOn.scheme());
    assertEquals(
        CupCrypto.checkValueHex(keys.mak()),
        signedOn.mak().checkValue(),
        "MAK in the block = MAK kept");
    assertEquals(
        CupCrypto.checkValueHex(keys.pik()),
        signedOn.pik().checkValue(),
        "PIK in the block = PIK kept");
    assertEquals(signedOn.mak(), t.state().keys().mak());
    assertEquals(signedOn.pik(), t.state().keys().pik());
    assertEquals(signedOn.stan(), t.state().keys().signOnStan());
    assertEquals("000001", t.state().batchNo());
  }

  // ------------------------------------------------------------------------------ MAC algorithm
  // and key hygiene

  @Test
  void anX919TerminalGetsADoubleLengthMakAndItsRequestsAndRepliesCarryTheRetailMac() {
    EntityTestTerminal t = terminal().spawn();
    assertTrue(t.provision(tmk, MacAlgorithm.X919).isSuccess());
    assertEquals(new Provisioned(MID, t.tid, tmk, MacAlgorithm.X919), next(t, Provisioned.class));
    assertEquals(MacAlgorithm.X919, t.state().macAlgorithm());
    TerminalMessage signOn = t.signOn(TMK, "000001");
    assertEquals(16, t.mak.length, "the whole 16-byte MAK slot is the MAK");
    assertThrows(
        IllegalArgumentException.class,
        () -> SignOnKeyBlock.open(KeyScheme.DOUBLE_LENGTH, TMK, signOn.getBytes(62)),
        "not the single DES MAK followed by 8 zero bytes");
    SignedOn signedOn = next(t, SignedOn.class);
    assertEquals(32, signedOn.mak().cryptogramHex().length());
    assertEquals(CupCrypto.checkValueHex(t.mak), signedOn.mak().checkValue());

    TerminalResponse sale = t.send(t.sale(card(), 12_34));
    assertEquals("00", unpack(sale.body()).get(39));
    t.assertMacValid(sale.body());

    // the same request with the CUP ECB MAC under the same MAK is not authentic for this terminal
    byte[] cupMacced = t.sale(card(), 12_34);
    cupMacced = Macs.withMac(cupMacced, CupCrypto.cupMac(t.mak, Macs.mab(cupMacced)));
    assertEquals("A0", unpack(t.send(cupMacced).body()).get(39));
  }

  @Test
  void anX919RetransmissionUnderThePreviousMakStillGetsItsOutcome() {
    EntityTestTerminal t = terminal().spawn();
    assertTrue(t.provision(tmk, MacAlgorithm.X919).isSuccess());
    t.signOn(TMK, "000001");
    byte[] sale = t.sale(card(), 5_00);
    TerminalMessage first = unpack(t.send(sale).body());
    assertEquals("00", first.get(39));
    t.signOn(TMK, "000001"); // new keys: the retransmission below is MACed under the previous MAK
    TerminalMessage again = unpack(t.send(sale).body());
    assertEquals("00", again.get(39), "answered its recorded outcome, not A0");
    assertEquals(first.get(37), again.get(37));
  }

  @Test
  void singleDesIsRefusedUnlessAllowedAndX919NeedsADoubleLengthTmk() {
    LmkKey tmk8 = hsm.importClearKey(KeyType.TMK, HexFormat.of().parseHex("0123456789ABCDEF"));
    EntityTestTerminal t = terminal().spawn();
    StatusReply<Done> refused = t.provision(tmk8);
    assertTrue(refused.isError());
    assertTrue(
        refused.getError().getMessage().contains("single DES"), refused.getError().getMessage());
    journal.expectNothingPersisted(t.pid, Duration.ofMillis(300));

    // a test system that allows single DES: provisioned, but never with the X9.19 MAC
    t.restartWith(singleDesServices());
    StatusReply<Done> x919 = t.provision(tmk8, MacAlgorithm.X919);
    assertTrue(x919.isError());
    assertTrue(
        x919.getError().getMessage().contains("double-length"), x919.getError().getMessage());
    assertTrue(t.provision(tmk8).isSuccess());
    assertEquals("00", t.signOnReply(KeyScheme.SINGLE_DES, "000001").get(39));
    next(t, Provisioned.class);
    next(t, SignedOn.class);

    // the same journal on a node that refuses single DES: sign-on 001 gets 40 and changes nothing
    t.restartWith(services(Duration.ofHours(24), Clock.systemDefaultZone()));
    TerminalMessage signOn = t.signOnReply(KeyScheme.SINGLE_DES, "000001");
    assertEquals("40", signOn.get(39));
    assertFalse(signOn.has(62), "no keys");
    journal.expectNothingPersisted(t.pid, Duration.ofMillis(300));
  }

  // ------------------------------------------------------------------------------ sale and
  // recovery

  @Test
  void aSaleIsPersistedAsStartedThenCompletedAndAnsweredWithAMac() throws Exception {
    EntityTestTerminal t = signedOn();
    long dayBefore = merchantDayTotal();
    String pan = card();
    byte[] body = t.sale(pan, 12_34);
    String stan = t.lastStan();
    TerminalResponse response = t.send(body);
    TerminalMessage reply = unpack(response.body());
    assertEquals("0210", reply.mti());
    assertEquals("00", reply.get(39), String.valueOf(reply));
    t.assertMacValid(response.body());
    assertEquals(0, response.processingRequirement());
    String rrn = reply.get(37);

    next(t, Provisioned.class);
    next(t, SignedOn.class);
    Txn started = TerminalEvents.requested(next(t, TxnRequested.class));
    assertEquals(TxnStatus.PENDING, started.status());
    assertEquals(t.key("0200", stan), started.key());
    assertEquals(TransactionType.SALE, started.type());
    assertEquals(12_34, started.amountFen());
    assertEquals(rrn, started.rrn());
    assertEquals(Masking.pan(pan), started.panMasked());
    assertEquals(hsm.keyedHash(pan.getBytes(StandardCharsets.US_ASCII)), started.panHash());
    assertEquals(
        pan + "|" + EntityTestTerminal.EXPIRY,
        new String(
            hsm.decryptData(
                started.cardEnc(), FinancialFlow.cardBinding(t.entityId, started.key())),
            StandardCharsets.US_ASCII));
    // the card data is bound to its record: another transaction's key (or none) does not open it
    assertThrows(
        HsmException.class,
        () ->
            hsm.decryptData(
                started.cardEnc(), FinancialFlow.cardBinding(t.entityId, t.key("0200", "999999"))));
    assertThrows(HsmException.class, () -> hsm.decryptData(started.cardEnc()));
    TxnApproved done = next(t, TxnApproved.class);
    assertEquals(started.key(), done.key());
    assertEquals(reply.get(38).trim(), done.authCode());
    assertEquals("cups", done.endpoint());

    HostMessage upstream = host.ledger().byRrn(rrn).orElseThrow();
    assertTrue(upstream.approved());
    assertEquals(Operation.SALE, upstream.operation());
    assertEquals(12_34, upstream.amountFen());
    assertEquals(started.upstreamStan(), upstream.stan());
    assertEquals(t.tid, upstream.terminalId().trim());
    assertEquals(new BatchTotals(12_34, 1, 0, 0), t.state().openBatchTotals());
    eventually(
        "the merchant's day total grows by the approval",
        () -> merchantDayTotal() == dayBefore + 12_34);
  }

  @Test
  void stateIsRecoveredAfterTheEntityRestartsAndARetransmissionIsAnsweredFromIt() {
    EntityTestTerminal t = signedOn();
    byte[] sale = t.sale(card(), 20_00);
    TerminalMessage first = unpack(t.send(sale).body());
    assertEquals("00", first.get(39));
    TerminalState before = t.state();

    t.restart();

    assertEquals(before, t.state());
    TerminalResponse again = t.send(sale);
    TerminalMessage replay = unpack(again.body());
    assertEquals("00", replay.get(39));
    assertEquals(first.get(37), replay.get(37));
    assertEquals(first.get(38), replay.get(38));
    t.assertMacValid(again.body()); // the recovered MAK is the one the terminal holds
    assertEquals(
        1, host.ledger().messagesByRrn(first.get(37)).size(), "no second upstream message");
  }

  @Test
  void anIntentWithoutOutcomeInTheJournalIsReversedAtTheHostOnRecovery() throws Exception {
    EntityTestTerminal t = terminal();
    WorkingKeys wk = hsm.generateWorkingKeys(tmk, KeyScheme.DOUBLE_LENGTH);
    String pan = card();
    UpstreamIds.UpstreamId id = ids.next();
    var intent =
        new TxnRequested(
            "02:000001:000001",
            TransactionType.SALE,
            "000001",
            "000001",
            15_00,
            "HASH",
            new TerminalEvent.TxnIds(id.rrn(), id.stan(), "20250314150809", "0314", "150809"),
            new TerminalEvent.Card(
                Masking.pan(pan),
                hsm.keyedHash(pan.getBytes(StandardCharsets.US_ASCII)),
                hsm.encryptData(
                    (pan + "|3012").getBytes(StandardCharsets.US_ASCII),
                    FinancialFlow.cardBinding(t.entityId, "02:000001:000001"))),
            null,
            Instant.now(),
            null);
    // the node died after persisting the intent: the host may or may not have seen the sale
    journal.persistForRecovery(
        t.pid,
        List.of(
            new Provisioned(MID, t.tid, tmk, MacAlgorithm.CUP_ECB),
            new SignedOn(
                KeyScheme.DOUBLE_LENGTH,
                wk.pik(),
                wk.mak(),
                null,
                Instant.now(),
                null,
                null,
                "000001"),
            intent));
    int reversalsBefore = host.ledger().reversalsReceived();

    t.spawn();

    eventually(
        "the reversal is acknowledged",
        () ->
            journal.persistedInStorage(t.pid).stream()
                .anyMatch(e -> e instanceof ReversalCompleted));
    List<Object> events = journal.persistedInStorage(t.pid);
    assertEquals(6, events.size(), String.valueOf(events));
    assertEquals(new TxnUnanswered(intent.key(), null), events.get(3));
    ReversalRequested reversal = (ReversalRequested) events.get(4);
    assertEquals(intent.key(), reversal.key());
    assertEquals("98", reversal.reason());
    assertNotEquals(
        intent.ids().upstreamStan(), reversal.upstreamStan(), "the reversal has its own link STAN");
    assertEquals(new ReversalCompleted(intent.key()), events.get(5));

    List<HostMessage> atHost = host.ledger().messagesByRrn(id.rrn());
    assertEquals(1, atHost.size(), String.valueOf(atHost));
    assertEquals(Operation.REVERSAL, atHost.get(0).operation());
    assertEquals(reversal.upstreamStan(), atHost.get(0).stan());
    assertEquals(reversalsBefore + 1, host.ledger().reversalsReceived());
    Txn after = t.state().txn(intent.key()).orElseThrow();
    assertEquals(TxnStatus.REVERSED, after.status());
    assertFalse(after.reversalPending());
  }

  @Test
  void anUnansweredSaleIsAnswered98AndReversedByTheSwitch() throws Exception {
    EntityTestTerminal t = signedOn();
    TerminalMessage reply = unpack(t.send(t.sale(card(SLOW_BIN, "9999"), 7_00)).body());
    assertEquals("98", reply.get(39));
    assertFalse(reply.has(64), "no MAC on a decline");

    next(t, Provisioned.class);
    next(t, SignedOn.class);
    Txn started = TerminalEvents.requested(next(t, TxnRequested.class));
    assertEquals("slow", next(t, TxnUnanswered.class).endpoint());
    assertEquals("98", next(t, ReversalRequested.class).reason());
    assertEquals(new ReversalCompleted(started.key()), next(t, ReversalCompleted.class));
    assertTrue(
        host.ledger().messagesByRrn(started.rrn()).stream()
            .anyMatch(m -> m.operation() == Operation.REVERSAL));
    assertEquals(0, host.ledger().terminal(MID, t.tid).netFen(), "the host's debit is undone");
    assertEquals(BatchTotals.ZERO, t.state().openBatchTotals());
  }

  // ------------------------------------------------------------------------------ processing
  // requirement

  @Test
  void requireSignOnMakesRepliesAskForASignOnUntilTheTerminalSignsOn() {
    EntityTestTerminal t = signedOn();
    assertEquals(0, t.send(t.echo()).processingRequirement());
    assertTrue(t.requireSignOn().isSuccess());
    next(t, Provisioned.class);
    next(t, SignedOn.class);
    next(t, TerminalEvent.SignOnRequired.class);

    TerminalResponse echo = t.send(t.echo());
    assertEquals(3, echo.processingRequirement());
    assertEquals("00", unpack(echo.body()).get(39));
    TerminalResponse sale = t.send(t.sale(card(), 1_00));
    assertEquals(3, sale.processingRequirement(), "the sale is served and asks for a sign-on too");
    assertEquals("00", unpack(sale.body()).get(39));

    t.signOn(TMK, t.batch);
    assertEquals(0, t.send(t.echo()).processingRequirement());

    EntityTestTerminal unprovisioned = terminal().spawn();
    assertTrue(unprovisioned.requireSignOn().isError());
    assertEquals(0, unprovisioned.send(unprovisioned.echo()).processingRequirement());
  }

  @Test
  void keysOlderThanTheirMaximumAgeMakeRepliesAskForASignOn() {
    MutableClock clock = new MutableClock(Instant.now(), ZoneId.of("Asia/Shanghai"));
    EntityTestTerminal t =
        new EntityTestTerminal(testKit, MID, services(Duration.ofHours(1), clock), running).spawn();
    assertTrue(t.provision(tmk).isSuccess());
    t.signOn(TMK, "000001");
    assertEquals(0, t.send(t.echo()).processingRequirement());
    clock.advance(Duration.ofMinutes(59));
    assertEquals(0, t.send(t.echo()).processingRequirement(), "59 minutes old");
    clock.advance(Duration.ofMinutes(2));
    assertEquals(3, t.send(t.echo()).processingRequirement(), "61 minutes old");
    t.signOn(TMK, t.batch);
    assertEquals(0, t.send(t.echo()).processingRequirement(), "fresh keys");
  }

  // ------------------------------------------------------------------------------ undelivered
  // replies, journal failures

  @Test
  void anApprovalWhoseReplyCouldNotBeDeliveredIsReversedAtTheHost() {
    EntityTestTerminal t = signedOn();
    byte[] sale = t.sale(card(), 33_00);
    String delivery = TerminalEntity.newDelivery();
    TerminalMessage reply = unpack(t.send(sale, delivery).body());
    assertEquals("00", reply.get(39));
    String key = t.key("0200", t.lastStan());
    assertEquals(33_00, host.ledger().terminal(MID, t.tid).netFen());

    t.ref.tell(new TerminalEntity.ReplyUndelivered(sale, delivery));

    next(t, Provisioned.class);
    next(t, SignedOn.class);
    next(t, TxnRequested.class);
    next(t, TxnApproved.class);
    ReversalRequested requested = next(t, ReversalRequested.class);
    assertEquals(key, requested.key());
    assertEquals("06", requested.reason());
    assertEquals(new ReversalCompleted(key), next(t, ReversalCompleted.class));
    assertEquals(1, host.ledger().terminal(MID, t.tid).reversedCount());
    assertEquals(0, host.ledger().terminal(MID, t.tid).netFen());
    assertEquals(TxnStatus.REVERSED, t.state().txn(key).orElseThrow().status());
  }

  /**
   * Finding 2 of the security review: only the delivery that started a transaction can undo it, and
   * only with the request's MAC and recorded content; a replay, a forged MAC or other content undo
   * nothing.
   */
  @Test
  void anUndeliveredReplyUndoesNothingUnlessItIsTheAuthenticatedFirstDelivery() {
    EntityTestTerminal t = signedOn();
    next(t, Provisioned.class);
    next(t, SignedOn.class);
    byte[] sale = t.sale(card(), 12_00);
    String first = TerminalEntity.newDelivery();
    assertEquals("00", unpack(t.send(sale, first).body()).get(39));
    next(t, TxnRequested.class);
    next(t, TxnApproved.class);
    String replay = TerminalEntity.newDelivery();
    assertEquals(
        "00",
        unpack(t.send(sale, replay).body()).get(39),
        "a retransmission gets the recorded approval");

    byte[] forged = sale.clone();
    forged[forged.length - 1] ^= 0x5A;
    t.ref.tell(new TerminalEntity.ReplyUndelivered(sale, replay));
    t.ref.tell(new TerminalEntity.ReplyUndelivered(forged, first));
    t.ref.tell(new TerminalEntity.ReplyUndelivered(forged, TerminalEntity.newDelivery()));
    journal.expectNothingPersisted(t.pid, Duration.ofMillis(800));
    assertEquals(12_00, host.ledger().terminal(MID, t.tid).netFen());
    assertEquals(0, host.ledger().terminal(MID, t.tid).reversedCount());

    // the genuine first delivery still can
    t.ref.tell(new TerminalEntity.ReplyUndelivered(sale, first));
    next(t, ReversalRequested.class);
    next(t, ReversalCompleted.class);
    assertEquals(0, host.ledger().terminal(MID, t.tid).netFen());
  }

  /**
   * Finding 1: a body whose MTI is not a request MTI is not answered and does not stop the entity.
   */
  @Test
  void aBodyWithANonRequestMtiIsDroppedAndTheEntityKeepsRunning() {
    EntityTestTerminal t = signedOn();
    next(t, Provisioned.class);
    next(t, SignedOn.class);
    for (int[] mti : new int[][] {{0x99, 0x90}, {0x99, 0x99}, {0x02, 0x10}}) {
      byte[] bad = t.sale(card(), 1_00);
      bad[0] = (byte) mti[0];
      bad[1] = (byte) mti[1];
      assertEquals(null, t.send(bad).body(), String.format("MTI %02X%02X", mti[0], mti[1]));
    }
    journal.expectNothingPersisted(t.pid, Duration.ofMillis(300));
    assertEquals(
        "00",
        unpack(t.send(t.sale(card(), 2_00)).body()).get(39),
        "same incarnation, still signed on");
  }

  @Test
  void anUndeliveredDeclineIsNotReversed() {
    EntityTestTerminal t = signedOn();
    byte[] sale = t.sale(card("621488", "9997"), 4_00);
    String delivery = TerminalEntity.newDelivery();
    TerminalMessage reply = unpack(t.send(sale, delivery).body());
    assertEquals("05", reply.get(39), "the host declines cards ending 9997");
    String key = t.key("0200", t.lastStan());
    next(t, Provisioned.class);
    next(t, SignedOn.class);
    next(t, TxnRequested.class);
    next(t, TxnDeclined.class);
    int reversalsBefore = host.ledger().reversalsReceived();

    t.ref.tell(new TerminalEntity.ReplyUndelivered(sale, delivery));

    journal.expectNothingPersisted(t.pid, Duration.ofMillis(500));
    assertEquals(reversalsBefore, host.ledger().reversalsReceived());
    assertEquals(TxnStatus.DECLINED, t.state().txn(key).orElseThrow().status());
  }

  /**
   * architecture.md §6.6: while the journal refuses writes the switch answers 96 quickly and sends
   * nothing on.
   */
  @Test
  void aJournalFailureIsAnswered96AndSendsNothingUpstream() {
    EntityTestTerminal t = signedOn();
    next(t, Provisioned.class);
    next(t, SignedOn.class);
    byte[] sale = t.sale(card(), 5_00);

    journal.failNextPersisted(t.pid);
    TerminalResponse failed = t.send(sale);

    TerminalMessage decline = unpack(failed.body());
    assertEquals("0210", decline.mti());
    assertEquals("96", decline.get(39));
    assertFalse(decline.has(64), "no MAC on a decline");
    assertFalse(decline.has(37), "no RRN: nothing was allocated upstream");
    assertFalse(host.ledger().knowsTerminal(MID, t.tid), "nothing left the node");
    assertEquals(2, journal.persistedInStorage(t.pid).size(), "no intent in the journal");

    // the entity restarted from its journal and serves the terminal's retransmission, once
    TerminalMessage reply = unpack(t.send(sale).body());
    assertEquals("00", reply.get(39));
    assertEquals(1, host.ledger().messagesByRrn(reply.get(37)).size());
    journal.expectNextPersistedClass(t.pid, TxnRequested.class, EVENT_TIMEOUT);
  }

  /**
   * docs/protocol/terminal.md §12 and §8: the switch reversed an approval the terminal did not get.
   * If the terminal then retransmits the same request (same 11, same content), answering it with
   * the stored 00 hands the terminal an approval the host no longer holds: the merchant delivers
   * goods for a reversed sale and the batch will not balance (the switch counts the sale nowhere,
   * the terminal counts it as a debit).
   */
  @Test
  void aRetransmissionOfAnApprovalTheSwitchReversedIsNotAnswered00() throws Exception {
    EntityTestTerminal t = signedOn();
    byte[] sale = t.sale(card(), 9_00);
    String delivery = TerminalEntity.newDelivery();
    assertEquals("00", unpack(t.send(sale, delivery).body()).get(39));
    t.ref.tell(new TerminalEntity.ReplyUndelivered(sale, delivery));
    eventually(
        "the switch's reversal is acknowledged",
        () ->
            journal.persistedInStorage(t.pid).stream()
                .anyMatch(e -> e instanceof ReversalCompleted));
    assertEquals(0, host.ledger().terminal(MID, t.tid).netFen());

    TerminalMessage replay = unpack(t.send(sale).body());
    assertNotEquals("00", replay.get(39), "approval replayed for a sale reversed at the host");
  }
}
