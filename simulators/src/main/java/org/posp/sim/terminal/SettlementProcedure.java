package org.posp.sim.terminal;

import java.util.List;

/**
 * Settlement (批结算, 0500) followed by batch upload (批上送, 0320), docs/protocol/terminal.md §10. The
 * totals come from the terminal's own journal of the batch. After an approved 0510 the switch has
 * closed the batch, so the terminal moves to the batch of the 0510's 60.2 (or batch + 1 when the
 * 0510 does not carry a different one) whatever happens during the upload, which still carries the
 * settled batch.
 */
final class SettlementProcedure {
  private final TerminalClient client;
  private final TerminalRequests requests;

  SettlementProcedure(TerminalClient client, TerminalRequests requests) {
    this.client = client;
    this.requests = requests;
  }

  SettlementResult run(String settled) {
    long t0 = System.nanoTime();
    String tid = client.config().terminalId();
    List<TxnRecord> records = client.journal().ofBatch(tid, settled);
    SettlementTotals totals = SettlementTotals.of(records);
    Exchange ex =
        client.send(
            client.prepare(
                requests.settlement(client.nextStan(), settled, totals.requestField48())));
    String rc = ex.responseCode();
    if (!ex.verified()) {
      return new SettlementResult(
          settled, null, totals, null, rc, null, 0, null, ex.failure(), TerminalClient.since(t0));
    }
    if (!"00".equals(rc)) {
      return new SettlementResult(
          settled, null, totals, null, rc, null, 0, null, null, TerminalClient.since(t0));
    }
    TerminalMessage reply = ex.replyMessage();
    String assigned = reply.field60Batch();
    String newBatch =
        assigned != null && assigned.matches("\\d{6}") && !assigned.equals(settled)
            ? assigned
            : TerminalClient.nextBatch(settled);
    client.moveToBatch(newBatch);
    SettlementTotals.Reply switchTotals;
    try {
      switchTotals = SettlementTotals.Reply.parse(reply.get(48));
    } catch (IllegalArgumentException e) {
      return new SettlementResult(
          settled,
          newBatch,
          totals,
          null,
          rc,
          null,
          0,
          null,
          "0510 " + e.getMessage(),
          TerminalClient.since(t0));
    }
    String code = String.valueOf(switchTotals.domesticCode());
    String endCode =
        switch (code) {
          case "1" -> BatchUpload.CODE_END_BALANCED;
          case "2" -> BatchUpload.CODE_END_UNBALANCED;
          default -> null;
        };
    if (endCode == null) {
      return new SettlementResult(
          settled,
          newBatch,
          totals,
          switchTotals,
          rc,
          code,
          0,
          null,
          null,
          TerminalClient.since(t0));
    }
    List<TxnRecord> upload = BatchUpload.uploadable(records);
    List<String> details = BatchUpload.detailFields(upload);
    for (int i = 0; i < details.size(); i++) {
      String problem = uploadMessage(settled, BatchUpload.CODE_DETAIL, details.get(i));
      if (problem != null) {
        return new SettlementResult(
            settled,
            newBatch,
            totals,
            switchTotals,
            rc,
            code,
            0,
            null,
            "batch upload message " + (i + 1) + "/" + details.size() + ": " + problem,
            TerminalClient.since(t0));
      }
    }
    String problem = uploadMessage(settled, endCode, BatchUpload.endField(upload.size()));
    return new SettlementResult(
        settled,
        newBatch,
        totals,
        switchTotals,
        rc,
        code,
        upload.size(),
        problem == null ? endCode : null,
        problem == null ? null : "batch upload end " + endCode + ": " + problem,
        TerminalClient.since(t0));
  }

  private String uploadMessage(String settled, String code, String field48) {
    Exchange ex =
        client.send(
            client.prepare(requests.batchUpload(client.nextStan(), settled, code, field48)));
    if (!ex.verified()) {
      return ex.failure();
    }
    return "00".equals(ex.responseCode()) ? null : "0330 39=" + ex.responseCode();
  }
}
