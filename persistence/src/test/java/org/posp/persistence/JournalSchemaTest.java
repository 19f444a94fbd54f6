package org.posp.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalSchemaTest {

  @Test
  void appliesTheH2SchemaTwiceWithoutError(@TempDir Path dir) throws Exception {
    JournalSchema.Database db =
        new JournalSchema.Database(
            "jdbc:h2:file:" + dir.resolve("j") + ";DATABASE_TO_UPPER=false", "sa", "");
    JournalSchema.apply(db);
    JournalSchema.apply(db);
    try (Connection c = db.connect();
        ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", "event_journal", null)) {
      assertTrue(rs.next(), "event_journal exists");
    }
  }

  @Test
  void makesIndexCreationIdempotent() {
    assertEquals(
        "CREATE UNIQUE INDEX IF NOT EXISTS \"x\" on t (a)",
        JournalSchema.idempotent("CREATE UNIQUE INDEX \"x\" on t (a)"));
    assertEquals(
        "CREATE INDEX IF NOT EXISTS y ON t (a)",
        JournalSchema.idempotent("CREATE INDEX CONCURRENTLY y ON t (a)"));
    assertEquals(
        "CREATE TABLE IF NOT EXISTS t (a int)",
        JournalSchema.idempotent("CREATE TABLE IF NOT EXISTS t (a int)"));
  }

  @Test
  void readsBothDialectsFromThePluginJar() {
    List<String> pg = JournalSchema.statements("/schema/postgres/postgres-create-schema.sql");
    List<String> h2 = JournalSchema.statements("/schema/h2/h2-create-schema.sql");
    assertTrue(pg.stream().anyMatch(s -> s.contains("event_journal")));
    assertTrue(
        h2.stream()
            .allMatch(
                s ->
                    !s.toUpperCase().startsWith("CREATE")
                        || s.toUpperCase().contains("IF NOT EXISTS")));
  }
}
