package org.posp.terminal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.posp.terminal.TerminalDecider.Request;
import org.posp.terminal.TerminalState.Settlement;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.BatchUploadRecords;
import org.posp.terminal.codec.Field60;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.SettlementTotals;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;

/**
 * Settlement (批结算, 0500) and batch upload (批上送, 0320): compare the terminal's totals with the
 * switch's for the open batch, reply balanced (1) or not (2, with the switch's totals), close the
 * batch and open the next; then take the uploaded details and list the differences for operators.
 */
final class SettlementFlow {
  private final TerminalDecider.Env env;

  SettlementFlow(TerminalDecider.Env env) {
    this.env = env;
  }

  Decision settle(RequestContext c) {
    TerminalState s = c.state;
    Request r = c.request;
    Field60 f60 = c.f60();
    Settlement last = s.lastSettlement();
    if (last != null && last.batch().equals(f60.batch()) && last.stan().equals(c.stan())) {
      if (!last.requestHash().equals(c.requestHash())) {
        return c.reject(ResponseCode.DUPLICATE, "settlement key reused with other content");
      }
      return TerminalDecider.reply(r, reply(r, last), false);
    }
    if (!s.signedOn() || !f60.batch().equals(s.batchNo())) {
      return c.reject(
          ResponseCode.SIGN_ON_AGAIN,
          "settlement of batch " + f60.batch() + ", open batch is " + s.batchNo());
    }
    SettlementTotals terminal;
    try {
      terminal = SettlementTotals.parse(c.msg().get(48));
    } catch (TerminalFormatException | IllegalArgumentException ex) {
      return c.reject(ResponseCode.FORMAT_ERROR, "field 48: " + ex.getMessage());
    }
    for (Txn t : s.txns().values()) {
      if (t.batch().equals(s.batchNo()) && t.status() == TxnStatus.PENDING) {
        // settle once the in-flight transaction has its outcome
        return TerminalDecider.park(t.key(), r);
      }
    }
    Settlement st = settlement(c, terminal);
    BatchTotals mine = st.switchTotals();
    var retainAfter =
        env.clock().instant().minus(Duration.ofDays(env.settings().refundRetentionDays()));
    return Decision.builder()
        .persist(TerminalEvent.BatchSettled.of(st, retainAfter))
        .reply(new Decision.ToTerminal(r, reply(r, st), false))
        .info(
            "batch "
                + st.batch()
                + " settled "
                + ("1".equals(st.resultCode()) ? "balanced" : "NOT balanced")
                + " (switch debit "
                + mine.debitCount()
                + "/"
                + mine.debitFen()
                + " credit "
                + mine.creditCount()
                + "/"
                + mine.creditFen()
                + "), next batch "
                + st.nextBatch())
        .build();
  }

  /** The settlement of the open batch against the terminal's totals. */
  private Settlement settlement(RequestContext c, SettlementTotals terminal) {
    TerminalState s = c.state;
    BatchTotals mine = s.openBatchTotals();
    SettlementTotals.Block dom = terminal.domestic();
    SettlementTotals.Block frn = terminal.foreign();
    boolean balanced =
        dom.debitAmount() + frn.debitAmount() == mine.debitFen()
            && dom.debitCount() + frn.debitCount() == mine.debitCount()
            && dom.creditAmount() + frn.creditAmount() == mine.creditFen()
            && dom.creditCount() + frn.creditCount() == mine.creditCount();
    SettlementTotals answer =
        balanced
            ? new SettlementTotals(
                dom.withCode(SettlementTotals.BALANCED), frn.withCode(SettlementTotals.BALANCED))
            : new SettlementTotals(
                new SettlementTotals.Block(
                    mine.debitFen(),
                    mine.debitCount(),
                    mine.creditFen(),
                    mine.creditCount(),
                    SettlementTotals.NOT_BALANCED),
                SettlementTotals.Block.EMPTY.withCode(SettlementTotals.NOT_BALANCED));
    Map<String, Long> items = new LinkedHashMap<>();
    for (Txn t : s.txns().values()) {
      if (t.batch().equals(s.batchNo())
          && (t.status() == TxnStatus.APPROVED || t.status() == TxnStatus.VOIDED)) {
        items.put(t.stan(), t.amountFen());
      }
    }
    UpstreamTimes at = UpstreamTimes.of(c.request.receivedAt());
    return new Settlement(
        s.batchNo(),
        c.stan(),
        c.requestHash(),
        balanced ? "1" : "2",
        answer.format(),
        nextBatch(s.batchNo()),
        env.ids().next().rrn(),
        at.date(),
        at.time(),
        mine,
        env.clock().instant(),
        items,
        Map.of(),
        0,
        false);
  }

  private TerminalMessage reply(Request r, Settlement st) {
    TerminalMessage m = r.msg();
    return TerminalReplies.base(m, ResponseCode.APPROVED, env.now())
        .set(15, st.date())
        .set(32, env.settings().acquirerId())
        .set(37, st.rrn())
        .set(48, st.field48())
        .set(60, TerminalReplies.with60Batch(m.get(60), st.nextBatch()))
        .build();
  }

  Decision upload(RequestContext c) {
    TerminalState s = c.state;
    Request r = c.request;
    Field60 f60 = c.f60();
    Settlement last = s.lastSettlement();
    if (last == null || !last.batch().equals(f60.batch())) {
      return c.reject(
          ResponseCode.SIGN_ON_AGAIN,
          "batch upload for " + f60.batch() + " which was not the last settled batch");
    }
    Map<String, Long> items = new LinkedHashMap<>();
    int ic = 0;
    boolean ended = false;
    switch (f60.networkCode()) {
      case "201" -> {
        try {
          for (BatchUploadRecords.Entry en : BatchUploadRecords.parse(c.msg().get(48)).entries()) {
            items.put(en.stan(), en.amount());
          }
        } catch (TerminalFormatException | IllegalArgumentException ex) {
          return c.reject(ResponseCode.FORMAT_ERROR, "batch upload 48: " + ex.getMessage());
        }
      }
      case "203", "205" -> ic = 1;
      case "202", "207" -> ended = true;
      default -> {
        return c.reject(
            ResponseCode.FUNCTION_NOT_SUPPORTED,
            "batch upload code " + f60.networkCode() + " not supported");
      }
    }
    var event = new TerminalEvent.BatchUploaded(last.batch(), items, ic, ended);
    Decision.Builder d =
        Decision.builder()
            .persist(event)
            .reply(
                new Decision.ToTerminal(
                    r,
                    TerminalReplies.base(r.msg(), ResponseCode.APPROVED, r.receivedAt()).build(),
                    false));
    if (ended) {
      var diffs = TerminalEvents.apply(s, event).lastSettlement().differences();
      if (!diffs.isEmpty()) d.warn("batch " + last.batch() + " upload differences: " + diffs);
    }
    return d.build();
  }

  /** 60.2 + 1, wrapping 999999 to 000001. */
  static String nextBatch(String batch) {
    int n = Integer.parseInt(batch) + 1;
    if (n > 999_999) n = 1;
    return String.format("%06d", n);
  }
}
