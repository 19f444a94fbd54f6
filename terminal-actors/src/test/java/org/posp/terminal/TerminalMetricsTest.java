package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.posp.terminal.TerminalState.TxnStatus;

/** The store-and-forward queue of a node as the terminal entities report it. */
class TerminalMetricsTest {

  @Test
  void pendingReversalsAreCountedPerEntityUntilDoneOrTheEntityStops() {
    int before = TerminalMetrics.storeAndForwardDepth();
    TerminalState s =
        TerminalState.empty()
            .withTxn(Txns.sale("000001", "000001", 1_00, "RRN000000001", TxnStatus.APPROVED))
            .withTxn(
                Txns.sale("000001", "000002", 2_00, "RRN000000002", TxnStatus.APPROVED)
                    .withReversal(Txns.pendingReversal("98")))
            .withTxn(
                Txns.sale("000001", "000003", 3_00, "RRN000000003", TxnStatus.PENDING)
                    .withReversal(Txns.pendingReversal("06")));
    TerminalMetrics.storeAndForward("metrics-test:1", s);
    TerminalMetrics.storeAndForward("metrics-test:2", s);
    assertEquals(
        before + 4,
        TerminalMetrics.storeAndForwardDepth(),
        "two reversals pending in each of two entities");

    // the same entity reporting again replaces its count (it is not added)
    TerminalMetrics.storeAndForward("metrics-test:1", s);
    assertEquals(before + 4, TerminalMetrics.storeAndForwardDepth());

    TerminalMetrics.storeAndForward("metrics-test:1", TerminalState.empty());
    assertEquals(
        before + 2,
        TerminalMetrics.storeAndForwardDepth(),
        "entity 1 has nothing pending any more");
    TerminalMetrics.entityStopped("metrics-test:2");
    assertEquals(
        before,
        TerminalMetrics.storeAndForwardDepth(),
        "a stopped entity (moved, passivated) is not counted here");
    TerminalMetrics.refreshStoreAndForward();
  }

  @Test
  void eventsThatMayChangePendingReversalsAreRecognised() {
    assertEquals(true, TerminalEntity.touchesReversals(new TerminalEvent.ReversalCompleted("k")));
    assertEquals(false, TerminalEntity.touchesReversals(new TerminalEvent.SignedOff()));
  }
}
