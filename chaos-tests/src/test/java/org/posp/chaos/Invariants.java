package org.posp.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.posp.sim.cardbus.HostMessage;
import org.posp.sim.cardbus.Operation;
import org.posp.sim.cardbus.TerminalTotals;
import org.posp.sim.terminal.SettlementResult;
import org.posp.sim.terminal.TxnRecord;
import org.posp.sim.terminal.TxnType;

/**
 * The invariants of architecture.md §6, each decided from independent records: what the terminals
 * received (their journal), the switch's records (the admin view of each terminal) and the card-bus
 * host's ledger. Each check returns a {@link Check} with the first violations named; none throws.
 *
 * <p>Host messages carry the switch's upstream STAN and RRN, not the terminal's STAN: a host debit
 * is tied to the terminal request that caused it by the sale amount, unique per terminal in the
 * load ({@link LoadDriver}); a void carries its sale's amount.
 */
final class Invariants {
  private static final int SHOWN = 12;

  /** The verdict on one invariant. */
  record Check(String id, String name, boolean passed, String detail, List<String> violations) {
    Check {
      violations = List.copyOf(violations.subList(0, Math.min(SHOWN, violations.size())));
    }

    static Check of(String id, String name, String detail, List<String> violations) {
      return new Check(
          id,
          name,
          violations.isEmpty(),
          detail
              + (violations.size() > SHOWN
                  ? " (" + violations.size() + " violations, first " + SHOWN + " listed)"
                  : ""),
          violations);
    }
  }

  private Invariants() {}

  /**
   * 1. Durable approvals: every 00 a terminal received for a sale or void (verified, not reversed
   * by the terminal) is an APPROVED or VOIDED transaction of the switch with the same RRN. Balance
   * inquiries are not journaled by the switch (no money moves) and are not checked.
   */
  static Check durableApprovals(List<TxnRecord> terminal, Map<String, JsonNode> switchViews) {
    List<String> v = new ArrayList<>();
    int checked = 0;
    for (TxnRecord r : terminal) {
      if (!r.approved() || (r.type() != TxnType.SALE && r.type() != TxnType.SALE_VOID)) continue;
      checked++;
      JsonNode view = switchViews.get(r.terminalId());
      if (view == null) {
        v.add(r.terminalId() + ": no switch view");
        continue;
      }
      Optional<JsonNode> txn = switchTxn(view, r.batch(), r.stan(), r.type());
      if (txn.isEmpty()) {
        v.add(
            r.terminalId()
                + " "
                + r.type()
                + " stan "
                + r.stan()
                + " batch "
                + r.batch()
                + " rrn "
                + r.rrn()
                + ": the terminal got 00, the switch has no such transaction (open batch "
                + view.path("openBatch").asText()
                + ")");
        continue;
      }
      String status = txn.get().path("status").asText();
      String rrn = txn.get().path("rrn").asText();
      if (!Set.of("APPROVED", "VOIDED").contains(status) || !rrn.equals(r.rrn())) {
        v.add(
            r.terminalId()
                + " "
                + r.type()
                + " stan "
                + r.stan()
                + " rrn "
                + r.rrn()
                + ": the terminal got 00, the switch says "
                + status
                + " rrn "
                + rrn);
      }
    }
    return Check.of(
        "1",
        "durable approvals",
        checked + " approvals received by terminals checked against the switch",
        v);
  }

  /**
   * Host debits and voids that the terminals' approved net does not account for (orphans), and the
   * switch's approvals of requests the terminals reversed. Empty when the three records agree.
   */
  static List<String> orphans(
      List<TxnRecord> terminal, List<HostMessage> host, Map<String, JsonNode> switchViews) {
    List<String> v = new ArrayList<>();
    Ledger ledger = Ledger.of(terminal, host);
    for (var e : ledger.keys().entrySet()) {
      Key k = e.getKey();
      Expect x = e.getValue();
      if (x.hostEffectiveDebits > 0 && !x.terminalCountsSale()) {
        v.add(
            "orphan debit: terminal "
                + k.tid
                + " amount "
                + k.amount
                + " rrn "
                + x.hostDebitRrn
                + " is debited at the host; the terminal "
                + x.describeSale());
      }
      if (x.hostEffectiveVoids > 0 && (x.voidRecord == null || !x.voidRecord.approved())) {
        v.add(
            "orphan void: terminal "
                + k.tid
                + " amount "
                + k.amount
                + " voided at the host; the terminal "
                + (x.voidRecord == null
                    ? "sent no void"
                    : "did not receive its 00 ("
                        + x.voidRecord.responseCode()
                        + ", "
                        + x.voidRecord.failure()
                        + ", reversal "
                        + x.voidRecord.reversal()
                        + ")"));
      }
    }
    if (switchViews != null) {
      for (TxnRecord r : terminal) {
        if (!r.reversed() || r.type() == TxnType.BALANCE) continue;
        JsonNode view = switchViews.get(r.terminalId());
        if (view == null) continue;
        switchTxn(view, r.batch(), r.stan(), r.type())
            .ifPresent(
                t -> {
                  String status = t.path("status").asText();
                  if (status.equals("APPROVED") || status.equals("VOIDED")) {
                    v.add(
                        "switch kept an approval the terminal reversed: "
                            + r.terminalId()
                            + " "
                            + r.type()
                            + " stan "
                            + r.stan()
                            + " rrn "
                            + t.path("rrn").asText()
                            + " is "
                            + status);
                  }
                });
      }
    }
    return v;
  }

  /**
   * 2. No orphan debits, from the last {@link #orphans} poll; {@code seconds} it took to get there.
   */
  static Check noOrphans(
      List<String> remaining, double seconds, double boundSeconds, int hostReversals) {
    String detail =
        remaining.isEmpty()
            ? "host and switch agree with the terminals "
                + fmt(seconds)
                + " s after the load stopped (bound "
                + fmt(boundSeconds)
                + " s); "
                + hostReversals
                + " reversal messages at the host"
            : "still disagreeing after " + fmt(seconds) + " s";
    return Check.of("2", "no orphan debits", detail, remaining);
  }

  /**
   * 3. No double debits: no RRN approved twice for a debit at the host and no terminal request
   * (sale amount) with two approved debits, reversed ones included (a replay must never reach the
   * host as a new debit).
   */
  static Check noDoubleDebits(List<HostMessage> host, Set<String> terminalIds) {
    List<String> v = new ArrayList<>();
    Map<String, Integer> byRrn = new HashMap<>();
    Map<String, List<String>> byRequest = new TreeMap<>();
    int debits = 0;
    int duplicates = 0;
    for (HostMessage m : host) {
      if (!terminalIds.contains(m.terminalId()) || m.operation() != Operation.SALE || !m.approved())
        continue;
      debits++;
      duplicates += m.duplicates();
      byRrn.merge(m.rrn(), 1, Integer::sum);
      byRequest
          .computeIfAbsent(m.terminalId() + " amount " + m.amountFen(), k -> new ArrayList<>())
          .add(m.rrn() + (m.reversed() ? " (reversed)" : ""));
    }
    byRrn.forEach(
        (rrn, n) -> {
          if (n > 1) v.add("rrn " + rrn + " debited " + n + " times");
        });
    byRequest.forEach(
        (req, rrns) -> {
          if (rrns.size() > 1)
            v.add("terminal " + req + ": " + rrns.size() + " host debits " + rrns);
        });
    return Check.of(
        "3",
        "no double debits",
        debits
            + " approved host debits; "
            + duplicates
            + " retransmissions answered by the host from its record",
        v);
  }

  /**
   * 4. Balanced batches: every settlement answered reconciliation code 1, and the host's net per
   * terminal equals the net of what the terminal received as 00 and did not reverse.
   */
  static Check balanced(
      Map<String, SettlementResult> settlements,
      Map<String, TerminalTotals> hostTotals,
      List<TxnRecord> terminal,
      List<HostMessage> host) {
    List<String> v = new ArrayList<>();
    for (var e : Ledger.of(terminal, host).keys().entrySet()) {
      if (e.getValue().terminalCountsSale() && e.getValue().hostEffectiveDebits == 0) {
        v.add(
            "missing at the host: terminal "
                + e.getKey().tid
                + " sale of "
                + e.getKey().amount
                + " fen rrn "
                + e.getValue().saleRecord.rrn()
                + " counted by the terminal, not debited (or undone) at the host");
      }
    }
    Map<String, Long> terminalNet = terminalNet(terminal);
    int balanced = 0;
    for (var e : settlements.entrySet()) {
      SettlementResult s = e.getValue();
      if (s != null && s.balanced()) {
        balanced++;
      } else {
        v.add(
            "terminal "
                + e.getKey()
                + " settlement: "
                + (s == null
                    ? "not run"
                    : "39="
                        + s.responseCode()
                        + " reconciliation "
                        + s.reconciliationCode()
                        + (s.failure() == null ? "" : " (" + s.failure() + ")")
                        + " terminal totals "
                        + s.terminalTotals()
                        + " switch "
                        + s.switchReply()));
      }
      long mine = terminalNet.getOrDefault(e.getKey(), 0L);
      TerminalTotals h = hostTotals.get(e.getKey());
      long theirs = h == null ? 0 : h.netFen();
      if (mine != theirs) {
        v.add(
            "terminal "
                + e.getKey()
                + ": host net "
                + theirs
                + " fen, terminal approved net "
                + mine
                + " fen");
      }
    }
    return Check.of(
        "4",
        "balanced batches",
        balanced
            + "/"
            + settlements.size()
            + " settlements balanced (code 1); host net = terminal approved net for each terminal",
        v);
  }

  /**
   * Net (debits − credits, fen) of what each terminal received as 00, verified and not reversed.
   */
  static Map<String, Long> terminalNet(List<TxnRecord> terminal) {
    Map<String, Long> net = new TreeMap<>();
    for (TxnRecord r : terminal) {
      if (!r.approved()) continue;
      switch (r.type().effect()) {
        case DEBIT -> net.merge(r.terminalId(), r.amountFen(), Long::sum);
        case CREDIT -> net.merge(r.terminalId(), -r.amountFen(), Long::sum);
        case NONE -> {}
      }
    }
    return net;
  }

  /**
   * 5. Bounded failover: every terminal got an approval again, at most {@code boundSeconds} after
   * the fault ended. The 10 s goal is reported, not enforced.
   */
  static Check boundedFailover(
      Map<String, Optional<Double>> servedAfterFault, double faultSeconds, double boundSeconds) {
    List<String> v = new ArrayList<>();
    double max = 0;
    for (var e : servedAfterFault.entrySet()) {
      if (e.getValue().isEmpty()) {
        v.add("terminal " + e.getKey() + " got no approval after the fault");
      } else {
        max = Math.max(max, e.getValue().get());
        if (e.getValue().get() - faultSeconds > boundSeconds) {
          v.add(
              "terminal "
                  + e.getKey()
                  + " served again only "
                  + fmt(e.getValue().get())
                  + " s after the fault");
        }
      }
    }
    String detail =
        "all terminals served again "
            + fmt(max)
            + " s after the fault began"
            + (faultSeconds > 0 ? " (" + fmt(max - faultSeconds) + " s after it ended)" : "")
            + "; goal 10 s (reported), bound "
            + fmt(boundSeconds)
            + " s (enforced)";
    return Check.of("5", "bounded failover", detail, v);
  }

  /**
   * 6. Database outage: requests sent while PostgreSQL was down were answered (any code) within the
   * terminal's reply timeout: no hang. Loss of approvals is checked by 1 and 4, recovery by 5.
   */
  static Check databaseOutage(
      List<LoadDriver.Attempt> during,
      Map<String, Integer> codes,
      double p50,
      double max,
      boolean nodesAlive) {
    List<String> v = new ArrayList<>();
    long unanswered =
        during.stream().filter(a -> a.outcome() == LoadDriver.Outcome.TIMEOUT).count();
    if (unanswered > 0)
      v.add(
          unanswered
              + " of "
              + during.size()
              + " requests sent while the database was down got no reply");
    if (!nodesAlive) v.add("a node exited during the outage");
    return Check.of(
        "6",
        "database outage",
        during.size()
            + " requests during the outage, answered "
            + codes
            + ", latency p50 "
            + fmt(p50)
            + " s max "
            + fmt(max)
            + " s",
        v);
  }

  /** The switch's transaction of a batch with a terminal STAN and type, from the admin view. */
  /**
   * P. No clear PAN in the switch's logs: none of the test cards' PANs (nor any other digit run of
   * 13 to 19 digits that starts with a test card's BIN) appears in any node log of the run. Masked
   * forms ({@code 621488****1234}) do not match.
   */
  static Check noClearPanInLogs(List<Path> logs, Collection<String> pans) throws IOException {
    Set<String> bins = new TreeSet<>();
    pans.forEach(p -> bins.add(p.substring(0, 6)));
    Pattern digits = Pattern.compile("(?<![0-9])[0-9]{13,19}(?![0-9])");
    List<String> violations = new ArrayList<>();
    long lines = 0;
    for (Path log : logs) {
      if (!Files.exists(log)) continue;
      try (var in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
          n++;
          lines++;
          var m = digits.matcher(line);
          while (m.find()) {
            String run = m.group();
            if (pans.contains(run) || bins.contains(run.substring(0, 6))) {
              violations.add(
                  log.getFileName()
                      + ":"
                      + n
                      + " holds "
                      + run.substring(0, 6)
                      + "..."
                      + run.substring(run.length() - 4)
                      + " in clear");
            }
          }
        }
      }
    }
    return Check.of(
        "P",
        "no clear PAN in logs",
        lines
            + " lines of "
            + logs.size()
            + " node logs searched for "
            + pans.size()
            + " test PANs and their BINs",
        violations);
  }

  /**
   * J. JSON logs (POSP_LOG_FORMAT=json): every log line of the switch is one JSON object with a
   * level, a logger and a message. Lines the JVM or an agent prints itself (not through logback)
   * are not log lines and are only counted.
   */
  static Check jsonLogs(List<Path> logs) throws IOException {
    var mapper = new ObjectMapper();
    Pattern textLogLine =
        Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR) .*");
    List<String> violations = new ArrayList<>();
    long json = 0, other = 0;
    for (Path log : logs) {
      if (!Files.exists(log)) continue;
      int n = 0;
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        n++;
        if (line.startsWith("{")) {
          try {
            JsonNode node = mapper.readTree(line);
            if (!node.hasNonNull("level")
                || !node.hasNonNull("loggerName")
                || !node.has("formattedMessage")) {
              violations.add(
                  log.getFileName() + ":" + n + " lacks level, loggerName or formattedMessage");
            }
            json++;
          } catch (IOException e) {
            violations.add(
                log.getFileName()
                    + ":"
                    + n
                    + " is not JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
          }
        } else if (textLogLine.matcher(line).matches()) {
          violations.add(log.getFileName() + ":" + n + " is a text log line");
        } else {
          other++;
        }
      }
    }
    if (json == 0) violations.add("no JSON log line at all");
    return Check.of(
        "J",
        "JSON logs",
        json + " JSON log lines, " + other + " other lines (JVM/agent output)",
        violations);
  }

  static Optional<JsonNode> switchTxn(JsonNode view, String batch, String stan, TxnType type) {
    for (JsonNode t : view.path("transactions")) {
      if (batch.equals(t.path("batch").asText())
          && stan.equals(t.path("stan").asText())
          && type.name().equals(t.path("type").asText())) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  static String fmt(double seconds) {
    return String.format(Locale.ROOT, "%.1f", seconds);
  }

  // ---------------------------------------------------------------- sale amount → the three
  // records

  private record Key(String tid, long amount) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = tid.compareTo(o.tid);
      return c != 0 ? c : Long.compare(amount, o.amount);
    }
  }

  /** What the terminal and the host recorded for one sale amount of one terminal. */
  private static final class Expect {
    TxnRecord saleRecord;
    TxnRecord voidRecord;
    int hostEffectiveDebits;
    int hostEffectiveVoids;
    String hostDebitRrn;

    boolean terminalCountsSale() {
      return saleRecord != null
          && saleRecord.approved()
          && (voidRecord == null || !voidRecord.approved());
    }

    String describeSale() {
      if (saleRecord == null) return "sent no sale of that amount";
      if (saleRecord.approved()) return "had it approved but also a 00 for its void";
      return "did not count it (39="
          + saleRecord.responseCode()
          + ", "
          + saleRecord.failure()
          + ", reversal "
          + saleRecord.reversal()
          + ")";
    }
  }

  private record Ledger(Map<Key, Expect> keys) {
    static Ledger of(List<TxnRecord> terminal, List<HostMessage> host) {
      Map<Key, Expect> m = new TreeMap<>();
      Set<String> tids = new HashSet<>();
      for (TxnRecord r : terminal) {
        tids.add(r.terminalId());
        if (r.type() == TxnType.SALE)
          m.computeIfAbsent(new Key(r.terminalId(), r.amountFen()), k -> new Expect()).saleRecord =
              r;
        if (r.type() == TxnType.SALE_VOID)
          m.computeIfAbsent(new Key(r.terminalId(), r.amountFen()), k -> new Expect()).voidRecord =
              r;
      }
      for (HostMessage h : host) {
        if (!tids.contains(h.terminalId()) || !h.approved() || h.reversed()) continue;
        if (h.operation() == Operation.SALE && !h.voided()) {
          Expect x = m.computeIfAbsent(new Key(h.terminalId(), h.amountFen()), k -> new Expect());
          x.hostEffectiveDebits++;
          x.hostDebitRrn = h.rrn();
        } else if (h.operation() == Operation.VOID) {
          m.computeIfAbsent(new Key(h.terminalId(), h.amountFen()), k -> new Expect())
              .hostEffectiveVoids++;
        }
      }
      return new Ledger(m);
    }
  }
}
