package org.posp.sim.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --provision}: the admin API PUTs the generator sends, checked by a loopback HTTP peer that
 * answers as the switch's admin API does (200 "provisioned", 409 problem+json when refused). The
 * switch itself lives in switch-node, which depends on this module, so it cannot serve here.
 */
class ProvisioningTest {
  private static final String TOKEN = "test-admin-token-7f3a";

  private record Put(
      String method, String path, String authorization, String contentType, String body) {}

  private final List<Put> puts = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile String refusedTid;
  private HttpServer http;
  private ExecutorService executor;
  private EchoServer echo;

  @BeforeEach
  void start() throws IOException {
    echo = EchoServer.start("127.0.0.1", 0, LoadOptions.DEMO_TMK, 1);
    executor = Executors.newFixedThreadPool(16);
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    http.setExecutor(executor);
    http.createContext("/admin/terminals/", this::handle);
    http.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    http.stop(0);
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
    echo.close();
  }

  private void handle(HttpExchange ex) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = ex.getRequestURI().getPath();
      puts.add(
          new Put(
              ex.getRequestMethod(),
              path,
              ex.getRequestHeaders().getFirst("Authorization"),
              ex.getRequestHeaders().getFirst("Content-Type"),
              body));
      Thread.sleep(20); // keep requests overlapping so that the parallelism bound is visible
      boolean refused = refusedTid != null && path.endsWith("/" + refusedTid);
      byte[] answer =
          (refused
                  ? "{\"title\":\"refused\",\"status\":409,\"detail\":\"provisioning for another "
                      + "terminal id\"}"
                  : "provisioned")
              .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(refused ? 409 : 200, answer.length);
      ex.getResponseBody().write(answer);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      inFlight.decrementAndGet();
      ex.close();
    }
  }

  private String base() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  @Test
  void everyTerminalIsPutWithTheTokenAndAtMostTheParallelismAtOnce() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        LoadGenerator.execute(
            new String[] {
              "--nodes",
              "127.0.0.1:" + echo.port(),
              "--terminals",
              "40",
              "--first-tid",
              "30000001",
              "--provision",
              base() + "/",
              "--admin-token",
              TOKEN,
              "--provision-parallelism",
              "4",
              "--sign-on-only"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of(),
            false);
    String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text);
    assertEquals(40, puts.size());
    for (int i = 0; i < 40; i++) {
      String path = "/admin/terminals/898100012340001/" + (30_000_001 + i);
      assertTrue(puts.stream().anyMatch(p -> p.path().equals(path)), "no PUT to " + path);
    }
    for (Put p : puts) {
      assertEquals("PUT", p.method());
      assertEquals("Bearer " + TOKEN, p.authorization());
      assertEquals("application/json", p.contentType());
      assertEquals("{\"tmk\":{\"clear\":\"" + LoadOptions.DEMO_TMK + "\"}}", p.body());
    }
    assertTrue(maxInFlight.get() <= 4, "at most 4 at once, saw " + maxInFlight.get());
    assertTrue(maxInFlight.get() >= 2, "requests overlap, saw " + maxInFlight.get());
    assertTrue(text.contains("provisioned 40/40 terminals"), text);
    assertTrue(text.contains("signed on 40/40 terminals"), text);
    assertFalse(text.contains(TOKEN), "token printed");
    assertFalse(text.contains(LoadOptions.DEMO_TMK), "TMK printed");
  }

  @Test
  void aRefusedTerminalStopsTheRunWithTheSwitchsReason() {
    refusedTid = "30000003";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        LoadGenerator.execute(
            new String[] {
              "--nodes",
              "127.0.0.1:" + echo.port(),
              "--terminals",
              "5",
              "--first-tid",
              "30000001",
              "--provision",
              base(),
              "--duration",
              "1s"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of("POSP_ADMIN_TOKEN", TOKEN),
            false);
    assertEquals(1, rc);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(
        e.contains("provisioning failed for 1 of 5 terminals")
            && e.contains("terminal 30000003: HTTP 409")
            && e.contains("provisioning for another terminal id"),
        e);
    assertTrue(
        puts.stream().allMatch(p -> ("Bearer " + TOKEN).equals(p.authorization())),
        "the token comes from POSP_ADMIN_TOKEN");
    assertEquals(0, echo.status().connections(), "no sign-on after a failed provisioning");
  }
}
