package org.posp.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.posp.terminal.BatchTotals;
import org.posp.terminal.TerminalState;

/** The admin view of a terminal: no cryptograms, only key check values; PANs masked. */
final class TerminalView {
  private TerminalView() {}

  static ObjectNode of(TerminalState s, ObjectMapper json) {
    ObjectNode n = json.createObjectNode();
    n.put("merchantId", s.merchantId());
    n.put("terminalId", s.terminalId());
    n.put("provisioned", s.provisioned());
    if (s.tmk() != null) n.put("tmkCheckValue", s.tmk().checkValue());
    n.put("macAlgorithm", s.macAlgorithm().name());
    n.put("signedOn", s.signedOn());
    n.put("signOnRequired", s.signOnRequired());
    if (s.keys() != null) {
      n.put("keyScheme", s.keys().scheme().networkCode());
      n.put("pikCheckValue", s.keys().pik().checkValue());
      n.put("makCheckValue", s.keys().mak().checkValue());
      n.put("keysIssuedAt", s.keys().issuedAt().toString());
    }
    n.put("openBatch", s.batchNo());
    BatchTotals t = s.openBatchTotals();
    n.set("openBatchTotals", json.valueToTree(t));
    ArrayNode txns = n.putArray("transactions");
    for (TerminalState.Txn x : s.txns().values()) {
      ObjectNode o = txns.addObject();
      o.put("key", x.key());
      o.put("type", x.type().name());
      o.put("batch", x.batch());
      o.put("stan", x.stan());
      o.put("amountFen", x.amountFen());
      o.put("rrn", x.rrn());
      o.put("status", x.status().name());
      o.put("responseCode", x.responseCode());
      o.put("authCode", x.authCode());
      o.put("pan", x.panMasked());
      o.put("reversalPending", x.reversalPending());
      if (x.reversal() != null) o.put("reversalReason", x.reversal().reason());
    }
    if (s.lastSettlement() != null) {
      var st = s.lastSettlement();
      ObjectNode o = n.putObject("lastSettlement");
      o.put("batch", st.batch());
      o.put("result", st.resultCode());
      o.put("nextBatch", st.nextBatch());
      o.put("at", st.at().toString());
      o.set("switchTotals", json.valueToTree(st.switchTotals()));
      o.put("uploadedRecords", st.uploadedItems().size());
      o.put("icRecords", st.icRecords());
      o.put("uploadEnded", st.uploadEnded());
      ArrayNode d = o.putArray("uploadDifferences");
      st.differences().forEach(d::add);
    }
    return n;
  }
}
