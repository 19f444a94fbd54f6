package org.posp.node;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.posp.persistence.JournalSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the journal database (PostgreSQL) with a short connect-and-validate every interval, so
 * that the fronts can answer 96 at once while it is down instead of letting terminals wait for
 * entities that cannot write (architecture invariant 6). An embedded H2 file is never "down" and is
 * not watched.
 */
final class DatabaseHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);

  private final JournalSchema.Database database;
  private final ScheduledExecutorService timer;
  private final Duration checkTimeout;
  private volatile boolean up = true;
  private volatile long downSince;

  private DatabaseHealth(
      JournalSchema.Database database, Duration interval, Duration checkTimeout) {
    this.database = database;
    this.checkTimeout = checkTimeout;
    if (database.isPostgres()) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "posp-database-health");
                t.setDaemon(true);
                return t;
              });
      timer.scheduleWithFixedDelay(
          this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    } else {
      timer = null;
    }
  }

  static DatabaseHealth watch(
      JournalSchema.Database database, Duration interval, Duration checkTimeout) {
    return new DatabaseHealth(database, interval, checkTimeout);
  }

  boolean down() {
    return !up;
  }

  private void check() {
    boolean ok;
    String why = null;
    Properties p = new Properties();
    p.setProperty("user", database.user());
    p.setProperty("password", database.password());
    int seconds = (int) Math.max(1, checkTimeout.toSeconds());
    p.setProperty("connectTimeout", String.valueOf(seconds));
    p.setProperty("socketTimeout", String.valueOf(seconds + 1));
    try (Connection c = DriverManager.getConnection(database.url(), p)) {
      ok = c.isValid(seconds);
    } catch (Exception e) {
      ok = false;
      why = e.getMessage();
    }
    if (ok && !up) {
      log.warn(
          "journal database {} is reachable again after {} ms",
          database.safeUrl(),
          System.currentTimeMillis() - downSince);
    } else if (!ok && up) {
      downSince = System.currentTimeMillis();
      log.error(
          "journal database {} is DOWN ({}): terminal requests are answered 96 until it is back",
          database.safeUrl(),
          why);
    }
    up = ok;
  }

  @Override
  public void close() {
    if (timer != null) timer.shutdownNow();
  }
}
