package org.posp.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.sim.cardbus.CardData;
import org.posp.sim.cardbus.HostMessage;
import org.posp.sim.cardbus.Operation;
import org.posp.sim.cardbus.TerminalTotals;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.TxnRecord;
import org.posp.sim.terminal.TxnRecord.ReversalState;
import org.posp.sim.terminal.TxnType;

/**
 * The invariant checks decide from the three records: they pass when the records agree and name the
 * violation when they do not (so that a chaos run that passes means something).
 */
class InvariantsTest {
  static final String TID = "10000001";
  static final ObjectMapper JSON = new ObjectMapper();

  static TxnRecord sale(
      String stan, long amount, String code, String rrn, String failure, ReversalState rev) {
    return new TxnRecord(
        TID,
        TxnType.SALE,
        "000001",
        stan,
        amount,
        "6214880000012346",
        "3012",
        "021",
        null,
        null,
        null,
        code,
        rrn,
        code == null ? null : "123456",
        "1126",
        "090000",
        null,
        failure,
        rev,
        rev == ReversalState.NONE ? null : "98",
        0L);
  }

  static TxnRecord voidOf(String stan, long amount, String code, String rrn) {
    return new TxnRecord(
        TID,
        TxnType.SALE_VOID,
        "000001",
        stan,
        amount,
        "6214880000012346",
        "3012",
        "021",
        "R1",
        "123456",
        "000001000001",
        code,
        rrn,
        "654321",
        "1126",
        "090001",
        null,
        null,
        ReversalState.NONE,
        null,
        0L);
  }

  static HostMessage host(
      long seq,
      Operation op,
      String rrn,
      long amount,
      boolean approved,
      boolean reversed,
      boolean voided) {
    return new HostMessage(
        seq,
        Instant.EPOCH,
        "2200",
        op,
        op == Operation.VOID ? Operation.SALE : null,
        "000000",
        "200",
        op == Operation.VOID ? "4000" : null,
        "0000000000" + seq,
        rrn,
        "621488****2346",
        amount,
        DemoTerminals.MERCHANT,
        TID,
        approved ? "0000" : "1000",
        approved ? "000001" : null,
        approved,
        reversed,
        voided,
        "NOW",
        0,
        null,
        null);
  }

  static JsonNode view(String... txns) {
    ObjectNode v = JSON.createObjectNode();
    v.put("openBatch", "000001");
    ArrayNode a = v.putArray("transactions");
    for (String t : txns) {
      String[] f = t.split(" "); // type stan rrn status
      ObjectNode o = a.addObject();
      o.put("type", f[0]);
      o.put("batch", "000001");
      o.put("stan", f[1]);
      o.put("rrn", f[2]);
      o.put("status", f[3]);
    }
    return v;
  }

  static SettlementResult settled(String code) {
    return new SettlementResult(
        "000001", "000002", null, null, "00", code, 2, "207", null, Duration.ZERO);
  }

  static TerminalTotals hostNet(long net) {
    return new TerminalTotals(DemoTerminals.MERCHANT, TID, net, 0, net, 1, 0, 1, 0, 0, 0);
  }

  @Test
  void agreeingRecordsPassEveryCheck() {
    List<TxnRecord> terminal =
        List.of(
            sale("000002", 1001, "00", "R1", null, ReversalState.NONE),
            sale("000003", 1002, "00", "R2", null, ReversalState.NONE),
            voidOf("000004", 1002, "00", "R3"),
            sale("000005", 1003, null, null, "no reply within 10000 ms", ReversalState.REVERSED));
    List<HostMessage> host =
        List.of(
            host(1, Operation.SALE, "R1", 1001, true, false, false),
            host(2, Operation.SALE, "R2", 1002, true, false, true),
            host(3, Operation.VOID, "R3", 1002, true, false, false),
            host(4, Operation.SALE, "R4", 1003, true, true, false));
    Map<String, JsonNode> views =
        Map.of(
            TID,
            view(
                "SALE 000002 R1 APPROVED",
                "SALE 000003 R2 VOIDED",
                "SALE_VOID 000004 R3 APPROVED",
                "SALE 000005 R4 REVERSED"));
    assertTrue(Invariants.durableApprovals(terminal, views).passed());
    assertEquals(List.of(), Invariants.orphans(terminal, host, views));
    assertTrue(Invariants.noDoubleDebits(host, Set.of(TID)).passed());
    assertTrue(
        Invariants.balanced(Map.of(TID, settled("1")), Map.of(TID, hostNet(1001)), terminal, host)
            .passed());
    assertEquals(1001L, Invariants.terminalNet(terminal).get(TID));
  }

  @Test
  void anUnreversedHostDebitTheTerminalDidNotCountIsAnOrphan() {
    List<TxnRecord> terminal =
        List.of(sale("000002", 1001, null, null, "no reply", ReversalState.PENDING));
    List<String> orphans =
        Invariants.orphans(
            terminal, List.of(host(1, Operation.SALE, "R1", 1001, true, false, false)), null);
    assertEquals(1, orphans.size());
    assertTrue(
        orphans.get(0).contains("orphan debit") && orphans.get(0).contains("R1"), orphans.get(0));
    assertFalse(Invariants.noOrphans(orphans, 90, 90, 0).passed());
    // once the switch reversed it upstream the books agree
    assertEquals(
        List.of(),
        Invariants.orphans(
            terminal, List.of(host(1, Operation.SALE, "R1", 1001, true, true, false)), null));
  }

  @Test
  void aHostVoidTheTerminalNeverReceivedIsAnOrphanVoid() {
    List<TxnRecord> terminal =
        List.of(
            sale("000002", 1001, "00", "R1", null, ReversalState.NONE),
            voidOf("000003", 1001, null, null));
    List<HostMessage> host =
        List.of(
            host(1, Operation.SALE, "R1", 1001, true, false, true),
            host(2, Operation.VOID, "R2", 1001, true, false, false));
    List<String> orphans = Invariants.orphans(terminal, host, null);
    assertEquals(1, orphans.size(), orphans.toString());
    assertTrue(orphans.get(0).startsWith("orphan void"));
    // and the terminal counts a sale the host no longer debits
    assertFalse(
        Invariants.balanced(Map.of(TID, settled("1")), Map.of(TID, hostNet(0)), terminal, host)
            .passed());
  }

  @Test
  void aSwitchApprovalOfARequestTheTerminalReversedIsReported() {
    List<TxnRecord> terminal =
        List.of(sale("000002", 1001, null, null, "no reply", ReversalState.REVERSED));
    List<String> v =
        Invariants.orphans(terminal, List.of(), Map.of(TID, view("SALE 000002 R1 APPROVED")));
    assertEquals(1, v.size());
    assertTrue(v.get(0).startsWith("switch kept an approval"), v.get(0));
  }

  @Test
  void twoHostDebitsForOneTerminalRequestAreADoubleDebitEvenWhenOneWasReversed() {
    List<HostMessage> host =
        List.of(
            host(1, Operation.SALE, "R1", 1001, true, true, false),
            host(2, Operation.SALE, "R2", 1001, true, false, false));
    Invariants.Check c = Invariants.noDoubleDebits(host, Set.of(TID));
    assertFalse(c.passed());
    assertTrue(c.violations().get(0).contains("2 host debits"), c.violations().toString());
    Invariants.Check sameRrn =
        Invariants.noDoubleDebits(
            List.of(
                host(1, Operation.SALE, "R1", 1001, true, false, false),
                host(2, Operation.SALE, "R1", 1002, true, false, false)),
            Set.of(TID));
    assertTrue(
        sameRrn.violations().contains("rrn R1 debited 2 times"), sameRrn.violations().toString());
  }

  @Test
  void anApprovalTheSwitchDoesNotHoldAsApprovedFailsDurableApprovals() {
    List<TxnRecord> terminal =
        List.of(
            sale("000002", 1001, "00", "R1", null, ReversalState.NONE),
            sale("000003", 1002, "00", "R2", null, ReversalState.NONE));
    Invariants.Check c =
        Invariants.durableApprovals(terminal, Map.of(TID, view("SALE 000002 R1 REVERSED")));
    assertFalse(c.passed());
    assertEquals(2, c.violations().size(), c.violations().toString());
  }

  @Test
  void anUnbalancedSettlementOrADifferentHostNetFails() {
    List<TxnRecord> terminal = List.of(sale("000002", 1001, "00", "R1", null, ReversalState.NONE));
    List<HostMessage> host = List.of(host(1, Operation.SALE, "R1", 1001, true, false, false));
    assertFalse(
        Invariants.balanced(Map.of(TID, settled("2")), Map.of(TID, hostNet(1001)), terminal, host)
            .passed());
    assertFalse(
        Invariants.balanced(Map.of(TID, settled("1")), Map.of(TID, hostNet(2002)), terminal, host)
            .passed());
  }

  @Test
  void failoverFailsOnlyPastTheBoundOrWhenATerminalIsNeverServed() {
    assertTrue(Invariants.boundedFailover(Map.of("a", Optional.of(25.0)), 0, 90).passed());
    assertFalse(Invariants.boundedFailover(Map.of("a", Optional.of(95.0)), 0, 90).passed());
    assertTrue(Invariants.boundedFailover(Map.of("a", Optional.of(95.0)), 10, 90).passed());
    assertFalse(Invariants.boundedFailover(Map.of("a", Optional.empty()), 0, 90).passed());
  }

  @Test
  void aRequestLeftWithoutReplyDuringTheDatabaseOutageFailsCheckSix() {
    List<LoadDriver.Attempt> during = new ArrayList<>();
    during.add(
        new LoadDriver.Attempt(
            TID, "SALE", 0, 1_000_000_000L, LoadDriver.Outcome.REPLIED, "96", null));
    assertTrue(Invariants.databaseOutage(during, Map.of("96", 1), 1, 1, true).passed());
    during.add(
        new LoadDriver.Attempt(
            TID, "SALE", 0, 10_000_000_000L, LoadDriver.Outcome.TIMEOUT, null, null));
    assertFalse(Invariants.databaseOutage(during, Map.of("96", 1), 1, 1, true).passed());
    assertFalse(Invariants.databaseOutage(List.of(), Map.of(), 0, 0, false).passed());
  }

  @Test
  void theLostReplyCardIsAValidTestCardEndingIn9999() {
    assertTrue(CardData.isLuhnValid(LoadDriver.LOST_REPLY_CARD));
    assertTrue(LoadDriver.LOST_REPLY_CARD.endsWith("9999"));
  }

  @Test
  void luhnCardsOfTheLoadAreValidAndNotSpecialTestCards() {
    for (String pan : LoadDriver.CARDS) {
      assertTrue(CardData.isLuhnValid(pan), pan);
      assertFalse(pan.endsWith("9997") || pan.endsWith("9998") || pan.endsWith("9999"), pan);
    }
  }

  @Test
  void clearPanInALogFailsAndMaskedPassesTheLogChecks(@TempDir Path dir) throws Exception {
    String pan = LoadDriver.CARDS.get(0);
    String masked = pan.substring(0, 6) + "****" + pan.substring(pan.length() - 4);
    Path clean =
        Files.writeString(
            dir.resolve("clean.log"),
            "10:00:00.000 INFO  [main] x - sale card "
                + masked
                + " rrn 123456789012 mid 898100012340001\n");
    Path leaky =
        Files.writeString(
            dir.resolve("leaky.log"),
            "{\"level\":\"INFO\",\"loggerName\":\"x\",\"formattedMessage\":\"track "
                + pan
                + "=3012\"}\n");
    assertTrue(Invariants.noClearPanInLogs(List.of(clean), LoadDriver.CARDS).passed());
    Invariants.Check leak = Invariants.noClearPanInLogs(List.of(clean, leaky), LoadDriver.CARDS);
    assertFalse(leak.passed());
    assertFalse(leak.violations().get(0).contains(pan), "the report itself masks the PAN");
    // another PAN of a test BIN is caught as well
    String other = pan.substring(0, 6) + "0000000000";
    Path leaky2 = Files.writeString(dir.resolve("leaky2.log"), "pan=" + other + "\n");
    assertFalse(Invariants.noClearPanInLogs(List.of(leaky2), LoadDriver.CARDS).passed());

    assertFalse(Invariants.jsonLogs(List.of(clean)).passed(), "a text log line is not JSON");
    assertTrue(Invariants.jsonLogs(List.of(leaky)).passed());
  }
}
