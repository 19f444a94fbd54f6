package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.sim.terminal.TerminalClient;
import org.posp.sim.terminal.TerminalConfig;
import org.slf4j.LoggerFactory;

/**
 * The admin API of one demo node over real HTTP on loopback, with its own admin token held by the
 * principal {@code ops-alice}: complete route tables only, strict merchant documents, validated
 * ids, problem documents for every error, the audit trail in the log and in the journal (H2 file,
 * read with JDBC), and the token kept only as a hash.
 */
class AdminApiTest {
  static final String TOKEN = "adm-7Qk2v9xLr4TzW8pN3sYc6HbJ1mFgD5eA";
  static final String WHO = "ops-alice";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  static SwitchNode node;
  static final ListAppender<ILoggingEvent> auditLog = new ListAppender<>();

  @BeforeAll
  static void start() {
    auditLog.start();
    ((Logger) LoggerFactory.getLogger("posp.audit")).addAppender(auditLog);
    node =
        TestNodes.start(
            TestNodes.demo(
                dataDir, Map.of("posp.admin.token", TOKEN, "posp.admin.principal", WHO)));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
    ((Logger) LoggerFactory.getLogger("posp.audit")).detachAppender(auditLog);
  }

  static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return send(method, path, body, TOKEN);
  }

  static HttpResponse<String> send(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Asserts an RFC 9457 problem document with that status and returns it. */
  static JsonNode problem(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(
        "application/problem+json", r.headers().firstValue("Content-Type").orElse(""), r.body());
    JsonNode p = JSON.readTree(r.body());
    for (String f : List.of("type", "title", "status", "detail"))
      assertTrue(p.hasNonNull(f), f + " in " + r.body());
    assertEquals(status, p.get("status").asInt());
    return p;
  }

  record Row(String persistenceId, byte[] payload) {
    boolean contains(String s) {
      return persistenceId.contains(s)
          || new String(payload, StandardCharsets.ISO_8859_1).contains(s);
    }
  }

  /** Every event in the node's journal. */
  static List<Row> journal() throws Exception {
    var c = node.system().settings().config();
    List<Row> rows = new ArrayList<>();
    try (Connection db =
            DriverManager.getConnection(
                c.getString("posp.db.url"),
                c.getString("posp.db.user"),
                c.getString("posp.db.password"));
        ResultSet rs =
            db.createStatement()
                .executeQuery("select persistence_id, event_payload from event_journal")) {
      while (rs.next()) rows.add(new Row(rs.getString(1), rs.getBytes(2)));
    }
    return rows;
  }

  static long auditRows() throws Exception {
    return journal().stream().filter(r -> r.persistenceId().equals("admin-audit-node-0")).count();
  }

  @Test
  void theRouteTableIsOnlyReplacedByACompleteValidTable() throws Exception {
    String before = admin("GET", "/admin/routes", null).body();
    for (String bad :
        List.of(
            "",
            "{}",
            "[]",
            "nonsense",
            "{\"bins\": {\"622202\": \"core\"}, \"defaultEndpoint\": \"cups\"}",
            "{\"defaultEndpoint\": \"cups\", \"transferEndpoint\": null}",
            "{\"bins\": {}, \"transferEndpoint\": null, \"defaultEndpoint\": null}",
            "{\"bins\": \"622202\", \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\"}",
            "{\"bins\": {\"622202\": 5}, \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\"}",
            "{\"bins\": {\"62x\": \"core\"}, \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\"}",
            "{\"bins\": {\"622202\": \"../core\"}, \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\"}",
            "{\"bins\": {\"622202\": \"core\"}, \"transferEndpoint\": null, \"defaultEndpoint\": \"visa\"}",
            "{\"bins\": {}, \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\", \"default\": \"core\"}")) {
      JsonNode p = problem(admin("PUT", "/admin/routes", bad), 400);
      assertEquals("invalid route table", p.get("title").asText(), bad);
      assertEquals(
          before, admin("GET", "/admin/routes", null).body(), "table unchanged after " + bad);
    }
    // the table GET gives is a complete table: it can be sent back as it is
    HttpResponse<String> same = admin("PUT", "/admin/routes", before);
    assertEquals(200, same.statusCode(), same.body());
    assertEquals(before, same.body());
    HttpResponse<String> other =
        admin(
            "PUT",
            "/admin/routes",
            "{\"bins\": {\"622202\": \"core\", \"621488\": \"core\"}, \"transferEndpoint\": null, \"defaultEndpoint\": \"cups\"}");
    assertEquals(200, other.statusCode(), other.body());
    assertTrue(other.body().contains("621488"), other.body());
    assertEquals(200, admin("PUT", "/admin/routes", before).statusCode());
  }

  @Test
  void merchantLimitsAndTypesMustBeWhatTheySay() throws Exception {
    String mid = "898100012340077";
    String base = "{\"name\": \"Strict\", \"mcc\": \"5812\", ";
    for (String field : List.of("singleLimitFen", "dailyLimitFen")) {
      for (String bad :
          List.of(
              "\"abc\"", "\"\"", "null", "[]", "{}", "true", "1.5", "-1", "18446744073709551716")) {
        JsonNode p =
            problem(
                admin("PUT", "/admin/merchants/" + mid, base + "\"" + field + "\": " + bad + "}"),
                400);
        assertTrue(p.get("detail").asText().contains(field), field + "=" + bad + ": " + p);
      }
    }
    for (String bad : List.of("\"SALE\"", "[\"NOPE\"]", "[1]", "null", "{\"SALE\": true}")) {
      JsonNode p =
          problem(
              admin("PUT", "/admin/merchants/" + mid, base + "\"allowedTypes\": " + bad + "}"),
              400);
      assertTrue(p.get("detail").asText().contains("allowedTypes"), bad + ": " + p);
    }
    // a misspelt limit would mean "no limit": refused and named
    JsonNode typo =
        problem(admin("PUT", "/admin/merchants/" + mid, base + "\"singleLimit\": 100}"), 400);
    assertTrue(typo.get("detail").asText().contains("singleLimit"), typo.toString());
    problem(admin("GET", "/admin/merchants/" + mid, null), 404); // nothing was registered

    HttpResponse<String> ok =
        admin(
            "PUT",
            "/admin/merchants/" + mid,
            base
                + "\"singleLimitFen\": 9223372036854775807, \"dailyLimitFen\": 0, \"allowedTypes\": [\"SALE\"]}");
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode view = JSON.readTree(admin("GET", "/admin/merchants/" + mid, null).body());
    assertEquals(
        Long.MAX_VALUE, view.path("profile").path("singleLimitFen").asLong(), view.toString());
    assertEquals("[\"SALE\"]", view.path("profile").path("allowedTypes").toString());
  }

  @Test
  void idsAreValidatedOnEveryRouteAndNothingIsJournalledForABadOne() throws Exception {
    String body = "{\"name\": \"X\", \"mcc\": \"5812\"}";
    String tmk = "{\"tmk\": {\"clear\": \"" + DemoData.DEMO_TMK + "\"}}";
    String mid = "898100012340078";
    long audited = auditRows();
    List<HttpResponse<String>> answers =
        List.of(
            admin("PUT", "/admin/merchants/..%2F..%2Fzz3456789012", body),
            admin("GET", "/admin/merchants/..%2F..%2Fzz3456789012", null),
            admin("PUT", "/admin/merchants/..%2F..%2Fzz3456789012/status/FROZEN", null),
            admin("PUT", "/admin/terminals/" + mid + "/..%2F..%2Fzz", tmk),
            admin("GET", "/admin/terminals/" + mid + "/..%2F..%2Fzz", null),
            admin("POST", "/admin/terminals/" + mid + "/..%2F..%2Fzz/require-sign-on", null),
            admin("GET", "/admin/terminals/..%2F..%2Fzz3456789012/12345678", null),
            admin("POST", "/admin/terminals/..%2F..%2Fzz3456789012/12345678/require-sign-on", null),
            admin("POST", "/admin/terminals/" + mid + "/1234567/require-sign-on", null),
            admin("GET", "/admin/merchants/89810001234007", null));
    for (HttpResponse<String> r : answers) {
      JsonNode p = problem(r, 400);
      assertEquals("invalid id", p.get("title").asText(), r.uri() + ": " + p);
    }
    for (Row row : journal()) {
      assertFalse(
          row.contains("../../zz") || row.contains("..%2F"), "journalled: " + row.persistenceId());
    }
    assertEquals(audited, auditRows(), "refused requests are not persisted in the audit trail");
  }

  @Test
  void aMerchantWithSalesCanBeViewed() throws Exception {
    String mid = "898100012340079";
    String tid = "40000079";
    assertEquals(
        200,
        admin("PUT", "/admin/merchants/" + mid, "{\"name\": \"Busy\", \"mcc\": \"5812\"}")
            .statusCode());
    assertEquals(
        200,
        admin(
                "PUT",
                "/admin/terminals/" + mid + "/" + tid,
                "{\"tmk\": {\"clear\": \"" + DemoData.DEMO_TMK + "\"}}")
            .statusCode());
    TerminalConfig cfg =
        TerminalConfig.of(
                List.of(new InetSocketAddress("127.0.0.1", node.terminalPort())),
                mid,
                tid,
                DemoData.DEMO_TMK)
            .withReplyTimeout(Duration.ofSeconds(15));
    try (TerminalClient t = new TerminalClient(cfg)) {
      assertEquals("00", t.signOn().responseCode());
      assertEquals("00", t.sale(SwitchNodeIntegrationTest.freshCard(), 12_34).responseCode());
    }
    // the day's figure is fed after the approval: wait for it (bounded)
    JsonNode view = null;
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> r = admin("GET", "/admin/merchants/" + mid, null);
      assertEquals(200, r.statusCode(), r.body());
      view = JSON.readTree(r.body());
      if (view.path("dayApprovedFen").asLong() == 12_34) break;
      Thread.sleep(100);
    }
    assertEquals(12_34, view.path("dayApprovedFen").asLong(), view.toString());
    assertTrue(view.path("day").asText().matches("\\d{4}-\\d{2}-\\d{2}"), "ISO date: " + view);
  }

  @Test
  void everyErrorIsAProblemDocument() throws Exception {
    problem(admin("GET", "/admin/no-such-thing", null), 404);
    problem(send("GET", "/no-such-thing", null, null), 404);
    problem(admin("DELETE", "/admin/routes", null), 405);
    problem(send("GET", "/iso8583", null, null), 405);
    JsonNode tooLarge =
        problem(
            admin("PUT", "/admin/routes", "{\"bins\": {\"1\": \"" + "x".repeat(100_000) + "\"}}"),
            413);
    assertTrue(
        tooLarge.get("detail").asText().contains(String.valueOf(HttpApi.MAX_ADMIN_BODY)),
        tooLarge.toString());
    problem(send("GET", "/admin/routes", null, null), 401);
    JsonNode wrong = problem(send("GET", "/admin/routes", null, TOKEN + "x"), 401);
    assertFalse(wrong.toString().contains(TOKEN), "the token is never echoed");

    // 500 and 503 come from the same handlers, bound here around routes that fail as a node's can
    Problems problems = new Problems();
    AllDirectives d = new AllDirectives() {};
    Route failing =
        problems.handled(
            () ->
                d.concat(
                    d.path(
                        "boom",
                        () ->
                            d.get(
                                () -> {
                                  throw new IllegalStateException(
                                      "internal state with a key 0123456789ABCDEF");
                                })),
                    d.path(
                        "slow",
                        () ->
                            d.onSuccess(
                                CompletableFuture.<String>failedFuture(
                                    new AskTimeoutException("ask timed out")),
                                d::complete))));
    ServerBinding b =
        Http.get(node.system())
            .newServerAt("127.0.0.1", 0)
            .bind(failing)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    try {
      String base = "http://127.0.0.1:" + b.localAddress().getPort();
      HttpResponse<String> boom =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/boom")).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode p = problem(boom, 500);
      assertFalse(
          p.toString().contains("0123456789ABCDEF"), "an exception's text is not sent: " + p);
      assertTrue(p.get("detail").asText().contains("reference"), p.toString());
      problem(
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/slow")).build(),
              HttpResponse.BodyHandlers.ofString()),
          503);
    } finally {
      b.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyChangeIsAuditedWithItsPrincipalInTheLogAndTheJournal() throws Exception {
    String mid = "898100012340080";
    String tid = "40000080";
    long before = auditRows();
    int logged = auditLog.list.size();
    assertEquals(
        200,
        admin(
                "PUT",
                "/admin/merchants/" + mid,
                "{\"name\": \"Audited\", \"mcc\": \"5812\", \"singleLimitFen\": 500}")
            .statusCode());
    assertEquals(
        200,
        admin(
                "PUT",
                "/admin/terminals/" + mid + "/" + tid,
                "{\"tmk\": {\"clear\": \"" + DemoData.DEMO_TMK + "\"}}")
            .statusCode());
    assertEquals(
        202,
        admin("POST", "/admin/terminals/" + mid + "/" + tid + "/require-sign-on", null)
            .statusCode());
    assertEquals(
        200, admin("PUT", "/admin/merchants/" + mid + "/status/FROZEN", null).statusCode());
    problem(
        admin("PUT", "/admin/merchants/" + mid, "{\"mcc\": \"58\"}"), 400); // refused: logged only

    // persisted before the answer: the journal has the four accepted changes
    assertEquals(before + 4, auditRows());
    JsonNode entries = JSON.readTree(admin("GET", "/admin/audit?limit=4", null).body());
    assertEquals(4, entries.size(), entries.toString());
    JsonNode merchant = entries.get(0);
    assertEquals(WHO, merchant.get("who").asText());
    assertEquals("PUT", merchant.get("method").asText());
    assertEquals("/admin/merchants/" + mid, merchant.get("path").asText());
    assertTrue(merchant.get("change").asText().contains("singleLimitFen=500"), merchant.toString());
    assertEquals(200, merchant.get("status").asInt());
    assertTrue(
        merchant.get("at").asText().matches("\\d{4}-\\d{2}-\\d{2}T.*Z"), merchant.toString());
    assertTrue(
        entries.get(1).get("change").asText().contains("check value"), entries.get(1).toString());
    assertEquals("POST", entries.get(2).get("method").asText());
    assertTrue(entries.get(3).get("change").asText().contains("FROZEN"), entries.get(3).toString());

    for (Row row : journal()) {
      if (!row.persistenceId().equals("admin-audit-node-0")) continue;
      assertFalse(
          row.contains(DemoData.DEMO_TMK) || row.contains(TOKEN),
          "no key or token in the audit trail");
    }
    List<String> lines =
        auditLog.list.subList(logged, auditLog.list.size()).stream()
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertEquals(5, lines.size(), String.valueOf(lines));
    assertTrue(lines.stream().allMatch(l -> l.contains(" by " + WHO + " ")), String.valueOf(lines));
    assertTrue(lines.get(4).startsWith("refused") && lines.get(4).contains("mcc"), lines.get(4));
    assertTrue(
        lines.stream().noneMatch(l -> l.contains(DemoData.DEMO_TMK) || l.contains(TOKEN)),
        String.valueOf(lines));
  }

  @Test
  void theClearTokenIsNotKeptAndTheDemoTokenIsNotAcceptedBesideIt() throws Exception {
    assertFalse(
        node.system().settings().config().hasPath(AdminAuth.TOKEN_PATH),
        "no clear token in the node's config");
    problem(send("GET", "/admin/routes", null, AdminAuth.DEMO_TOKEN), 401);
    assertEquals(200, admin("GET", "/admin/routes", null).statusCode());
  }
}
