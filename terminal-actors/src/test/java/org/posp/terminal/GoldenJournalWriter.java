package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.posp.security.KeyScheme;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.security.SoftwareHsm;
import org.posp.terminal.MerchantEntity.Approved;
import org.posp.terminal.MerchantEntity.Profile;
import org.posp.terminal.MerchantEntity.Registered;
import org.posp.terminal.MerchantEntity.StatusChanged;
import org.posp.terminal.TerminalEvent.BatchSettled;
import org.posp.terminal.TerminalEvent.BatchUploaded;
import org.posp.terminal.TerminalEvent.Provisioned;
import org.posp.terminal.TerminalEvent.ReversalCompleted;
import org.posp.terminal.TerminalEvent.ReversalRequested;
import org.posp.terminal.TerminalEvent.ReversedBeforeSeen;
import org.posp.terminal.TerminalEvent.SignOnRequired;
import org.posp.terminal.TerminalEvent.SignedOff;
import org.posp.terminal.TerminalEvent.SignedOn;
import org.posp.terminal.TerminalEvent.TxnApproved;
import org.posp.terminal.TerminalEvent.TxnDeclined;
import org.posp.terminal.TerminalEvent.TxnRequested;
import org.posp.terminal.TerminalEvent.TxnUnanswered;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.Masking;
import org.posp.terminal.codec.SettlementTotals;
import org.posp.terminal.codec.TransactionType;

/**
 * Writes a golden journal: the serialized events and snapshots of one terminal's and one merchant's
 * history, exactly as the journal and the snapshot store hold them, for {@link GoldenJournalTest}
 * to recover with every later version of the events and the state. A written version is history and
 * is never rewritten (card cryptograms carry a random IV, so a second run would differ): the writer
 * refuses an existing directory. Run on purpose only, for a new version of the events:
 *
 * <pre>
 * ./mvnw -B -o -pl terminal-actors verify -Dtest=GoldenJournalWriter -Dgolden.write=true -Dgolden.version=v3 \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * <p>Keys are imported under the fixed test LMK from fixed clear values (so their cryptograms are
 * fixed), PANs are masked, keyed-hashed and encrypted under the LMK's data key as the entity does:
 * nothing clear.
 */
class GoldenJournalWriter {
  /** The test LMK of the golden journals (the serialization tests' LMK). */
  static final String LMK = TerminalStateSerializationTest.LMK;

  static final String MERCHANT_ID = "898100012340001";
  static final String TERMINAL_ID = "10000001";
  static final String ENTITY_ID = TerminalEntity.entityId(MERCHANT_ID, TERMINAL_ID);

  /** The cards of the history (Luhn-valid test PANs) and their expiry. */
  static final String CARD_1 = "6214880000010243";

  static final String CARD_2 = "6214880000020481";
  static final String CARD_3 = "6228480000030723";
  static final String EXPIRY = "2912";

  /**
   * The terminal's snapshot mid-history is of the state after this event (the reversal before its
   * original).
   */
  static final int TERMINAL_MID_SNAPSHOT = 18;

  static final int MERCHANT_MID_SNAPSHOT = 4;
  static final String TERMINAL_INDEX = "terminal-journal.tsv";
  static final String MERCHANT_INDEX = "merchant-journal.tsv";

  private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
  private static final HexFormat HEX = HexFormat.of();

  @Test
  @EnabledIfSystemProperty(named = "golden.write", matches = "true")
  void write() throws IOException {
    String version = System.getProperty("golden.version", "v1");
    Path dir = Path.of("src", "test", "resources", "golden", version);
    assertTrue(Files.isRegularFile(Path.of("pom.xml")), "run from the terminal-actors module");
    assertFalse(Files.exists(dir), dir + " exists: a written golden version is never rewritten");
    Files.createDirectories(dir);
    ActorTestKit testKit = ActorTestKit.create("golden-journal-writer");
    try {
      Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
      List<TerminalEvent> events = terminalHistory(SoftwareHsm.fromHex(LMK));
      List<TerminalState> states = new ArrayList<>();
      TerminalState s = TerminalState.EMPTY;
      for (TerminalEvent e : events) {
        s = TerminalEvents.apply(s, e);
        states.add(s);
      }
      write(
          serialization,
          dir,
          "terminal",
          TERMINAL_INDEX,
          events,
          Map.of(TERMINAL_MID_SNAPSHOT, states.get(TERMINAL_MID_SNAPSHOT - 1), events.size(), s));

      List<MerchantEntity.Event> merchantEvents = merchantHistory();
      List<MerchantEntity.State> merchantStates = new ArrayList<>();
      MerchantEntity.State m = new MerchantEntity.State(null, null, 0);
      for (MerchantEntity.Event e : merchantEvents) {
        m = MerchantEntity.apply(m, e);
        merchantStates.add(m);
      }
      write(
          serialization,
          dir,
          "merchant",
          MERCHANT_INDEX,
          merchantEvents,
          Map.of(
              MERCHANT_MID_SNAPSHOT,
              merchantStates.get(MERCHANT_MID_SNAPSHOT - 1),
              merchantEvents.size(),
              m));
    } finally {
      testKit.shutdownTestKit();
    }
  }

  /**
   * One file per event ({@code <entity>-NNN-<SimpleName>.cbor}) and per snapshot ({@code
   * <entity>-snapshot-NNN.cbor}), the serializer's exact bytes, and an index naming the serializer
   * id and manifest of each, as the journal's and the snapshot store's columns do.
   */
  private static void write(
      Serialization serialization,
      Path dir,
      String entity,
      String index,
      List<?> events,
      Map<Integer, ?> snapshots)
      throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# kind\tsequence\tserializer-id\tmanifest\tfile");
    for (int i = 0; i < events.size(); i++) {
      Object e = events.get(i);
      String file = String.format("%s-%03d-%s.cbor", entity, i + 1, e.getClass().getSimpleName());
      lines.add(writeOne(serialization, dir, "event", i + 1, e, file));
    }
    for (var snapshot : new TreeMap<>(snapshots).entrySet()) {
      String file = String.format("%s-snapshot-%03d.cbor", entity, snapshot.getKey());
      lines.add(
          writeOne(serialization, dir, "snapshot", snapshot.getKey(), snapshot.getValue(), file));
    }
    Files.write(dir.resolve(index), lines, StandardCharsets.UTF_8);
  }

  private static String writeOne(
      Serialization serialization, Path dir, String kind, int sequence, Object o, String file)
      throws IOException {
    Serializer serializer = serialization.findSerializerFor(o);
    assertEquals(
        "JacksonCborSerializer", serializer.getClass().getSimpleName(), o.getClass().getName());
    byte[] bytes = serialization.serialize(o).get();
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    for (String pan : List.of(CARD_1, CARD_2, CARD_3)) {
      assertFalse(
          text.contains(pan) || text.contains(pan.substring(0, 12)), "card digits in " + file);
    }
    Files.write(dir.resolve(file), bytes);
    return kind
        + "\t"
        + sequence
        + "\t"
        + serializer.identifier()
        + "\t"
        + Serializers.manifestFor(serializer, o)
        + "\t"
        + file;
  }

  // ======================================================================== the terminal's history

  /** The terminal's events, in journal order, as its flows would have persisted them. */
  static List<TerminalEvent> terminalHistory(SoftwareHsm hsm) {
    return new TerminalHistory(hsm).events();
  }

  /** Builds the terminal's events with a clock moved by hand, the way the flows build them. */
  private static final class TerminalHistory {
    private final SoftwareHsm hsm;
    private final MutableClock clock =
        new MutableClock(Instant.parse("2026-03-02T01:00:00Z"), ZONE);
    private final UpstreamIds ids = new UpstreamIds(7, clock);
    private final List<TerminalEvent> events = new ArrayList<>();
    private int deliveries;

    TerminalHistory(SoftwareHsm hsm) {
      this.hsm = hsm;
    }

    List<TerminalEvent> events() {
      LmkKey tmk =
          hsm.importClearKey(KeyType.TMK, HEX.parseHex("70F2A84CCBC2AE8625CBB0F2C22AB923"));
      add(new Provisioned(MERCHANT_ID, TERMINAL_ID, tmk, MacAlgorithm.X919));
      SignedOn first = signOn("000001", "1C4A7F2B3D5E6A80", "9E8D7C6B5A493827", "0123456789ABCDEF");
      add(first);

      Txn sale1 = start(TransactionType.SALE, "000001", "000002", 100_00, CARD_1, null);
      approve(sale1);
      Txn void1 = start(TransactionType.SALE_VOID, "000001", "000003", 100_00, CARD_1, sale1.key());
      approve(void1);
      Txn sale2 = start(TransactionType.SALE, "000001", "000004", 250_00, CARD_2, null);
      approve(sale2);
      Txn refund1 = start(TransactionType.REFUND, "000001", "000005", 80_00, CARD_2, sale2.rrn());
      approve(refund1);

      // the card bus did not answer: the switch reverses by itself, and the host acknowledges it
      Txn sale3 = start(TransactionType.SALE, "000001", "000006", 50_00, CARD_3, null);
      clock.advance(Duration.ofSeconds(30));
      add(new TxnUnanswered(sale3.key(), "cups"));
      add(reversal(sale3.key(), "98"));
      clock.advance(Duration.ofSeconds(5));
      add(new ReversalCompleted(sale3.key()));

      // the terminal reverses an approved sale (0400); the host has not acknowledged it yet
      Txn sale4 = start(TransactionType.SALE, "000001", "000007", 30_00, CARD_3, null);
      approve(sale4);
      clock.advance(Duration.ofSeconds(40));
      add(reversal(sale4.key(), "06"));
      // a reversal of a request the switch never saw
      clock.advance(Duration.ofSeconds(20));
      add(new ReversedBeforeSeen("000001:000008"));

      clock.advance(Duration.ofHours(2));
      add(new SignOnRequired());
      clock.advance(Duration.ofMinutes(3));
      add(signOn("000009", "2A3B4C5D6E7F8091", "A1B2C3D4E5F60718", "FEDCBA9876543210"));
      Txn sale5 = start(TransactionType.SALE, "000001", "000010", 120_00, CARD_1, null);
      clock.advance(Duration.ofSeconds(2));
      add(new TxnDeclined(sale5.key(), "51", "cups"));

      clock.set(Instant.parse("2026-03-02T14:00:00Z"));
      settle();
      clock.advance(Duration.ofSeconds(10));
      add(
          new BatchUploaded(
              "000001",
              items("000002", 100_00L, "000004", 250_00L, "000005", 85_00L, "000007", 30_00L),
              0,
              false));
      clock.advance(Duration.ofSeconds(2));
      add(new BatchUploaded("000001", Map.of(), 0, true));

      clock.set(Instant.parse("2026-03-03T02:15:00Z"));
      Txn sale6 = start(TransactionType.SALE, "000002", "000014", 66_00, CARD_3, null);
      approve(sale6);
      // a refund of a sale of the settled batch: its original is among the refundable sales
      Txn refund2 = start(TransactionType.REFUND, "000002", "000015", 50_00, CARD_2, sale2.rrn());
      approve(refund2);
      clock.advance(Duration.ofHours(8));
      add(new SignedOff());
      return events;
    }

    private void add(TerminalEvent e) {
      events.add(e);
    }

    /**
     * Working keys imported from fixed clear values (fixed cryptograms), as a sign-on would issue
     * them.
     */
    private SignedOn signOn(String stan, String pikHalf, String makHalf, String tdkHalf) {
      LmkKey pik = hsm.importClearKey(KeyType.PIK, HEX.parseHex(pikHalf + makHalf));
      LmkKey mak = hsm.importClearKey(KeyType.MAK, HEX.parseHex(makHalf + tdkHalf));
      LmkKey tdk = hsm.importClearKey(KeyType.TDK, HEX.parseHex(tdkHalf + pikHalf));
      String hash =
          hsm.keyedHash(("0800|" + TERMINAL_ID + "|" + stan).getBytes(StandardCharsets.US_ASCII));
      return new SignedOn(
          KeyScheme.DOUBLE_LENGTH_WITH_TDK, pik, mak, tdk, clock.instant(), stan, hash, "000001");
    }

    /** The intent of a financial request, as the flow records it before the card bus is asked. */
    private Txn start(
        TransactionType type,
        String batch,
        String stan,
        long amountFen,
        String pan,
        String originalKey) {
      clock.advance(Duration.ofMinutes(7));
      String key = TxnKeys.of(type.requestMti(), batch, stan);
      var id = ids.next();
      LocalDateTime at = LocalDateTime.ofInstant(clock.instant(), ZONE);
      String requestHash =
          hsm.keyedHash(
              (type.requestMti() + "|" + key + "|" + amountFen)
                  .getBytes(StandardCharsets.US_ASCII));
      String cardEnc =
          hsm.encryptData(
              (pan + "|" + EXPIRY).getBytes(StandardCharsets.US_ASCII),
              FinancialFlow.cardBinding(ENTITY_ID, key));
      deliveries++;
      String delivery =
          UUID.nameUUIDFromBytes(
                  ("golden-delivery-" + deliveries).getBytes(StandardCharsets.US_ASCII))
              .toString();
      var intent =
          new TxnRequested(
              key,
              type,
              batch,
              stan,
              amountFen,
              requestHash,
              new TerminalEvent.TxnIds(
                  id.rrn(),
                  id.stan(),
                  at.format(UpstreamTimes.UPSTREAM),
                  String.format("%02d%02d", at.getMonthValue(), at.getDayOfMonth()),
                  String.format("%02d%02d%02d", at.getHour(), at.getMinute(), at.getSecond())),
              new TerminalEvent.Card(
                  Masking.pan(pan),
                  hsm.keyedHash(pan.getBytes(StandardCharsets.US_ASCII)),
                  cardEnc),
              originalKey,
              clock.instant(),
              delivery);
      add(intent);
      return TerminalEvents.requested(intent);
    }

    private void approve(Txn t) {
      clock.advance(Duration.ofMillis(850));
      String auth = "A" + t.stan().substring(1);
      add(new TxnApproved(t.key(), auth, t.date(), "cups"));
    }

    private ReversalRequested reversal(String key, String reason) {
      var id = ids.next();
      return new ReversalRequested(
          key,
          reason,
          id.stan(),
          LocalDateTime.ofInstant(clock.instant(), ZONE).format(UpstreamTimes.UPSTREAM),
          clock.instant());
    }

    /** The batch's settlement as the settlement flow records it (balanced), sales kept 180 days. */
    private void settle() {
      TerminalState s = TerminalState.EMPTY;
      for (TerminalEvent e : events) s = TerminalEvents.apply(s, e);
      BatchTotals totals = s.openBatchTotals();
      Map<String, Long> switchItems = new LinkedHashMap<>();
      for (Txn t : s.txns().values()) {
        if (t.batch().equals(s.batchNo())
            && (t.status() == TxnStatus.APPROVED || t.status() == TxnStatus.VOIDED)) {
          switchItems.put(t.stan(), t.amountFen());
        }
      }
      SettlementTotals.Block domestic =
          new SettlementTotals.Block(
              totals.debitFen(),
              totals.debitCount(),
              totals.creditFen(),
              totals.creditCount(),
              SettlementTotals.BALANCED);
      String field48 =
          new SettlementTotals(
                  domestic, SettlementTotals.Block.EMPTY.withCode(SettlementTotals.BALANCED))
              .format();
      LocalDateTime at = LocalDateTime.ofInstant(clock.instant(), ZONE);
      add(
          new BatchSettled(
              s.batchNo(),
              SettlementFlow.nextBatch(s.batchNo()),
              "000011",
              hsm.keyedHash(
                  ("0500|" + s.batchNo() + "|000011").getBytes(StandardCharsets.US_ASCII)),
              "1",
              field48,
              ids.next().rrn(),
              String.format("%02d%02d", at.getMonthValue(), at.getDayOfMonth()),
              String.format("%02d%02d%02d", at.getHour(), at.getMinute(), at.getSecond()),
              totals,
              switchItems,
              clock.instant(),
              clock.instant().minus(Duration.ofDays(180))));
    }
  }

  private static Map<String, Long> items(Object... stanAndFen) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < stanAndFen.length; i += 2)
      m.put((String) stanAndFen[i], (Long) stanAndFen[i + 1]);
    return m;
  }

  // ======================================================================== the merchant's history

  /**
   * The terminal's merchant: registered, approvals of two days (one late), frozen and reactivated,
   * re-registered.
   */
  static List<MerchantEntity.Event> merchantHistory() {
    Profile profile =
        new Profile(
            MERCHANT_ID,
            "Golden Noodle House",
            "5812",
            MerchantEntity.Status.ACTIVE,
            5_000_00,
            20_000_00,
            Set.of("SALE", "SALE_VOID", "REFUND", "BALANCE"));
    LocalDate day1 = LocalDate.of(2026, 3, 2);
    LocalDate day2 = LocalDate.of(2026, 3, 3);
    return List.of(
        new Registered(profile),
        new Approved(100_00, day1),
        new Approved(280_00, day1),
        new StatusChanged(MerchantEntity.Status.FROZEN),
        new StatusChanged(MerchantEntity.Status.ACTIVE),
        new Approved(66_00, day2),
        new Approved(12_00, day1),
        new Registered(
            new Profile(
                MERCHANT_ID,
                "Golden Noodle House",
                "5812",
                MerchantEntity.Status.ACTIVE,
                8_000_00,
                30_000_00,
                Set.of())));
  }
}
