package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.posp.sim.terminal.TxnResult;
import org.posp.terminal.TerminalEntity;
import org.posp.terminal.TerminalState;

/**
 * A node on PostgreSQL (the cluster journal): the schema is applied by the node itself,
 * transactions are journaled in PostgreSQL, and a second node process life (stop, start on the same
 * database) sees them.
 */
class PostgresNodeTest {
  @TempDir Path dataDir;

  @Test
  void journalsInPostgresAndSurvivesANodeRestart() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      Config config =
          TestNodes.demoOnPostgres(
              dataDir, pg.getJdbcUrl("postgres", "postgres") + "&reWriteBatchedInserts=true");
      String tid = "10000077";
      TxnResult sale;
      try (SwitchNode node = TestNodes.start(config)) {
        try (TerminalClient t =
            new TerminalClient(
                TerminalConfig.of(
                        List.of(new InetSocketAddress("127.0.0.1", node.terminalPort())),
                        DemoData.MERCHANT,
                        tid,
                        DemoData.DEMO_TMK)
                    .withReplyTimeout(Duration.ofSeconds(15)))) {
          assertEquals("00", t.signOn().responseCode());
          sale = t.sale(Card.swiped("6214880000000038", "3012", "123456"), 42_00);
          assertEquals("00", sale.responseCode());
        }
      }
      try (Connection c = pg.getPostgresDatabase().getConnection();
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "select count(*) from event_journal where persistence_id = 'Terminal|"
                          + DemoData.MERCHANT
                          + ":"
                          + tid
                          + "'")) {
        rs.next();
        assertTrue(
            rs.getInt(1) >= 3, "provisioning, sign-on, intent and outcome are in PostgreSQL");
      }
      try (SwitchNode node = TestNodes.start(config)) {
        var ref =
            ClusterSharding.get(node.system())
                .entityRefFor(
                    TerminalEntity.TYPE_KEY, TerminalEntity.entityId(DemoData.MERCHANT, tid));
        TerminalState s =
            ref.<TerminalState>ask(TerminalEntity.GetState::new, Duration.ofSeconds(10))
                .toCompletableFuture()
                .get();
        assertEquals(42_00, s.openBatchTotals().debitFen());
        assertEquals(sale.rrn(), s.txns().values().iterator().next().rrn());
      }
    }
  }
}
