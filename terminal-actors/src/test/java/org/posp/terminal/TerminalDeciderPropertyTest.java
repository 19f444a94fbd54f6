package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.posp.channel.CardBusResult;
import org.posp.terminal.codec.TerminalMessage;

/**
 * Invariants of the decider over random histories of one signed-on terminal: new sales,
 * retransmissions, upstream outcomes (approved, declined, timed out) and terminal reversals, in any
 * order.
 */
class TerminalDeciderPropertyTest {
  static final String PAN = "6214880000012345671";

  /**
   * One step of a history: {@code kind} on the sale {@code slot} (new sales take the next slot).
   */
  record Step(int kind, int slot, int amount) {}

  static final int NEW = 0;
  static final int RETRANSMIT = 1;
  static final int APPROVE = 2;
  static final int DECLINE = 3;
  static final int TIME_OUT = 4;
  static final int REVERSE = 5;

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step =
        Arbitraries.integers()
            .between(0, 5)
            .flatMap(
                kind ->
                    Arbitraries.integers()
                        .between(0, 7)
                        .flatMap(
                            slot ->
                                Arbitraries.integers()
                                    .between(1, 99_999)
                                    .map(amount -> new Step(kind, slot, amount))));
    return step.list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 300)
  void
      aRetransmissionNeverProducesASecondUpstreamRequestAndTheBatchTotalsAreTheApprovedUnreversedSales(
          @ForAll("histories") List<Step> history) {
    DeciderHarness t = new DeciderHarness().signedOn();
    List<byte[]> bodies = new ArrayList<>();
    List<String> stans = new ArrayList<>();
    List<Integer> amounts = new ArrayList<>();
    Map<Integer, Decision> started = new HashMap<>();
    Map<Integer, String> model = new HashMap<>(); // slot -> PENDING / APPROVED / OTHER
    for (Step s : history) {
      if (s.kind() == NEW || bodies.isEmpty()) {
        TerminalMessage.Builder sale = t.sale(PAN, s.amount());
        bodies.add(t.withMac(sale));
        stans.add(sale.build().get(11));
        amounts.add(s.amount());
        int slot = bodies.size() - 1;
        started.put(slot, t.request(bodies.get(slot)));
        model.put(slot, "PENDING");
        continue;
      }
      int slot = s.slot() % bodies.size();
      Decision first = started.get(slot);
      String key = DeciderHarness.sent(first).key();
      switch (s.kind()) {
        case RETRANSMIT -> t.request(bodies.get(slot));
        case APPROVE, DECLINE -> {
          t.decide(
              new TerminalDecider.UpstreamAnswered(
                  key,
                  new CardBusResult.Answered(
                      "cups", s.kind() == APPROVE ? "0000" : "1016", "654321", null, null),
                  false));
          if ("PENDING".equals(model.get(slot)))
            model.put(slot, s.kind() == APPROVE ? "APPROVED" : "OTHER");
        }
        case TIME_OUT -> {
          t.decide(
              new TerminalDecider.UpstreamAnswered(key, new CardBusResult.TimedOut("cups"), false));
          if ("PENDING".equals(model.get(slot))) model.put(slot, "OTHER");
        }
        default -> {
          t.request(t.withMac(t.reversalOf(PAN, amounts.get(slot), stans.get(slot))));
          if ("APPROVED".equals(model.get(slot))) model.put(slot, "OTHER");
        }
      }
    }
    Map<String, Integer> upstream = new HashMap<>();
    for (Decision d : t.decisions) {
      for (Decision.SendUpstream up : DeciderHarness.effects(d, Decision.SendUpstream.class)) {
        upstream.merge(up.key(), 1, Integer::sum);
      }
    }
    upstream.forEach((key, n) -> assertEquals(1, n, key + " went upstream " + n + " times"));
    assertEquals(bodies.size(), upstream.size(), "every new sale went upstream once");
    long approvedFen = 0;
    int approvedCount = 0;
    for (var e : model.entrySet()) {
      if ("APPROVED".equals(e.getValue())) {
        approvedFen += amounts.get(e.getKey());
        approvedCount++;
      }
    }
    BatchTotals totals = t.state.openBatchTotals();
    assertEquals(approvedFen, totals.debitFen(), "debit total = approved, unreversed sales");
    assertEquals(approvedCount, totals.debitCount());
    assertTrue(
        t.state.txns().values().stream()
            .filter(x -> x.status() == TerminalState.TxnStatus.REVERSED)
            .allMatch(x -> x.reversal() != null),
        "every reversed transaction has its reversal");
  }
}
