package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.posp.terminal.GoldenJournalWriter.CARD_1;
import static org.posp.terminal.GoldenJournalWriter.CARD_2;
import static org.posp.terminal.GoldenJournalWriter.CARD_3;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.posp.security.KeyScheme;
import org.posp.security.KeyType;
import org.posp.security.MacAlgorithm;
import org.posp.security.SoftwareHsm;
import org.posp.terminal.MerchantEntity.Status;
import org.posp.terminal.TerminalState.Settlement;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;

/**
 * Recovery from the golden journals under {@code src/test/resources/golden/<version>/} (written
 * once per version of the events by {@link GoldenJournalWriter}): every stored event is read back
 * through Pekko serialization with its recorded serializer id and manifest, exactly as the journal
 * replays it, and folded with the entity's event handler from the empty state. For every version
 * directory: the fold equals the stored final snapshot, recovery from the mid-history snapshot plus
 * the events after it gives the same state, and the facts of that history, written out below, hold.
 *
 * <p>The serializer runs strictly here (unknown properties fail): a class renamed, or a field
 * renamed or dropped, without a Jackson migration that carries the stored data over, makes recovery
 * fail, where the node (which tolerates unknown properties for rolling upgrades) would silently
 * lose the field.
 */
class GoldenJournalTest {
  /** The first golden version: it must keep recovering for as long as such journals may exist. */
  private static final String FIRST = "v1";

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "golden-journal",
            ConfigFactory.parseString(
                "pekko.serialization.jackson.jackson-cbor.deserialization-features { FAIL_ON_UNKNOWN_PROPERTIES = on }"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // ======================================================================== every version

  @Test
  void theFirstVersionIsKept() throws Exception {
    assertTrue(versions().contains(FIRST), "golden/" + FIRST + " is missing");
  }

  @TestFactory
  Stream<DynamicContainer> everyGoldenVersionRecovers() throws Exception {
    Path root = goldenRoot();
    return versions().stream()
        .map(
            version -> {
              Path dir = root.resolve(version);
              return DynamicContainer.dynamicContainer(
                  version,
                  Stream.of(
                      DynamicTest.dynamicTest("terminal", () -> terminalRecovers(version, dir)),
                      DynamicTest.dynamicTest("merchant", () -> merchantRecovers(version, dir)),
                      DynamicTest.dynamicTest("no clear card data", () -> noClearCardData(dir))));
            });
  }

  /**
   * The first version read through its migrations folds to the state the current events of the same
   * history give: the migrated intent, sign-on, reversal and settlement carry every fact over. Card
   * cryptograms carry a random IV, so they are compared by what they open to, not by their bytes.
   */
  @Test
  void theMigratedFirstVersionFoldsToTheStateOfTheCurrentEvents() throws Exception {
    Path root = goldenRoot();
    List<TerminalEvent> v1 =
        load(root.resolve(FIRST), GoldenJournalWriter.TERMINAL_INDEX).events(TerminalEvent.class);
    List<TerminalEvent> v2 =
        load(root.resolve("v2"), GoldenJournalWriter.TERMINAL_INDEX).events(TerminalEvent.class);
    assertTrue(
        v1.stream().anyMatch(e -> e instanceof TerminalEvent.TxnCompletedV1),
        "v1 has version-1 outcomes");
    assertFalse(
        v2.stream().anyMatch(e -> e instanceof TerminalEvent.TxnCompletedV1), "v2 writes none");
    TerminalState fromV1 = TerminalEvents.applyAll(TerminalState.EMPTY, v1);
    TerminalState fromV2 = TerminalEvents.applyAll(TerminalState.EMPTY, v2);
    assertEquals(withoutCryptograms(fromV2), withoutCryptograms(fromV1));
    SoftwareHsm hsm = SoftwareHsm.fromHex(GoldenJournalWriter.LMK);
    for (Txn t : fromV1.txns().values()) {
      var binding = FinancialFlow.cardBinding(GoldenJournalWriter.ENTITY_ID, t.key());
      assertArrayEquals(
          hsm.decryptData(fromV2.txns().get(t.key()).cardEnc(), binding),
          hsm.decryptData(t.cardEnc(), binding),
          t.key());
    }
  }

  private static String withoutCryptograms(TerminalState s) {
    return s.toString().replaceAll("cardEnc=[^,]*,", "cardEnc=…,");
  }

  private static void terminalRecovers(String version, Path dir) throws IOException {
    Journal journal = load(dir, GoldenJournalWriter.TERMINAL_INDEX);
    List<TerminalEvent> events = journal.events(TerminalEvent.class);
    List<TerminalState> after = states(TerminalState.EMPTY, events, TerminalEvents::apply);
    checkSnapshots(journal, after, events, TerminalState.class, TerminalEvents::apply);
    switch (version) {
      // v2 records an unknown outcome as two facts (unanswered, reversal requested) where v1 had
      // one event
      case "v1" -> terminalFacts(after, 0);
      case "v2" -> terminalFacts(after, 1);
      default ->
          fail("write down the facts of golden/" + version + "'s terminal history in this test");
    }
  }

  private static void merchantRecovers(String version, Path dir) throws IOException {
    Journal journal = load(dir, GoldenJournalWriter.MERCHANT_INDEX);
    List<MerchantEntity.Event> events = journal.events(MerchantEntity.Event.class);
    List<MerchantEntity.State> after =
        states(new MerchantEntity.State(null, null, 0), events, MerchantEntity::apply);
    checkSnapshots(journal, after, events, MerchantEntity.State.class, MerchantEntity::apply);
    switch (version) {
      case "v1", "v2" -> merchantFactsV1(after);
      default ->
          fail("write down the facts of golden/" + version + "'s merchant history in this test");
    }
  }

  /**
   * (a) the last snapshot is of the last event and equals the fold of every event; (b) each
   * snapshot equals the fold up to its event, and recovery from it plus the events after it gives
   * the fold of every event.
   */
  private static <S, E> void checkSnapshots(
      Journal journal,
      List<S> after,
      List<E> events,
      Class<S> stateClass,
      BiFunction<S, E, S> handler) {
    assertTrue(journal.snapshots().size() >= 2, "a mid-history and a final snapshot");
    assertEquals(
        events.size(), journal.snapshots().lastKey(), "the last snapshot is of the last event");
    S folded = after.get(events.size());
    assertEquals(
        journal.snapshot(events.size(), stateClass),
        folded,
        "fold of every event vs the final snapshot");
    for (int n : journal.snapshots().keySet()) {
      S snapshot = journal.snapshot(n, stateClass);
      assertEquals(after.get(n), snapshot, "fold of the first " + n + " events vs snapshot " + n);
      S recovered = snapshot;
      for (E e : events.subList(n, events.size())) recovered = handler.apply(recovered, e);
      assertEquals(folded, recovered, "recovery from snapshot " + n + " and the events after it");
    }
  }

  /** States after each event: index 0 is the empty state, index n the state after event n. */
  private static <S, E> List<S> states(S empty, List<E> events, BiFunction<S, E, S> handler) {
    List<S> out = new ArrayList<>(List.of(empty));
    for (E e : events) out.add(handler.apply(out.get(out.size() - 1), e));
    return out;
  }

  private static void noClearCardData(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String pan : List.of(CARD_1, CARD_2, CARD_3)) {
          assertFalse(text.contains(pan.substring(0, 12)), "card digits in " + f.getFileName());
        }
      }
    }
  }

  // ======================================================================== the facts of v1 and v2

  private static final String SALE_1 = "02:000001:000002";
  private static final String VOID_1 = "02:000001:000003";
  private static final String SALE_2 = "02:000001:000004";
  private static final String REFUND_1 = "02:000001:000005";
  private static final String SALE_3 = "02:000001:000006";
  private static final String SALE_4 = "02:000001:000007";
  private static final String SALE_5 = "02:000001:000010";
  private static final String SALE_6 = "02:000002:000014";
  private static final String REFUND_2 = "02:000002:000015";

  /** The RRN the switch gave the second sale: the refunds name it. */
  private static final String SALE_2_RRN = "0TB8ZR10F04G";

  /**
   * Provisioned (X9.19), signed on (004), sale / void, sale / partial refund, a timed-out sale
   * reversed by the switch, an approved sale reversed by the terminal (host acknowledgement
   * pending), a reversal before its original, sign-on required and signed on again, a declined
   * sale, settlement, batch upload (201 and an ended 207), the next batch's sale, a refund of the
   * settled sale, signed off.
   */
  private static void terminalFacts(List<TerminalState> after, int shift) {
    assertEquals(30 + shift, after.size(), (29 + shift) + " events");

    TerminalState mid = after.get(17 + shift);
    assertEquals(GoldenJournalWriter.MERCHANT_ID, mid.merchantId());
    assertEquals(GoldenJournalWriter.TERMINAL_ID, mid.terminalId());
    assertEquals(MacAlgorithm.X919, mid.macAlgorithm());
    assertEquals(KeyType.TMK, mid.tmk().type());
    assertEquals(KeyScheme.DOUBLE_LENGTH_WITH_TDK, mid.keys().scheme());
    assertEquals("000001", mid.keys().signOnStan());
    assertNull(mid.keys().previousMak());
    assertEquals(KeyType.MAK, mid.keys().mak().type());
    assertNotNull(mid.keys().tdk(), "scheme 004 has a TDK");
    assertEquals("000001", mid.batchNo());
    assertEquals(Set.of("000001:000008"), mid.reversedBeforeSeen());
    assertEquals(
        statuses(
            SALE_1,
            TxnStatus.VOIDED,
            VOID_1,
            TxnStatus.APPROVED,
            SALE_2,
            TxnStatus.APPROVED,
            REFUND_1,
            TxnStatus.APPROVED,
            SALE_3,
            TxnStatus.REVERSED,
            SALE_4,
            TxnStatus.REVERSED),
        statuses(mid));
    assertEquals(80_00, mid.txns().get(SALE_2).refundedFen(), "partial refund of the second sale");
    assertEquals(SALE_2_RRN, mid.txns().get(SALE_2).rrn());
    assertEquals(SALE_2_RRN, mid.txns().get(REFUND_1).originalKey());
    assertEquals(SALE_1, mid.txns().get(VOID_1).originalKey());
    assertEquals("98", mid.txns().get(SALE_3).reversal().reason());
    assertTrue(
        mid.txns().get(SALE_3).reversal().completed(), "the switch's reversal was acknowledged");
    assertEquals(Set.of(SALE_4), pendingReversals(mid));
    assertEquals("06", mid.txns().get(SALE_4).reversal().reason());
    assertEquals(
        "00", mid.txns().get(SALE_4).responseCode(), "approved before the terminal reversed it");

    assertTrue(after.get(18 + shift).signOnRequired());
    TerminalState again = after.get(19 + shift);
    assertFalse(again.signOnRequired());
    assertEquals(KeyScheme.DOUBLE_LENGTH_WITH_TDK, again.keys().scheme());
    assertEquals("000009", again.keys().signOnStan());
    assertEquals(mid.keys().mak(), again.keys().previousMak(), "the previous MAK is kept");
    assertFalse(mid.keys().mak().equals(again.keys().mak()), "new working keys");

    TerminalState beforeSettlement = after.get(21 + shift);
    assertEquals(TxnStatus.DECLINED, beforeSettlement.txns().get(SALE_5).status());
    assertEquals("51", beforeSettlement.txns().get(SALE_5).responseCode());
    assertEquals(new BatchTotals(350_00, 2, 180_00, 2), beforeSettlement.openBatchTotals());

    TerminalState settled = after.get(22 + shift);
    assertEquals("000002", settled.batchNo());
    assertEquals(Set.of(), settled.reversedBeforeSeen(), "cleared with the batch");
    assertEquals(
        Set.of(SALE_4),
        settled.txns().keySet(),
        "only the pending reversal stays of the closed batch");

    TerminalState last = after.get(29 + shift);
    assertEquals("000002", last.batchNo());
    assertTrue(last.provisioned());
    assertFalse(last.signedOn(), "signed off");
    assertNull(last.keys());
    assertFalse(last.signOnRequired());
    assertEquals(MacAlgorithm.X919, last.macAlgorithm());
    assertEquals(mid.tmk(), last.tmk());
    assertEquals(
        statuses(
            SALE_4, TxnStatus.REVERSED, SALE_6, TxnStatus.APPROVED, REFUND_2, TxnStatus.APPROVED),
        statuses(last));
    for (Txn t : last.txns().values()) assertEquals(0, t.refundedFen(), t.key() + " refunded");
    assertEquals(Set.of(SALE_4), pendingReversals(last));
    assertEquals(SALE_2_RRN, last.txns().get(REFUND_2).originalKey());
    assertEquals(new BatchTotals(66_00, 1, 50_00, 1), last.openBatchTotals());

    assertEquals(
        Set.of(SALE_2_RRN), last.sales().keySet(), "the settled batch's one refundable sale");
    TerminalState.SaleRef sale2 = last.sales().get(SALE_2_RRN);
    assertEquals("000001", sale2.batch());
    assertEquals(250_00, sale2.amountFen());
    assertEquals(130_00, sale2.refundedFen(), "refunded in its own batch and after settlement");

    Settlement st = last.lastSettlement();
    assertEquals("000001", st.batch());
    assertEquals("000002", st.nextBatch());
    assertEquals("1", st.resultCode());
    assertEquals(new BatchTotals(350_00, 2, 180_00, 2), st.switchTotals());
    assertEquals(
        Map.of("000002", 100_00L, "000003", 100_00L, "000004", 250_00L, "000005", 80_00L),
        st.switchItems());
    assertEquals(
        Map.of("000002", 100_00L, "000004", 250_00L, "000005", 85_00L, "000007", 30_00L),
        st.uploadedItems());
    assertTrue(st.uploadEnded());
    assertEquals(0, st.icRecords());
    assertEquals(
        Set.of(
            "amount-mismatch 000005 8500/8000",
            "terminal-only 000007 3000/-",
            "switch-only 000003 -/10000"),
        new HashSet<>(st.differences()));

    // the recovered card cryptogram still opens under the LMK, bound to its terminal and
    // transaction
    Txn pending = last.txns().get(SALE_4);
    assertEquals("622848****0723", pending.panMasked());
    SoftwareHsm hsm = SoftwareHsm.fromHex(GoldenJournalWriter.LMK);
    byte[] card =
        hsm.decryptData(
            pending.cardEnc(), FinancialFlow.cardBinding(GoldenJournalWriter.ENTITY_ID, SALE_4));
    assertEquals(CARD_3 + "|2912", new String(card, StandardCharsets.US_ASCII));
  }

  /**
   * Registered, approvals of two days (one late), frozen and reactivated, registered again with new
   * limits.
   */
  private static void merchantFactsV1(List<MerchantEntity.State> after) {
    assertEquals(9, after.size(), "8 events");
    MerchantEntity.State mid = after.get(4);
    assertEquals(GoldenJournalWriter.MERCHANT_ID, mid.profile().merchantId());
    assertEquals(Status.FROZEN, mid.profile().status());
    assertEquals(20_000_00, mid.profile().dailyLimitFen());
    assertEquals(Set.of("SALE", "SALE_VOID", "REFUND", "BALANCE"), mid.profile().allowedTypes());
    assertEquals(LocalDate.of(2026, 3, 2), mid.day());
    assertEquals(380_00, mid.dayApprovedFen());

    MerchantEntity.State last = after.get(8);
    assertEquals(Status.ACTIVE, last.profile().status());
    assertEquals("Golden Noodle House", last.profile().name());
    assertEquals("5812", last.profile().mcc());
    assertEquals(8_000_00, last.profile().singleLimitFen());
    assertEquals(30_000_00, last.profile().dailyLimitFen());
    assertEquals(Set.of(), last.profile().allowedTypes());
    assertEquals(LocalDate.of(2026, 3, 3), last.day());
    assertEquals(
        66_00, last.dayApprovedFen(), "the late approval of the day before does not count");
  }

  private static Map<String, TxnStatus> statuses(Object... keyAndStatus) {
    Map<String, TxnStatus> m = new LinkedHashMap<>();
    for (int i = 0; i < keyAndStatus.length; i += 2)
      m.put((String) keyAndStatus[i], (TxnStatus) keyAndStatus[i + 1]);
    return m;
  }

  private static Map<String, TxnStatus> statuses(TerminalState s) {
    Map<String, TxnStatus> m = new LinkedHashMap<>();
    for (Txn t : s.txns().values()) m.put(t.key(), t.status());
    return m;
  }

  private static Set<String> pendingReversals(TerminalState s) {
    return s.txns().values().stream()
        .filter(Txn::reversalPending)
        .map(Txn::key)
        .collect(Collectors.toSet());
  }

  // ======================================================================== reading a golden
  // directory

  /**
   * The events (in sequence order) and snapshots (by the sequence of their last event) of one
   * index.
   */
  private record Journal(List<Object> eventObjects, TreeMap<Integer, Object> snapshots) {
    <E> List<E> events(Class<E> type) {
      List<E> out = new ArrayList<>();
      for (Object o : eventObjects) out.add(type.cast(assertInstanceOf(type, o)));
      return out;
    }

    <S> S snapshot(int sequence, Class<S> type) {
      return type.cast(assertInstanceOf(type, snapshots.get(sequence), "snapshot " + sequence));
    }
  }

  /**
   * Reads an index ({@code kind sequence serializer-id manifest file}) and deserializes what it
   * names.
   */
  private static Journal load(Path dir, String index) throws IOException {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    List<Object> events = new ArrayList<>();
    TreeMap<Integer, Object> snapshots = new TreeMap<>();
    for (String line : Files.readAllLines(dir.resolve(index), StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#")) continue;
      String[] f = line.split("\t");
      assertEquals(5, f.length, "index line " + line);
      int sequence = Integer.parseInt(f[1]);
      byte[] bytes = Files.readAllBytes(dir.resolve(f[4]));
      var read = serialization.deserialize(bytes, Integer.parseInt(f[2]), f[3]);
      if (read.isFailure()) {
        throw new AssertionError(
            dir.getFileName() + "/" + f[4] + " (" + f[3] + ") does not deserialize",
            read.failed().get());
      }
      switch (f[0]) {
        case "event" -> {
          assertEquals(events.size() + 1, sequence, "events in sequence order: " + f[4]);
          events.add(read.get());
        }
        case "snapshot" -> snapshots.put(sequence, read.get());
        default -> fail("unknown kind in " + line);
      }
    }
    assertFalse(events.isEmpty(), "no events in " + index);
    return new Journal(events, snapshots);
  }

  private static Path goldenRoot() throws URISyntaxException {
    var url = GoldenJournalTest.class.getResource("/golden");
    assertNotNull(url, "golden journals on the test class path");
    return Path.of(url.toURI());
  }

  private static List<String> versions() throws IOException, URISyntaxException {
    try (Stream<Path> dirs = Files.list(goldenRoot())) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
