package org.posp.terminal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.posp.persistence.CborSerializable;
import org.posp.security.KeyScheme;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.terminal.codec.TransactionType;

/**
 * Everything the switch keeps about one terminal. Immutable: snapshots are serialized off the
 * entity's thread, so the event handler returns a new value. Holds no clear PAN, track, PIN or key:
 * keys are under the LMK, PANs are masked, keyed-hashed and, where a later upstream message needs
 * them (void, reversal), encrypted under the HSM's data key.
 *
 * @param tmk terminal master key under the LMK; null = not provisioned
 * @param keys working keys of the current sign-on; null = signed off
 * @param signOnRequired an operator asked the terminal to sign on again (replies carry R = 3)
 * @param batchNo the open batch (批次号, 60.2)
 * @param txns transactions of the open batch, and of older batches while their reversal is pending
 * @param sales approved sales of settled batches by RRN, refundable until the retention ends
 * @param lastSettlement the last settlement (for replaying a retransmitted 0500 and for batch
 *     upload)
 * @param reversedBeforeSeen "batch:STAN" of requests the terminal reversed before the switch saw
 *     them (cleared with the batch)
 * @param macAlgorithm the terminal's field 64 MAC, chosen at provisioning (CUP ECB for states
 *     recorded before it was chosen); it applies to the current and the previous MAK alike, since
 *     provisioning drops the working keys
 */
public record TerminalState(
    String merchantId,
    String terminalId,
    LmkKey tmk,
    Keys keys,
    boolean signOnRequired,
    String batchNo,
    Map<String, Txn> txns,
    Map<String, SaleRef> sales,
    Settlement lastSettlement,
    Set<String> reversedBeforeSeen,
    MacAlgorithm macAlgorithm)
    implements CborSerializable {

  /**
   * The class of the maps {@link #frozen} makes (declared before {@link #EMPTY}, which uses it).
   */
  private static final Class<?> FROZEN =
      Collections.unmodifiableMap(new LinkedHashMap<>()).getClass();

  /** The state of a terminal never provisioned; shared (immutable). */
  public static final TerminalState EMPTY =
      new TerminalState(
          null,
          null,
          null,
          null,
          false,
          "000001",
          Map.of(),
          Map.of(),
          null,
          Set.of(),
          MacAlgorithm.CUP_ECB);

  public static TerminalState empty() {
    return EMPTY;
  }

  public TerminalState {
    // one String for the many states of the many terminals of a merchant and for each batch number
    merchantId = merchantId == null ? null : merchantId.intern();
    batchNo = batchNo == null ? null : batchNo.intern();
    txns = frozen(txns);
    sales = frozen(sales);
    reversedBeforeSeen = reversedBeforeSeen == null ? Set.of() : Set.copyOf(reversedBeforeSeen);
    macAlgorithm = MacAlgorithm.orDefault(macAlgorithm);
  }

  /**
   * An unmodifiable copy of a map, except for one this class froze already: a new state shares the
   * maps it does not change with the state it was made from (every event makes a new state, and the
   * refundable sales of past batches would otherwise be copied on each). Only this class wraps maps
   * this way, always around a map it made and never changes again.
   */
  private static <K, V> Map<K, V> frozen(Map<K, V> m) {
    if (m == null || m.isEmpty()) return Map.of();
    if (FROZEN.isInstance(m)) return m;
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /** Compatible constructor for states without reversals-before-seen. */
  public TerminalState(
      String merchantId,
      String terminalId,
      LmkKey tmk,
      Keys keys,
      boolean signOnRequired,
      String batchNo,
      Map<String, Txn> txns,
      Map<String, SaleRef> sales,
      Settlement lastSettlement) {
    this(
        merchantId,
        terminalId,
        tmk,
        keys,
        signOnRequired,
        batchNo,
        txns,
        sales,
        lastSettlement,
        Set.of(),
        MacAlgorithm.CUP_ECB);
  }

  public TerminalState withReversedBeforeSeen(String batchAndStan) {
    Set<String> set = new HashSet<>(reversedBeforeSeen);
    set.add(batchAndStan);
    return new TerminalState(
        merchantId,
        terminalId,
        tmk,
        keys,
        signOnRequired,
        batchNo,
        txns,
        sales,
        lastSettlement,
        set,
        macAlgorithm);
  }

  public boolean provisioned() {
    return tmk != null;
  }

  public boolean signedOn() {
    return keys != null;
  }

  /**
   * The working keys of one sign-on, all under the LMK, and what identifies that sign-on (its STAN
   * and the keyed hash of its request), so that the same sign-on asked again gets the same keys.
   * {@code previousMak} is the MAK of the sign-on before: a retransmission of a transaction
   * recorded under it (keys renewed in between, e.g. after a failover) is still authenticated and
   * answered its outcome.
   */
  public record Keys(
      KeyScheme scheme,
      LmkKey pik,
      LmkKey mak,
      LmkKey tdk,
      Instant issuedAt,
      String signOnStan,
      String signOnHash,
      LmkKey previousMak)
      implements CborSerializable {
    public Keys(KeyScheme scheme, LmkKey pik, LmkKey mak, LmkKey tdk, Instant issuedAt) {
      this(scheme, pik, mak, tdk, issuedAt, null, null, null);
    }

    public Keys(
        KeyScheme scheme,
        LmkKey pik,
        LmkKey mak,
        LmkKey tdk,
        Instant issuedAt,
        String signOnStan,
        String signOnHash) {
      this(scheme, pik, mak, tdk, issuedAt, signOnStan, signOnHash, null);
    }
  }

  public enum TxnStatus {
    /** intent persisted, upstream outcome not known yet */
    PENDING,
    APPROVED,
    DECLINED,
    /** approved sale later voided (counts as debit; its void counts as credit) */
    VOIDED,
    /** reversed, by the terminal or by the switch after an unknown outcome: counts nowhere */
    REVERSED
  }

  /**
   * A pending or completed upstream reversal (冲正), store-and-forward.
   *
   * @param reason the 0400's 39 (98, 96, A0, 06) or the switch's own reason
   * @param stan upstream STAN of the 2420, kept for every 2421 repeat
   * @param localDateTime field 12 of the 2420, kept for repeats
   */
  public record Reversal(
      String reason, String stan, String localDateTime, Instant requestedAt, boolean completed)
      implements CborSerializable {
    /** The same reversal, acknowledged by the host. */
    public Reversal acknowledged() {
      return new Reversal(reason, stan, localDateTime, requestedAt, true);
    }
  }

  /**
   * One financial transaction of the terminal.
   *
   * @param key duplicate key: MTI class + batch + terminal STAN (41 and 42 are the entity's own)
   * @param requestHash keyed hash of the request body without its MAC (same key, other content =
   *     94)
   * @param rrn field 37 the switch assigned (upstream and to the terminal)
   * @param upstreamStan link STAN (12 digits) of the upstream message
   * @param localDateTime field 12 of the upstream message (YYYYMMDDhhmmss)
   * @param date MMDD returned in 13 (refunds quote it in 61.3)
   * @param cardEnc "PAN|expiry" encrypted under the HSM data key, for later upstream messages
   * @param originalKey for a void: the key of the voided transaction; for a refund: the original
   *     RRN
   * @param origin the node's identifier of the delivery (one received frame) that started the
   *     transaction: only that delivery's connection decides whether its outcome reached the
   *     terminal; a replay of the same bytes is another delivery (null for transactions recorded
   *     before deliveries were identified)
   */
  public record Txn(
      String key,
      TransactionType type,
      String batch,
      String stan,
      long amountFen,
      String requestHash,
      String rrn,
      String upstreamStan,
      String localDateTime,
      String date,
      String time,
      String panMasked,
      String panHash,
      String cardEnc,
      String originalKey,
      TxnStatus status,
      String responseCode,
      String authCode,
      String settlementDate,
      String endpoint,
      long refundedFen,
      Reversal reversal,
      Instant startedAt,
      String origin)
      implements CborSerializable {

    /**
     * A transaction without a recorded first delivery (recorded before deliveries were identified).
     */
    public Txn(
        String key,
        TransactionType type,
        String batch,
        String stan,
        long amountFen,
        String requestHash,
        String rrn,
        String upstreamStan,
        String localDateTime,
        String date,
        String time,
        String panMasked,
        String panHash,
        String cardEnc,
        String originalKey,
        TxnStatus status,
        String responseCode,
        String authCode,
        String settlementDate,
        String endpoint,
        long refundedFen,
        Reversal reversal,
        Instant startedAt) {
      this(
          key,
          type,
          batch,
          stan,
          amountFen,
          requestHash,
          rrn,
          upstreamStan,
          localDateTime,
          date,
          time,
          panMasked,
          panHash,
          cardEnc,
          originalKey,
          status,
          responseCode,
          authCode,
          settlementDate,
          endpoint,
          refundedFen,
          reversal,
          startedAt,
          null);
    }

    /** A new transaction, pending: its intent, as recorded before anything leaves the node. */
    public static Builder started(
        String key,
        TransactionType type,
        String batch,
        String stan,
        long amountFen,
        String requestHash) {
      return new Builder(key, type, batch, stan, amountFen, requestHash);
    }

    /** Builds the intent of a new transaction (status pending, no outcome). */
    public static final class Builder {
      private final String key;
      private final TransactionType type;
      private final String batch;
      private final String stan;
      private final long amountFen;
      private final String requestHash;
      private String rrn;
      private String upstreamStan;
      private String localDateTime;
      private String date;
      private String time;
      private String panMasked;
      private String panHash;
      private String cardEnc;
      private String originalKey;
      private Instant startedAt;
      private String origin;

      private Builder(
          String key,
          TransactionType type,
          String batch,
          String stan,
          long amountFen,
          String requestHash) {
        this.key = key;
        this.type = type;
        this.batch = batch;
        this.stan = stan;
        this.amountFen = amountFen;
        this.requestHash = requestHash;
      }

      /** The upstream identifiers and times (37, 11 and 12 upstream; 13 and 12 to the terminal). */
      public Builder upstream(
          String rrn, String upstreamStan, String localDateTime, String date, String time) {
        this.rrn = rrn;
        this.upstreamStan = upstreamStan;
        this.localDateTime = localDateTime;
        this.date = date;
        this.time = time;
        return this;
      }

      /** The card: masked PAN, keyed hash, and "PAN|expiry" under the data key. */
      public Builder card(String panMasked, String panHash, String cardEnc) {
        this.panMasked = panMasked;
        this.panHash = panHash;
        this.cardEnc = cardEnc;
        return this;
      }

      /** For a void the key of the voided sale, for a refund the RRN of the refunded sale. */
      public Builder original(String originalKey) {
        this.originalKey = originalKey;
        return this;
      }

      public Builder at(Instant startedAt, String origin) {
        this.startedAt = startedAt;
        this.origin = origin;
        return this;
      }

      public Txn build() {
        return new Txn(
            key,
            type,
            batch,
            stan,
            amountFen,
            requestHash,
            rrn,
            upstreamStan,
            localDateTime,
            date,
            time,
            panMasked,
            panHash,
            cardEnc,
            originalKey,
            TxnStatus.PENDING,
            null,
            null,
            null,
            null,
            0,
            null,
            startedAt,
            origin);
      }
    }

    public Txn withOutcome(TxnStatus s, String code, String auth, String settle, String ep) {
      return new Txn(
          key,
          type,
          batch,
          stan,
          amountFen,
          requestHash,
          rrn,
          upstreamStan,
          localDateTime,
          date,
          time,
          panMasked,
          panHash,
          cardEnc,
          originalKey,
          s,
          code,
          auth,
          settle,
          ep,
          refundedFen,
          reversal,
          startedAt,
          origin);
    }

    public Txn withStatus(TxnStatus s) {
      return withOutcome(s, responseCode, authCode, settlementDate, endpoint);
    }

    public Txn withReversal(Reversal r) {
      return new Txn(
          key,
          type,
          batch,
          stan,
          amountFen,
          requestHash,
          rrn,
          upstreamStan,
          localDateTime,
          date,
          time,
          panMasked,
          panHash,
          cardEnc,
          originalKey,
          status,
          responseCode,
          authCode,
          settlementDate,
          endpoint,
          refundedFen,
          r,
          startedAt,
          origin);
    }

    public Txn withRefunded(long fen) {
      return new Txn(
          key,
          type,
          batch,
          stan,
          amountFen,
          requestHash,
          rrn,
          upstreamStan,
          localDateTime,
          date,
          time,
          panMasked,
          panHash,
          cardEnc,
          originalKey,
          status,
          responseCode,
          authCode,
          settlementDate,
          endpoint,
          fen,
          reversal,
          startedAt,
          origin);
    }

    public boolean reversalPending() {
      return reversal != null && !reversal.completed();
    }
  }

  /** An approved sale of a settled batch, kept for refunds (退货) until the retention ends. */
  public record SaleRef(
      String rrn,
      String date,
      String batch,
      long amountFen,
      long refundedFen,
      String upstreamStan,
      String localDateTime,
      String panHash,
      String cardEnc,
      Instant approvedAt)
      implements CborSerializable {
    public SaleRef withRefunded(long fen) {
      return new SaleRef(
          rrn,
          date,
          batch,
          amountFen,
          fen,
          upstreamStan,
          localDateTime,
          panHash,
          cardEnc,
          approvedAt);
    }
  }

  /**
   * A settlement (批结算) as replied, and the batch upload (批上送) that followed it.
   *
   * @param field48 the 48 of the 0510 (with the result code)
   * @param switchItems the switch's counted transactions of the batch: terminal STAN to amount in
   *     fen
   * @param uploadedItems what the terminal uploaded with 0320 / 201: STAN to amount in fen
   * @param icRecords 203 / 205 IC detail records received (accepted and counted)
   */
  public record Settlement(
      String batch,
      String stan,
      String requestHash,
      String resultCode,
      String field48,
      String nextBatch,
      String rrn,
      String date,
      String time,
      BatchTotals switchTotals,
      Instant at,
      Map<String, Long> switchItems,
      Map<String, Long> uploadedItems,
      int icRecords,
      boolean uploadEnded)
      implements CborSerializable {
    public Settlement {
      switchItems = switchItems == null ? Map.of() : Map.copyOf(switchItems);
      uploadedItems = uploadedItems == null ? Map.of() : Map.copyOf(uploadedItems);
    }

    public Settlement withUpload(Map<String, Long> items, int ic, boolean ended) {
      Map<String, Long> merged = new LinkedHashMap<>(uploadedItems);
      merged.putAll(items);
      return new Settlement(
          batch,
          stan,
          requestHash,
          resultCode,
          field48,
          nextBatch,
          rrn,
          date,
          time,
          switchTotals,
          at,
          switchItems,
          merged,
          icRecords + ic,
          uploadEnded || ended);
    }

    /**
     * Differences between the upload and the switch for operators: terminal-only, switch-only (once
     * the upload ended) and amount mismatches, as "kind STAN terminalFen/switchFen".
     */
    public List<String> differences() {
      List<String> out = new ArrayList<>();
      for (var e : uploadedItems.entrySet()) {
        Long mine = switchItems.get(e.getKey());
        if (mine == null) out.add("terminal-only " + e.getKey() + " " + e.getValue() + "/-");
        else if (!mine.equals(e.getValue()))
          out.add("amount-mismatch " + e.getKey() + " " + e.getValue() + "/" + mine);
      }
      if (uploadEnded) {
        for (var e : switchItems.entrySet()) {
          if (!uploadedItems.containsKey(e.getKey()))
            out.add("switch-only " + e.getKey() + " -/" + e.getValue());
        }
      }
      return out;
    }
  }

  // ---- queries used by the command handlers

  public Optional<Txn> txn(String key) {
    return Optional.ofNullable(txns.get(key));
  }

  /**
   * The financial transaction of a batch with a terminal STAN (a reversal names its original so).
   */
  public Optional<Txn> txnByStan(String batch, String stan) {
    for (Txn t : txns.values()) {
      if (t.batch().equals(batch) && t.stan().equals(stan)) return Optional.of(t);
    }
    return Optional.empty();
  }

  public Optional<Txn> txnByRrn(String rrn) {
    for (Txn t : txns.values()) {
      if (rrn.equals(t.rrn())) return Optional.of(t);
    }
    return Optional.empty();
  }

  public BatchTotals openBatchTotals() {
    return BatchTotals.of(txns.values().stream().filter(t -> t.batch().equals(batchNo)).toList());
  }

  // ---- copies

  public TerminalState withTxn(Txn t) {
    Map<String, Txn> m = new LinkedHashMap<>(txns);
    m.put(t.key(), t);
    return new TerminalState(
        merchantId,
        terminalId,
        tmk,
        keys,
        signOnRequired,
        batchNo,
        Collections.unmodifiableMap(m),
        sales,
        lastSettlement,
        reversedBeforeSeen,
        macAlgorithm);
  }

  public TerminalState withSale(SaleRef s) {
    Map<String, SaleRef> m = new LinkedHashMap<>(sales);
    m.put(s.rrn(), s);
    return new TerminalState(
        merchantId,
        terminalId,
        tmk,
        keys,
        signOnRequired,
        batchNo,
        txns,
        Collections.unmodifiableMap(m),
        lastSettlement,
        reversedBeforeSeen,
        macAlgorithm);
  }

  public TerminalState withProvisioning(String mid, String tid, LmkKey newTmk, MacAlgorithm mac) {
    return new TerminalState(
        mid,
        tid,
        newTmk,
        null,
        false,
        batchNo,
        txns,
        sales,
        lastSettlement,
        reversedBeforeSeen,
        mac);
  }

  public TerminalState withKeys(Keys k, String batch) {
    return new TerminalState(
        merchantId,
        terminalId,
        tmk,
        k,
        false,
        batch,
        txns,
        sales,
        lastSettlement,
        reversedBeforeSeen,
        macAlgorithm);
  }

  public TerminalState signedOff() {
    return new TerminalState(
        merchantId,
        terminalId,
        tmk,
        null,
        signOnRequired,
        batchNo,
        txns,
        sales,
        lastSettlement,
        reversedBeforeSeen,
        macAlgorithm);
  }

  public TerminalState requiringSignOn() {
    return new TerminalState(
        merchantId,
        terminalId,
        tmk,
        keys,
        true,
        batchNo,
        txns,
        sales,
        lastSettlement,
        reversedBeforeSeen,
        macAlgorithm);
  }

  public TerminalState withSettlement(
      Settlement s, Map<String, Txn> remaining, Map<String, SaleRef> keptSales) {
    // the closed batch's remembered reversals go with it: its 60.2 is refused (77) from now on
    return new TerminalState(
        merchantId,
        terminalId,
        tmk,
        keys,
        signOnRequired,
        s.nextBatch(),
        remaining,
        keptSales,
        s,
        Set.of(),
        macAlgorithm);
  }

  public TerminalState withLastSettlement(Settlement s) {
    return new TerminalState(
        merchantId,
        terminalId,
        tmk,
        keys,
        signOnRequired,
        batchNo,
        txns,
        sales,
        s,
        reversedBeforeSeen,
        macAlgorithm);
  }
}
