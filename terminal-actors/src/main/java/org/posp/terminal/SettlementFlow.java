package org.posp.terminal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.posp.terminal.TerminalEntity.Event;
import org.posp.terminal.TerminalEntity.Request;
import org.posp.terminal.TerminalState.Settlement;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.TerminalState.TxnStatus;
import org.posp.terminal.codec.BatchUploadRecords;
import org.posp.terminal.codec.Field60;
import org.posp.terminal.codec.SettlementTotals;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;

/**
 * Settlement (批结算, 0500) and batch upload (批上送, 0320) of terminal-protocol.md §4.4: compare the
 * terminal's totals with the switch's for the open batch, reply balanced (1) or not (2, with the
 * switch's totals), close the batch and open the next; then take the uploaded details and list the
 * differences for operators.
 */
final class SettlementFlow {
  private final TerminalEntity e;
  private final TerminalFlows flows;

  SettlementFlow(TerminalEntity entity, TerminalFlows flows) {
    this.e = entity;
    this.flows = flows;
  }

  ReplyEffect<Event, TerminalState> onSettlement(TerminalState s, Request r) {
    TerminalMessage m = r.msg();
    Field60 f60 = TerminalFlows.field60(m);
    String missing = Mandatory.missing(r.type(), m);
    if (f60 == null || missing != null) return flows.reject(s, r, "30", "settlement: " + (missing == null ? "field 60" : missing));
    String hash = flows.requestHash(r);
    Settlement last = s.lastSettlement();
    if (last != null && last.batch().equals(f60.batch()) && last.stan().equals(m.get(11))) {
      if (!last.requestHash().equals(hash)) return flows.reject(s, r, "94", "settlement key reused with other content");
      return flows.reply(s, r, reply(r, last), false);
    }
    if (!s.signedOn() || !f60.batch().equals(s.batchNo())) {
      return flows.reject(s, r, "77", "settlement of batch " + f60.batch() + ", open batch is " + s.batchNo());
    }
    SettlementTotals terminal;
    try {
      terminal = SettlementTotals.parse(m.get(48));
    } catch (TerminalFormatException | IllegalArgumentException ex) {
      return flows.reject(s, r, "30", "field 48: " + ex.getMessage());
    }
    for (Txn t : s.txns().values()) {
      if (t.batch().equals(s.batchNo()) && t.status() == TxnStatus.PENDING) {
        return flows.waitFor(t.key(), r); // settle once the in-flight transaction has its outcome
      }
    }
    BatchTotals mine = s.openBatchTotals();
    SettlementTotals.Block dom = terminal.domestic();
    SettlementTotals.Block frn = terminal.foreign();
    boolean balanced = dom.debitAmount() + frn.debitAmount() == mine.debitFen()
        && dom.debitCount() + frn.debitCount() == mine.debitCount()
        && dom.creditAmount() + frn.creditAmount() == mine.creditFen()
        && dom.creditCount() + frn.creditCount() == mine.creditCount();
    SettlementTotals answer = balanced
        ? new SettlementTotals(dom.withCode(SettlementTotals.BALANCED), frn.withCode(SettlementTotals.BALANCED))
        : new SettlementTotals(new SettlementTotals.Block(mine.debitFen(), mine.debitCount(), mine.creditFen(),
            mine.creditCount(), SettlementTotals.NOT_BALANCED), SettlementTotals.Block.EMPTY.withCode(SettlementTotals.NOT_BALANCED));
    Map<String, Long> items = new LinkedHashMap<>();
    for (Txn t : s.txns().values()) {
      if (t.batch().equals(s.batchNo()) && (t.status() == TxnStatus.APPROVED || t.status() == TxnStatus.VOIDED)) {
        items.put(t.stan(), t.amountFen());
      }
    }
    var now = r.receivedAt();
    Settlement st = new Settlement(s.batchNo(), m.get(11), hash, balanced ? "1" : "2", answer.format(),
        nextBatch(s.batchNo()), e.services.ids().next().rrn(),
        String.format("%02d%02d", now.getMonthValue(), now.getDayOfMonth()),
        String.format("%02d%02d%02d", now.getHour(), now.getMinute(), now.getSecond()),
        mine, e.services.clock().instant(), items, Map.of(), 0, false);
    e.log.info("terminal {}: batch {} settled {} (switch debit {}/{} credit {}/{}), next batch {}", e.entityId(),
        st.batch(), balanced ? "balanced" : "NOT balanced", mine.debitCount(), mine.debitFen(), mine.creditCount(),
        mine.creditFen(), st.nextBatch());
    var retainAfter = e.services.clock().instant().minus(Duration.ofDays(e.services.settings().refundRetentionDays()));
    return flows.persistThenReply(r, new TerminalEntity.BatchSettled(st, retainAfter),
        ns -> e.respond(ns, reply(r, st), false));
  }

  private TerminalMessage reply(Request r, Settlement st) {
    TerminalMessage m = r.msg();
    String acq = e.services.settings().acquirerId();
    return TerminalReplies.base(m, "00", e.now())
        .set(15, st.date())
        .set(32, acq)
        .set(37, st.rrn())
        .set(48, st.field48())
        .set(60, TerminalReplies.with60Batch(m.get(60), st.nextBatch()))
        .build();
  }

  ReplyEffect<Event, TerminalState> onBatchUpload(TerminalState s, Request r) {
    TerminalMessage m = r.msg();
    Field60 f60 = TerminalFlows.field60(m);
    String missing = Mandatory.missing(r.type(), m);
    if (f60 == null || missing != null) return flows.reject(s, r, "30", "batch upload: " + (missing == null ? "field 60" : missing));
    Settlement last = s.lastSettlement();
    if (last == null || !last.batch().equals(f60.batch())) {
      return flows.reject(s, r, "77", "batch upload for " + f60.batch() + " which was not the last settled batch");
    }
    Map<String, Long> items = new LinkedHashMap<>();
    int ic = 0;
    boolean ended = false;
    switch (f60.networkCode()) {
      case "201" -> {
        try {
          for (BatchUploadRecords.Entry en : BatchUploadRecords.parse(m.get(48)).entries()) {
            items.put(en.stan(), en.amount());
          }
        } catch (TerminalFormatException | IllegalArgumentException ex) {
          return flows.reject(s, r, "30", "batch upload 48: " + ex.getMessage());
        }
      }
      case "203", "205" -> ic = 1;
      case "202", "207" -> ended = true;
      default -> {
        return flows.reject(s, r, "40", "batch upload code " + f60.networkCode() + " not supported");
      }
    }
    TerminalMessage reply = TerminalReplies.base(m, "00", r.receivedAt()).build();
    boolean end = ended;
    return flows.persistThenReply(r, new TerminalEntity.BatchUploaded(last.batch(), items, ic, ended),
        ns -> {
          if (end) {
            var diffs = ns.lastSettlement().differences();
            if (!diffs.isEmpty()) {
              e.log.warn("terminal {}: batch {} upload differences: {}", e.entityId(), last.batch(), diffs);
            }
          }
          return e.respond(ns, reply, false);
        });
  }

  /** 60.2 + 1, wrapping 999999 to 000001. */
  static String nextBatch(String batch) {
    int n = Integer.parseInt(batch) + 1;
    if (n > 999_999) n = 1;
    return String.format("%06d", n);
  }
}
