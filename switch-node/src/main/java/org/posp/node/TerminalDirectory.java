package org.posp.node;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.posp.persistence.JournalSchema;
import org.posp.terminal.TerminalEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which terminals are provisioned, so that the fronts send a request only to the entity of a known
 * terminal: an entity that is started is remembered by sharding (the remember-entities store writes
 * to the journal), and the terminal network is hostile, so a frame naming an unknown 42 + 41 must
 * not start one. A terminal is provisioned when its entity has events in the journal (the first one
 * is always {@code Provisioned}; an unprovisioned entity writes nothing).
 *
 * <p>The known set is loaded from the journal at start and grows by lookups: an id not known yet is
 * looked up in the journal (a primary-key read) on one thread with a bounded queue, so that a flood
 * of random ids costs a bounded number of database reads; an id found missing is not looked up
 * again for {@code negativeTtl} (a terminal provisioned on another node meanwhile gets {@code 97}
 * for at most that long on this one).
 */
final class TerminalDirectory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TerminalDirectory.class);
  private static final String PREFIX = TerminalEntity.TYPE_KEY.name() + "|";
  private static final int MAX_NEGATIVE = 100_000;

  /** The outcome of a lookup. */
  enum Known {
    YES,
    NO,
    UNAVAILABLE
  }

  private final JournalSchema.Database database;
  private final Duration negativeTtl;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> unknownUntil = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor lookups =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(256),
          r -> {
            Thread t = new Thread(r, "posp-terminal-directory");
            t.setDaemon(true);
            return t;
          });
  private Connection connection;

  TerminalDirectory(JournalSchema.Database database, Duration negativeTtl) {
    this.database = database;
    this.negativeTtl = negativeTtl;
  }

  /** Loads every provisioned terminal from the journal; the node does not start without it. */
  TerminalDirectory load() {
    long start = System.nanoTime();
    try (Connection c = database.connect();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT DISTINCT \"persistence_id\" FROM \"event_journal\" WHERE \"persistence_id\" LIKE ?")) {
      st.setString(1, PREFIX + "%");
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) known.add(rs.getString(1).substring(PREFIX.length()));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the provisioned terminals from the journal: " + e.getMessage(), e);
    }
    log.info(
        "{} provisioned terminals known ({} ms)",
        known.size(),
        (System.nanoTime() - start) / 1_000_000);
    return this;
  }

  /** Whether the terminal {@code entityId} (42 + ':' + 41) is provisioned. */
  CompletionStage<Known> lookup(String entityId) {
    if (known.contains(entityId)) return CompletableFuture.completedFuture(Known.YES);
    Long until = unknownUntil.get(entityId);
    if (until != null && until - System.nanoTime() > 0)
      return CompletableFuture.completedFuture(Known.NO);
    CompletableFuture<Known> result = new CompletableFuture<>();
    try {
      lookups.execute(() -> result.complete(lookupInJournal(entityId)));
    } catch (RejectedExecutionException e) {
      // more lookups queued than one thread can do: a flood of unknown ids; known terminals are not
      // slowed
      result.complete(Known.NO);
    }
    return result;
  }

  /** A terminal provisioned through this node. */
  void add(String entityId) {
    known.add(entityId);
    unknownUntil.remove(entityId);
  }

  private Known lookupInJournal(String entityId) {
    if (known.contains(entityId)) return Known.YES;
    try {
      if (connection == null || !connection.isValid(2)) {
        closeConnection();
        connection = database.connect();
      }
      try (PreparedStatement st =
          connection.prepareStatement(
              "SELECT 1 FROM \"event_journal\" WHERE \"persistence_id\" = ? FETCH FIRST 1 ROWS ONLY")) {
        st.setString(1, PREFIX + entityId);
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next()) {
            known.add(entityId);
            return Known.YES;
          }
        }
      }
      if (unknownUntil.size() >= MAX_NEGATIVE) unknownUntil.clear();
      unknownUntil.put(entityId, System.nanoTime() + negativeTtl.toNanos());
      return Known.NO;
    } catch (SQLException e) {
      log.warn("cannot look up a terminal in the journal: {}", e.getMessage());
      closeConnection();
      return Known.UNAVAILABLE;
    }
  }

  int size() {
    return known.size();
  }

  private void closeConnection() {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException ignored) {
      // already broken
    }
    connection = null;
  }

  @Override
  public void close() {
    lookups.shutdownNow();
    closeConnection();
  }
}
