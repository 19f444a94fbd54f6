package org.posp.sim.cardbus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The host's books (主机账务): test-card accounts, every received message, per-terminal totals. All
 * state is guarded by one lock, so every read is a consistent snapshot and the issuer's decisions
 * (check funds, then debit) are atomic. Thread-safe.
 */
public final class Ledger {

  /** Guards everything below; {@link SimulatedIssuer} holds it for a whole decision. */
  final Object lock = new Object();

  private final long startingBalanceFen;
  private final Map<String, Account> accounts = new HashMap<>();
  private final List<LedgerEntry> entries = new ArrayList<>();

  /** The first non-void, non-reversal message seen with each 37. */
  private final Map<String, LedgerEntry> originalsByRrn = new HashMap<>();

  /** The first void seen with each 37 (a void carries a new 37). */
  private final Map<String, LedgerEntry> voidsByRrn = new HashMap<>();

  /** Base MTI + 11 → messages, to find the original a field 56 names. */
  private final Map<String, List<LedgerEntry>> byMtiStan = new HashMap<>();

  /** Reversals that came before the message they reverse, by that message's 37. */
  private final Map<String, PendingReversal> pendingReversals = new HashMap<>();

  private int reversalsReceived;
  private int networkMessagesReceived;
  private int droppedWhileMuted;
  private int duplicatesReceived;

  /** A reversal for a 37 the host has not seen yet: that message must be declined when it comes. */
  record PendingReversal(LedgerEntry reversal, Optional<OriginalData> original) {}

  private static final class Account {
    final String pan;
    long balanceFen;
    final List<LedgerEntry> history = new ArrayList<>();

    Account(String pan, long balanceFen) {
      this.pan = pan;
      this.balanceFen = balanceFen;
    }

    long holdsFen() {
      long holds = 0;
      for (LedgerEntry e : history) {
        holds += e.activeHoldFen;
      }
      return holds;
    }
  }

  Ledger(long startingBalanceFen) {
    this.startingBalanceFen = startingBalanceFen;
  }

  // ---------------------------------------------------------------- public read side

  /**
   * The account of a test card (any Luhn-valid PAN); a card the host has not seen yet shows the
   * starting balance.
   *
   * @throws IllegalArgumentException when {@code pan} is not a Luhn-valid 13..19 digit PAN
   */
  public CardAccount card(String pan) {
    if (!CardData.isLuhnValid(pan)) {
      throw new IllegalArgumentException(
          "not a test card (13..19 digits, Luhn-valid): " + CardData.mask(pan));
    }
    synchronized (lock) {
      Account a = accounts.get(pan);
      if (a == null) {
        return new CardAccount(
            CardData.mask(pan), startingBalanceFen, 0, startingBalanceFen, List.of());
      }
      long holds = a.holdsFen();
      return new CardAccount(
          CardData.mask(pan),
          a.balanceFen,
          holds,
          a.balanceFen - holds,
          a.history.stream().map(LedgerEntry::snapshot).toList());
    }
  }

  /** Totals of one terminal; all zero for a terminal the host has not seen. */
  public TerminalTotals terminal(String merchantId, String terminalId) {
    synchronized (lock) {
      return totals(merchantId, terminalId);
    }
  }

  /** Whether any message came from this merchant id + terminal id. */
  public boolean knowsTerminal(String merchantId, String terminalId) {
    synchronized (lock) {
      return entries.stream()
          .anyMatch(
              e ->
                  Objects.equals(e.merchantId, merchantId)
                      && Objects.equals(e.terminalId, terminalId));
    }
  }

  /** Totals of every terminal seen, ordered by merchant id then terminal id. */
  public List<TerminalTotals> terminals() {
    synchronized (lock) {
      Map<String, String[]> keys = new LinkedHashMap<>();
      for (LedgerEntry e : entries) {
        keys.putIfAbsent(
            e.merchantId + '\u0000' + e.terminalId, new String[] {e.merchantId, e.terminalId});
      }
      return keys.values().stream()
          .map(k -> totals(k[0], k[1]))
          .sorted(
              Comparator.comparing((TerminalTotals t) -> String.valueOf(t.merchantId()))
                  .thenComparing(t -> String.valueOf(t.terminalId())))
          .toList();
    }
  }

  /** Every recorded message, in order of arrival. */
  public List<HostMessage> messages() {
    synchronized (lock) {
      return entries.stream().map(LedgerEntry::snapshot).toList();
    }
  }

  /** The first non-reversal message with this 37 (the original; else a void that carried it). */
  public Optional<HostMessage> byRrn(String rrn) {
    synchronized (lock) {
      LedgerEntry e = originalsByRrn.get(rrn);
      if (e == null) {
        e = voidsByRrn.get(rrn);
      }
      return Optional.ofNullable(e).map(LedgerEntry::snapshot);
    }
  }

  /** Every message with this 37: the original, a colliding resend, its reversals. */
  public List<HostMessage> messagesByRrn(String rrn) {
    synchronized (lock) {
      return entries.stream()
          .filter(e -> Objects.equals(e.rrn, rrn))
          .map(LedgerEntry::snapshot)
          .toList();
    }
  }

  /** 2420 and 2421 messages received, repeats included. */
  public int reversalsReceived() {
    synchronized (lock) {
      return reversalsReceived;
    }
  }

  /** 2800 logons and echoes received (they are not listed in {@link #messages()}). */
  public int networkMessagesReceived() {
    synchronized (lock) {
      return networkMessagesReceived;
    }
  }

  /** Requests read and dropped while the host was muted. */
  public int droppedWhileMuted() {
    synchronized (lock) {
      return droppedWhileMuted;
    }
  }

  /** Requests whose 37 had been answered and that got the same answer again. */
  public int duplicatesReceived() {
    synchronized (lock) {
      return duplicatesReceived;
    }
  }

  // ---------------------------------------------------------------- package-private write side
  // (hold lock)

  LedgerEntry record(
      CardBusRequest req, Operation operation, Operation voidedOperation, Instant now) {
    LedgerEntry e = new LedgerEntry(entries.size() + 1L, now, req, operation, voidedOperation);
    entries.add(e);
    if (e.pan != null && CardData.isLuhnValid(e.pan)) {
      account(e.pan).history.add(e);
    }
    return e;
  }

  /** Makes {@code e} findable by its 37 (first one wins) and by MTI + 11. */
  void index(LedgerEntry e) {
    if (e.rrn != null) {
      if (e.operation == Operation.VOID) {
        voidsByRrn.putIfAbsent(e.rrn, e);
      } else if (e.operation != Operation.REVERSAL) {
        originalsByRrn.putIfAbsent(e.rrn, e);
      }
    }
    if (e.stan != null && e.operation != Operation.REVERSAL) {
      byMtiStan.computeIfAbsent(mtiStanKey(e.mti, e.stan), k -> new ArrayList<>()).add(e);
    }
  }

  LedgerEntry originalByRrn(String rrn) {
    return originalsByRrn.get(rrn);
  }

  LedgerEntry voidByRrn(String rrn) {
    return voidsByRrn.get(rrn);
  }

  /**
   * The non-void message that field 56 names: same base MTI and 11, same 41 and (when both carry
   * it) same 12; the latest when several match. Null when none does.
   */
  LedgerEntry findOriginal(OriginalData od, String terminalId) {
    List<LedgerEntry> candidates =
        byMtiStan.getOrDefault(mtiStanKey(od.mti(), od.stan()), List.of());
    LedgerEntry found = null;
    for (LedgerEntry c : candidates) {
      if (c.operation == Operation.VOID || c.operation == Operation.UNSUPPORTED) {
        continue;
      }
      if (terminalId != null && c.terminalId != null && !terminalId.equals(c.terminalId)) {
        continue;
      }
      if (c.localDateTime != null && !od.localDateTime().equals(c.localDateTime)) {
        continue;
      }
      found = c;
    }
    return found;
  }

  PendingReversal pendingReversal(String rrn) {
    return pendingReversals.get(rrn);
  }

  void addPendingReversal(String rrn, PendingReversal p) {
    pendingReversals.putIfAbsent(rrn, p);
  }

  void removePendingReversal(String rrn) {
    pendingReversals.remove(rrn);
  }

  long availableFen(String pan) {
    Account a = account(pan);
    return a.balanceFen - a.holdsFen();
  }

  /** Applies an approved message's money effect: debit, credit or hold. */
  void apply(LedgerEntry e) {
    Account a = account(e.pan);
    switch (e.operation) {
      case SALE, TRANSFER -> a.balanceFen -= e.amountFen;
      case COMPLETION, COMPLETION_ADVICE -> {
        a.balanceFen -= e.amountFen;
        LedgerEntry preAuth = e.original;
        if (preAuth != null && preAuth.effective() && preAuth.activeHoldFen > 0) {
          e.releasedHoldFen = preAuth.activeHoldFen;
          preAuth.activeHoldFen = 0;
        }
      }
      case REFUND -> a.balanceFen += e.amountFen;
      case PRE_AUTH -> e.activeHoldFen = e.amountFen;
      default -> {
        // balance inquiries, voids and reversals move no money themselves
      }
    }
  }

  /** Takes an applied effect back (void or reversal of {@code e}). */
  void undo(LedgerEntry e) {
    Account a = account(e.pan);
    switch (e.operation) {
      case SALE, TRANSFER -> a.balanceFen += e.amountFen;
      case COMPLETION, COMPLETION_ADVICE -> {
        a.balanceFen += e.amountFen;
        LedgerEntry preAuth = e.original;
        if (e.releasedHoldFen > 0 && preAuth != null && preAuth.effective()) {
          preAuth.activeHoldFen = e.releasedHoldFen;
        }
        e.releasedHoldFen = 0;
      }
      case REFUND -> a.balanceFen -= e.amountFen;
      case PRE_AUTH -> e.activeHoldFen = 0;
      default -> {}
    }
  }

  void countReversal() {
    reversalsReceived++;
  }

  void countNetworkMessage() {
    synchronized (lock) {
      networkMessagesReceived++;
    }
  }

  void countDroppedWhileMuted() {
    synchronized (lock) {
      droppedWhileMuted++;
    }
  }

  void countDuplicate() {
    duplicatesReceived++;
  }

  // ---------------------------------------------------------------- internals

  private Account account(String pan) {
    return accounts.computeIfAbsent(pan, p -> new Account(p, startingBalanceFen));
  }

  private TerminalTotals totals(String merchantId, String terminalId) {
    long debit = 0;
    long credit = 0;
    int debits = 0;
    int credits = 0;
    int approved = 0;
    int declined = 0;
    int reversed = 0;
    int voided = 0;
    for (LedgerEntry e : entries) {
      if (!Objects.equals(e.merchantId, merchantId)
          || !Objects.equals(e.terminalId, terminalId)
          || e.operation == Operation.REVERSAL) {
        continue;
      }
      if (e.actionCode == null) {
        continue;
      }
      if (e.approved()) {
        approved++;
      } else {
        declined++;
      }
      if (e.reversed) {
        reversed++;
      }
      if (e.voided) {
        voided++;
      }
      if (e.effective() && e.operation.debits()) {
        debit += e.amountFen;
        debits++;
      } else if (e.effective() && e.operation.credits()) {
        credit += e.amountFen;
        credits++;
      }
    }
    return new TerminalTotals(
        merchantId,
        terminalId,
        debit,
        credit,
        debit - credit,
        debits,
        credits,
        approved,
        declined,
        reversed,
        voided);
  }

  private static String mtiStanKey(String mti, String stan) {
    String base =
        mti != null && mti.length() == 4 && mti.charAt(3) == '1' ? mti.substring(0, 3) + '0' : mti;
    return base + '|' + stan;
  }
}
