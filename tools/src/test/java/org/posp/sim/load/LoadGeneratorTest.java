package org.posp.sim.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against the echo server on loopback, over real sockets. */
class LoadGeneratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private int run(String... args) {
    return LoadGenerator.execute(args, out, err, Map.of(), false);
  }

  private String output() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String errors() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private static long sum(JsonNode object) {
    long n = 0;
    for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
      JsonNode v = it.next();
      n += v.isObject() ? sum(v) : v.asLong();
    }
    return n;
  }

  private static void eventually(String what, LongSupplier value, long expected)
      throws InterruptedException {
    for (int i = 0; i < 100 && value.getAsLong() != expected; i++) {
      Thread.sleep(50);
    }
    assertEquals(expected, value.getAsLong(), what);
  }

  @Test
  void closedLoopOverTwoNodesApprovesEverythingAndCountsAddUp() throws Exception {
    try (EchoServer a = EchoServer.start("127.0.0.1", 0, LoadOptions.DEMO_TMK, 1);
        EchoServer b = EchoServer.start("127.0.0.1", 0, LoadOptions.DEMO_TMK, 1)) {
      Path file = tmp.resolve("closed.json");
      int rc =
          run(
              "--nodes",
              "127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port(),
              "--terminals",
              "8",
              "--concurrency",
              "8",
              "--no-settle",
              "--duration",
              "2s",
              "--warmup",
              "500ms",
              "--progress",
              "500ms",
              "--report",
              file.toString());
      assertEquals(0, rc, errors() + output());
      JsonNode r = JSON.readTree(file.toFile());
      for (String field :
          List.of(
              "schema",
              "mode",
              "concurrency",
              "rate",
              "maxConcurrency",
              "terminals",
              "nodes",
              "mix",
              "startedAt",
              "measureStartedAt",
              "endedAt",
              "durationSeconds",
              "warmupSeconds",
              "counts",
              "throughput",
              "approvedSalesPerSecond",
              "latencyMs",
              "codes",
              "errors",
              "errorsByType",
              "errorSamples",
              "startDelayMs",
              "signOn",
              "provisioning")) {
        assertTrue(r.has(field), "report field " + field);
      }
      assertEquals(LoadReport.SCHEMA, r.get("schema").asText());
      assertEquals("closed", r.get("mode").asText());
      assertEquals(8, r.get("concurrency").asInt());
      assertTrue(r.get("rate").isNull());
      assertEquals(2, r.get("nodes").size());
      assertEquals(2.0, r.get("durationSeconds").asDouble(), 0.2);
      JsonNode counts = r.get("counts");
      long requests = counts.get("requests").asLong();
      assertTrue(requests > 100, "requests " + requests);
      // every request ends in exactly one code or one error; against the echo server all are 00
      assertEquals(requests, sum(r.get("codes")), "sum of codes == requests");
      assertEquals(0, sum(r.get("errors")));
      assertEquals(requests, counts.get("approved").asLong());
      r.get("codes")
          .fields()
          .forEachRemaining(
              e ->
                  e.getValue()
                      .fieldNames()
                      .forEachRemaining(
                          code -> assertEquals("00", code, e.getKey() + " got " + code)));
      long sales = r.get("codes").get("sale").get("00").asLong();
      assertTrue(sales > requests / 2, "sales are 85 % of the mix");
      assertEquals(sales, r.get("latencyMs").get("sale").get("count").asLong());
      assertEquals(requests, r.get("latencyMs").get("overall").get("count").asLong());
      assertTrue(r.get("latencyMs").get("overall").get("p99").asDouble() > 0);
      assertTrue(
          r.get("latencyMs").get("overall").get("max").asDouble()
              >= r.get("latencyMs").get("overall").get("p50").asDouble());
      assertEquals(
          sales / r.get("durationSeconds").asDouble(),
          r.get("approvedSalesPerSecond").asDouble(),
          1.0);
      assertEquals(0, counts.get("outstandingAtEnd").asLong());
      assertEquals(0, counts.get("reversalsPendingAtEnd").asLong());
      assertEquals(8, counts.get("terminalsSignedOn").asInt());
      assertEquals(8, r.get("signOn").get("succeeded").asLong());
      // what the servers answered: the sign-ons, the warm-up and the measured requests, nothing
      // else
      long answered = a.status().replies() + b.status().replies();
      assertEquals(8 + counts.get("warmupRequests").asLong() + requests, answered);
      // terminal i starts at node i mod 2: the fleet is spread evenly
      assertEquals(4, a.status().connections());
      assertEquals(4, b.status().connections());
      eventually("connections left open on a", () -> a.status().openConnections(), 0);
      eventually("connections left open on b", () -> b.status().openConnections(), 0);
      String text = output();
      assertTrue(text.contains("req/s") && text.contains("warm-up"), "progress lines: " + text);
      assertTrue(text.contains("== summary") && text.contains("approved sales/s"), text);
      for (int i = 0; i < 8; i++) {
        String pan = TestCards.pan(10_000_001 + i);
        assertFalse(text.contains(pan), "clear PAN printed");
        assertFalse(JSON.writeValueAsString(r).contains(pan), "clear PAN in the report");
      }
    }
  }

  @Test
  void openLoopKeepsTheRateAndLeavesNothingOutstanding() throws Exception {
    try (EchoServer s = EchoServer.start("127.0.0.1", 0, LoadOptions.DEMO_TMK, 2)) {
      Path file = tmp.resolve("open.json");
      int rc =
          run(
              "--nodes",
              "127.0.0.1:" + s.port(),
              "--terminals",
              "16",
              "--rate",
              "200",
              "--max-concurrency",
              "16",
              "--no-settle",
              "--duration",
              "2s",
              "--warmup",
              "0s",
              "--mix",
              "sale=90,balance=10",
              "--report",
              file.toString());
      assertEquals(0, rc, errors() + output());
      JsonNode r = JSON.readTree(file.toFile());
      assertEquals("open", r.get("mode").asText());
      assertEquals(200.0, r.get("rate").asDouble());
      assertEquals(16, r.get("maxConcurrency").asInt());
      assertTrue(r.get("concurrency").isNull());
      long requests = r.get("counts").get("requests").asLong();
      assertTrue(requests >= 320 && requests <= 480, "400 +- 20 % expected, got " + requests);
      double achieved = r.get("throughput").get("requestsPerSecond").asDouble();
      assertTrue(achieved >= 160 && achieved <= 240, "200/s +- 20 % expected, got " + achieved);
      assertEquals(requests, sum(r.get("codes")));
      assertEquals(0, r.get("counts").get("outstandingAtEnd").asLong());
      assertEquals(requests, r.get("startDelayMs").get("count").asLong());
      assertEquals(0, r.get("codes").get("void").size(), "void is not in this mix");
      eventually("requests answered", () -> s.status().replies(), 16 + requests);
      assertTrue(output().contains("late "), output());
    }
  }

  @Test
  void signOnOnlySignsOnEveryTerminalAndClosesItsConnections() throws Exception {
    try (EchoServer s = EchoServer.start("127.0.0.1", 0, LoadOptions.DEMO_TMK, 1)) {
      Path file = tmp.resolve("signon.json");
      int rc =
          run(
              "--nodes",
              "127.0.0.1:" + s.port(),
              "--terminals",
              "50",
              "--sign-on-only",
              "--sign-on-parallelism",
              "8",
              "--report",
              file.toString());
      assertEquals(0, rc, errors() + output());
      assertTrue(output().contains("signed on 50/50 terminals"), output());
      JsonNode r = JSON.readTree(file.toFile());
      assertEquals("sign-on-only", r.get("mode").asText());
      assertEquals(50, r.get("signOn").get("succeeded").asLong());
      assertEquals(0, r.get("signOn").get("failed").asLong());
      assertEquals(50, r.get("signOn").get("codes").get("00").asLong());
      assertEquals(0, r.get("counts").get("requests").asLong());
      assertEquals(50, s.status().connections());
      assertEquals(50, s.status().replies());
      eventually("connections left open", () -> s.status().openConnections(), 0);
    }
  }

  @Test
  void nothingToConnectToFailsWithExitCode1() throws Exception {
    int port;
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = ss.getLocalPort();
    }
    int rc =
        run(
            "--nodes",
            "127.0.0.1:" + port,
            "--terminals",
            "3",
            "--duration",
            "1s",
            "--warmup",
            "0s",
            "--connect-timeout",
            "1s");
    assertEquals(1, rc, output());
    assertTrue(
        errors().contains("no terminal could sign on")
            && errors().contains("no switch node reachable"),
        errors());
  }

  @Test
  void badOptionsAreRefusedWithExitCode2AndTheReason() {
    record Bad(String expected, String... args) {}
    List<Bad> cases =
        List.of(
            new Bad("unknown option --bogus", "--bogus", "1"),
            new Bad("--terminals must be a whole number, was 'x'", "--terminals", "x"),
            new Bad(
                "--concurrency 5 is more than --terminals 4",
                "--terminals",
                "4",
                "--concurrency",
                "5"),
            new Bad("exclude each other", "--rate", "100", "--concurrency", "5"),
            new Bad("--rate must be more than 0", "--rate", "0"),
            new Bad("--rate must be a number", "--rate", "fast"),
            new Bad("add up to 100, they add up to 60", "--mix", "sale=50,void=10"),
            new Bad("unknown mix type 'qr'", "--mix", "sale=90,qr=10"),
            new Bad("--duration must be a duration", "--duration", "soon"),
            new Bad("--progress must be more than zero", "--progress", "0s"),
            new Bad("--admin-token applies to --provision only", "--admin-token", "t"),
            new Bad("--rate does not apply to --sign-on-only", "--sign-on-only", "--rate", "5"),
            new Bad(
                "runs past terminal id 99999999", "--first-tid", "99999999", "--terminals", "2"),
            new Bad("TMK must be 32 hex digits", "--tmk", "1234"),
            new Bad("--max-concurrency applies to the open loop", "--max-concurrency", "8"),
            new Bad("option --terminals needs a value", "--terminals"),
            new Bad("option --terminals given twice", "--terminals", "2", "--terminals", "3"),
            new Bad("port must be 1..65535", "--nodes", "127.0.0.1:70000"),
            new Bad("unexpected argument 'now'", "now"));
    for (Bad c : cases) {
      outBytes.reset();
      errBytes.reset();
      List<String> args = new ArrayList<>(List.of(c.args()));
      if (!args.contains("--nodes")) {
        args.addAll(0, List.of("--nodes", "127.0.0.1:1"));
      }
      assertEquals(2, run(args.toArray(String[]::new)), String.join(" ", args));
      assertTrue(
          errors().contains(c.expected()),
          "for " + args + ": expected '" + c.expected() + "' in " + errors());
      assertTrue(errors().contains("usage: LoadGenerator"));
      assertTrue(output().isEmpty(), "nothing ran");
    }
    errBytes.reset();
    assertEquals(2, run("--terminals", "3"));
    assertTrue(errors().contains("missing --nodes"), errors());
  }
}
