package org.posp.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the journal, snapshot and durable-state schema shipped inside the pekko-persistence-jdbc
 * jar ({@code schema/h2/h2-create-schema.sql}, {@code schema/postgres/postgres-create-schema.sql})
 * before the actor system uses the database. Idempotent: every statement is made {@code IF NOT
 * EXISTS}, so a start-up against an existing database changes nothing; any other failure stops the
 * start-up with the statement that failed.
 */
public final class JournalSchema {
  private static final Logger log = LoggerFactory.getLogger(JournalSchema.class);

  /** PostgreSQL advisory lock key held while the schema is applied ("POSP" in ASCII). */
  private static final long SCHEMA_LOCK = 0x504F5350L;

  private JournalSchema() {}

  /**
   * The database the shared slick pool points at ({@code
   * pekko-persistence-jdbc.shared-databases.slick}).
   */
  public record Database(String url, String user, String password) {
    public static Database fromConfig(Config config) {
      Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
      return new Database(db.getString("url"), db.getString("user"), db.getString("password"));
    }

    public boolean isPostgres() {
      return url.startsWith("jdbc:postgresql:");
    }

    public Connection connect() throws SQLException {
      return DriverManager.getConnection(url, user, password);
    }

    /** The URL without credentials or parameters, for logs. */
    public String safeUrl() {
      int q = url.indexOf(url.startsWith("jdbc:h2:") ? ';' : '?');
      return q < 0 ? url : url.substring(0, q);
    }
  }

  public static void apply(Config config) {
    apply(Database.fromConfig(config));
  }

  public static void apply(Database database) {
    String resource =
        database.isPostgres()
            ? "/schema/postgres/postgres-create-schema.sql"
            : "/schema/h2/h2-create-schema.sql";
    List<String> statements = statements(resource);
    try (Connection c = database.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(true);
      if (database.isPostgres()) {
        // nodes starting together would race on CREATE ... IF NOT EXISTS (duplicate pg_type rows)
        st.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK + ")");
      }
      for (String sql : statements) {
        try {
          st.execute(sql);
        } catch (SQLException e) {
          throw new IllegalStateException(
              "journal schema statement failed on "
                  + database.safeUrl()
                  + ": "
                  + firstLine(sql)
                  + ": "
                  + e.getMessage(),
              e);
        }
      }
      if (database.isPostgres()) st.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot connect to the journal database " + database.safeUrl() + ": " + e.getMessage(),
          e);
    }
    log.info(
        "journal schema ready on {} ({} statements from {})",
        database.safeUrl(),
        statements.size(),
        resource);
  }

  static List<String> statements(String resource) {
    String text;
    try (InputStream in = JournalSchema.class.getResourceAsStream(resource)) {
      if (in == null)
        throw new IllegalStateException("schema resource missing from the class path: " + resource);
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    List<String> out = new ArrayList<>();
    for (String raw : text.split(";")) {
      String sql = raw.strip();
      if (sql.isEmpty()) continue;
      out.add(idempotent(sql));
    }
    return out;
  }

  /**
   * Adds IF NOT EXISTS to CREATE [UNIQUE] INDEX statements that lack it (H2 and PostgreSQL accept
   * it), and drops CONCURRENTLY: the indexes are created with their (empty) tables, and a
   * concurrent index build waits for every other session — including a second node waiting for the
   * schema lock, which deadlocks.
   */
  static String idempotent(String sql) {
    String s = sql.replaceFirst("(?i)^(CREATE (UNIQUE )?INDEX )CONCURRENTLY ", "$1");
    String upper = s.toUpperCase(Locale.ROOT);
    if (upper.contains("IF NOT EXISTS")) return s;
    for (String prefix : new String[] {"CREATE UNIQUE INDEX ", "CREATE INDEX "}) {
      if (upper.startsWith(prefix)) {
        return s.substring(0, prefix.length()) + "IF NOT EXISTS " + s.substring(prefix.length());
      }
    }
    return s;
  }

  private static String firstLine(String sql) {
    int nl = sql.indexOf('\n');
    return nl < 0 ? sql : sql.substring(0, nl);
  }
}
