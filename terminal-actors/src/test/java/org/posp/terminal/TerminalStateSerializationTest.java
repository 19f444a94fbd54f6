package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.terminal.Txns.saleRef;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posp.security.KeyScheme;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.security.SoftwareHsm;
import org.posp.security.WorkingKeys;
import org.posp.terminal.TerminalEntity.TerminalResponse;
import org.posp.terminal.TerminalState.Keys;
import org.posp.terminal.TerminalState.Reversal;
import org.posp.terminal.TerminalState.Settlement;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.Masking;
import org.posp.terminal.codec.TransactionType;

/**
 * Snapshots, events and the commands that cross nodes go through Pekko's Jackson CBOR binding; the
 * state must come back equal and must not carry a clear PAN or key.
 */
class TerminalStateSerializationTest {
  static final String LMK = "89ABCDEF01234567FEDCBA9876543210";
  static final String TMK_HEX = "70F2A84CCBC2AE8625CBB0F2C22AB923";
  static final String PAN = "6214880000012345671";
  static final String EXPIRY = "3012";
  private static ActorTestKit testKit;
  private static SoftwareHsm hsm;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "terminal-state-serialization",
            ConfigFactory.parseString(
                "pekko.actor.serialization-bindings {\"org.posp.persistence.CborSerializable\" = jackson-cbor}"));
    hsm = SoftwareHsm.fromHex(LMK);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Serialization serialization() {
    return SerializationExtension.get(testKit.system().classicSystem());
  }

  private static byte[] bytes(Object o) {
    Serializer s = serialization().findSerializerFor(o);
    assertEquals(
        "JacksonCborSerializer",
        s.getClass().getSimpleName(),
        "bound to jackson-cbor: " + o.getClass());
    return serialization().serialize(o).get();
  }

  private static Object roundTrip(Object o) {
    Serializer s = serialization().findSerializerFor(o);
    String manifest = Serializers.manifestFor(s, o);
    return serialization().deserialize(bytes(o), s.identifier(), manifest).get();
  }

  /** A card transaction the way the entity builds it: masked, keyed-hashed and encrypted PAN. */
  private static Txn cardTxn(
      TransactionType type,
      String stan,
      long amount,
      String rrn,
      TxnStatus status,
      String originalKey) {
    Txn t = Txns.txn(type, "000003", stan, amount, rrn, status, originalKey);
    return new Txn(
        t.key(),
        t.type(),
        t.batch(),
        t.stan(),
        t.amountFen(),
        t.requestHash(),
        t.rrn(),
        t.upstreamStan(),
        t.localDateTime(),
        t.date(),
        t.time(),
        Masking.pan(PAN),
        hsm.keyedHash(PAN.getBytes(StandardCharsets.US_ASCII)),
        hsm.encryptData((PAN + "|" + EXPIRY).getBytes(StandardCharsets.US_ASCII)),
        t.originalKey(),
        t.status(),
        t.responseCode(),
        t.authCode(),
        t.settlementDate(),
        t.endpoint(),
        t.refundedFen(),
        t.reversal(),
        t.startedAt());
  }

  /**
   * Every kind of transaction, keys under the LMK, refundable sales and a settlement with its
   * upload.
   */
  private static TerminalState fullState() {
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, HexFormat.of().parseHex(TMK_HEX));
    WorkingKeys wk = hsm.generateWorkingKeys(tmk, KeyScheme.DOUBLE_LENGTH_WITH_TDK);
    Keys keys =
        new Keys(
            KeyScheme.DOUBLE_LENGTH_WITH_TDK,
            wk.pik(),
            wk.mak(),
            wk.tdk(),
            Instant.parse("2025-03-14T07:08:09.123456789Z"));
    Txn approved =
        cardTxn(TransactionType.SALE, "000001", 10_00, "R1", TxnStatus.APPROVED, null)
            .withRefunded(3_00);
    Txn voided = cardTxn(TransactionType.SALE, "000002", 5_00, "R2", TxnStatus.VOIDED, null);
    Txn theVoid =
        cardTxn(TransactionType.SALE_VOID, "000003", 5_00, "R3", TxnStatus.APPROVED, voided.key());
    Txn refund = cardTxn(TransactionType.REFUND, "000004", 3_00, "R4", TxnStatus.APPROVED, "R1");
    Txn declined = cardTxn(TransactionType.SALE, "000005", 9_00, "R5", TxnStatus.DECLINED, null);
    Txn reversed =
        cardTxn(TransactionType.SALE, "000006", 2_00, "R6", TxnStatus.REVERSED, null)
            .withReversal(
                new Reversal("98", "524100100001", "20250314150810", Txns.STARTED, false));
    Txn pending = cardTxn(TransactionType.SALE, "000007", 1_00, "R7", TxnStatus.PENDING, null);
    Map<String, Txn> txns = new LinkedHashMap<>();
    for (Txn t : List.of(approved, voided, theVoid, refund, declined, reversed, pending))
      txns.put(t.key(), t);
    Map<String, TerminalState.SaleRef> sales =
        Map.of("R-OLD", saleRef("R-OLD", 20_00, 5_00, Txns.STARTED));
    Settlement settlement =
        new Settlement(
            "000002",
            "000099",
            "HASH",
            "2",
            "0".repeat(62),
            "000003",
            "RRN-SETTLE",
            "0313",
            "180000",
            new BatchTotals(15_00, 2, 5_00, 1),
            Txns.STARTED,
            Map.of("000001", 10_00L, "000002", 5_00L),
            Map.of("000001", 10_00L),
            1,
            false);
    return new TerminalState(
        "898100012340001", "10000001", tmk, keys, true, "000003", txns, sales, settlement);
  }

  @Test
  void aStateWithEveryKindOfTransactionComesBackEqual() {
    TerminalState s = fullState();
    Object back = roundTrip(s);
    assertEquals(s, back);
    TerminalState t = (TerminalState) back;
    assertTrue(t.provisioned() && t.signedOn() && t.signOnRequired());
    assertEquals(s.openBatchTotals(), t.openBatchTotals());
    // the recovered card cryptogram still opens under the same HSM (a reversal after recovery needs
    // it)
    String card =
        new String(
            hsm.decryptData(t.txn("02:000003:000006").orElseThrow().cardEnc()),
            StandardCharsets.US_ASCII);
    assertEquals(PAN + "|" + EXPIRY, card);
  }

  @Test
  void anX919StateComesBackEqual() {
    TerminalState s = fullState();
    TerminalState x919 =
        s.withProvisioning(s.merchantId(), s.terminalId(), s.tmk(), MacAlgorithm.X919)
            .withKeys(s.keys(), s.batchNo());
    assertEquals(MacAlgorithm.X919, x919.macAlgorithm());
    assertEquals(x919, roundTrip(x919));
  }

  /**
   * Events and snapshots written before the MAC algorithm was recorded have no such field: they
   * read as CUP ECB (docs/protocol/terminal.md §11.2), the only MAC of that time.
   */
  @Test
  void eventsAndSnapshotsWithoutAMacAlgorithmReadAsCupEcb() throws Exception {
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    TerminalEvent.Provisioned event =
        new TerminalEvent.Provisioned(
            "898100012340001", "10000001", fullState().tmk(), MacAlgorithm.X919);
    TerminalEvent.Provisioned old =
        (TerminalEvent.Provisioned) withoutField(cbor, event, "macAlgorithm");
    assertEquals(MacAlgorithm.CUP_ECB, MacAlgorithm.orDefault(old.macAlgorithm()));
    assertEquals(
        MacAlgorithm.CUP_ECB, TerminalEvents.apply(TerminalState.empty(), old).macAlgorithm());
    TerminalState state =
        fullState()
            .withProvisioning("898100012340001", "10000001", fullState().tmk(), MacAlgorithm.X919);
    TerminalState oldState = (TerminalState) withoutField(cbor, state, "macAlgorithm");
    assertEquals(MacAlgorithm.CUP_ECB, oldState.macAlgorithm());
  }

  /**
   * Serializes {@code o} as the node does, drops one top-level field (as an older release wrote
   * it), reads it back.
   */
  private static Object withoutField(ObjectMapper cbor, Object o, String field) throws Exception {
    Serializer s = serialization().findSerializerFor(o);
    String manifest = Serializers.manifestFor(s, o);
    var tree = (ObjectNode) cbor.readTree(bytes(o));
    assertTrue(tree.has(field), field + " is written");
    tree.remove(field);
    return serialization()
        .deserialize(cbor.writeValueAsBytes(tree), s.identifier(), manifest)
        .get();
  }

  @Test
  void theEmptyStateComesBackEqual() {
    assertEquals(TerminalState.empty(), roundTrip(TerminalState.empty()));
  }

  @Test
  void theSerializedStateHoldsNoClearPanNorClearKey() {
    String text = new String(bytes(fullState()), StandardCharsets.ISO_8859_1);
    assertFalse(text.contains(PAN), "clear PAN in the snapshot");
    assertFalse(text.contains(PAN.substring(6, 15)), "middle digits of the PAN in the snapshot");
    assertFalse(
        text.contains(EXPIRY + "|") || text.contains("|" + EXPIRY),
        "card and expiry in the snapshot");
    assertFalse(text.toUpperCase().contains(TMK_HEX), "clear TMK in the snapshot");
    assertFalse(
        text.contains(new String(HexFormat.of().parseHex(TMK_HEX), StandardCharsets.ISO_8859_1)),
        "clear TMK bytes in the snapshot");
    assertTrue(text.contains(Masking.pan(PAN)), "the masked PAN is what is kept");
  }

  @Test
  void everyEventComesBackEqual() {
    TerminalState s = fullState();
    Txn txn = s.txns().values().iterator().next();
    TerminalState.Keys k = s.keys();
    List<TerminalEvent> events =
        List.of(
            new TerminalEvent.Provisioned(s.merchantId(), s.terminalId(), s.tmk(), null),
            new TerminalEvent.Provisioned(
                s.merchantId(), s.terminalId(), s.tmk(), MacAlgorithm.X919),
            new TerminalEvent.SignedOn(
                k.scheme(),
                k.pik(),
                k.mak(),
                k.tdk(),
                k.issuedAt(),
                k.signOnStan(),
                k.signOnHash(),
                "000003"),
            new TerminalEvent.SignedOff(),
            new TerminalEvent.SignOnRequired(),
            new TerminalEvent.TxnRequested(
                txn.key(),
                txn.type(),
                txn.batch(),
                txn.stan(),
                txn.amountFen(),
                txn.requestHash(),
                new TerminalEvent.TxnIds(
                    txn.rrn(), txn.upstreamStan(), txn.localDateTime(), txn.date(), txn.time()),
                new TerminalEvent.Card(txn.panMasked(), txn.panHash(), txn.cardEnc()),
                txn.originalKey(),
                txn.startedAt(),
                txn.origin()),
            new TerminalEvent.TxnApproved(txn.key(), "123456", "20250315", "cups"),
            new TerminalEvent.TxnDeclined(txn.key(), "51", "cups"),
            new TerminalEvent.TxnUnanswered(txn.key(), "cups"),
            new TerminalEvent.TxnCompletedV1(
                txn.key(),
                TxnStatus.REVERSED,
                "98",
                null,
                null,
                "cups",
                new Reversal("98", "524100100001", "20250314150810", Txns.STARTED, false)),
            Txns.reversalRequested(txn.key(), "06"),
            new TerminalEvent.ReversedBeforeSeen("000001:000009"),
            new TerminalEvent.ReversalCompleted(txn.key()),
            Txns.settled(s.lastSettlement(), Txns.STARTED),
            new TerminalEvent.BatchUploaded("000002", Map.of("000001", 10_00L), 1, true));
    for (TerminalEvent e : events) {
      assertEquals(e, roundTrip(e), e.getClass().getSimpleName());
      String text = new String(bytes(e), StandardCharsets.ISO_8859_1);
      assertFalse(text.contains(PAN), "clear PAN in " + e.getClass().getSimpleName());
    }
  }

  @Test
  void commandsAndRepliesThatCrossNodesComeBackEqual() {
    TestProbe<TerminalResponse> replies = testKit.createTestProbe();
    TestProbe<StatusReply<Done>> acks = testKit.createTestProbe();
    byte[] body = {0x02, 0x00, 0x30, 0x20};
    var request =
        (TerminalEntity.HandleRequest)
            roundTrip(new TerminalEntity.HandleRequest(body, replies.ref()));
    assertArrayEquals(body, request.body());
    assertEquals(replies.ref(), request.replyTo());

    var response = (TerminalResponse) roundTrip(new TerminalResponse(body, 3));
    assertArrayEquals(body, response.body());
    assertEquals(3, response.processingRequirement());
    assertEquals(null, ((TerminalResponse) roundTrip(TerminalResponse.none())).body());

    LmkKey tmk = hsm.importClearKey(KeyType.TMK, HexFormat.of().parseHex(TMK_HEX));
    for (TerminalEntity.Command c :
        List.of(
            new TerminalEntity.Provision("898100012340001", "10000001", tmk, acks.ref()),
            new TerminalEntity.Provision(
                "898100012340001", "10000001", tmk, MacAlgorithm.X919, acks.ref()),
            new TerminalEntity.RequireSignOn(acks.ref()))) {
      assertEquals(c, roundTrip(c), c.getClass().getSimpleName());
    }
    var undelivered =
        (TerminalEntity.ReplyUndelivered)
            roundTrip(new TerminalEntity.ReplyUndelivered(body, "d-1"));
    assertArrayEquals(body, undelivered.body());
    assertEquals("d-1", undelivered.delivery());
  }
}
