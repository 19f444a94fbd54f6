package org.posp.sim.cardbus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator's ledger and control over HTTP/JSON, for tests in other processes and the demo.
 *
 * <pre>
 * GET  /health                                      {"status":"UP","responding":true,...}
 * GET  /ledger/terminals                            [TerminalTotals...]
 * GET  /ledger/terminals/{merchantId}/{terminalId}  TerminalTotals (404 if never seen)
 * GET  /ledger/cards/{pan}                          CardAccount, masked PAN (404 unless a test card)
 * GET  /ledger/messages[?rrn=...]                   [HostMessage...], masked PANs
 * POST /control/responding?value=true|false         {"responding":...}
 * </pre>
 *
 * Errors are JSON problems {@code {"title":...,"detail":...}}: 404 unknown path or object, 405
 * wrong method, 400 bad parameter.
 */
final class LedgerHttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LedgerHttpServer.class);

  private final CardBusHost host;
  private final HttpServer server;
  private final ExecutorService executor;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** An HTTP answer other than 200. */
  private static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String title;
    final String detail;

    Problem(int status, String title, String detail) {
      super(title + ": " + detail, null, false, false);
      this.status = status;
      this.title = title;
      this.detail = detail;
    }
  }

  LedgerHttpServer(CardBusHost host, String bindHost, int port) throws IOException {
    this.host = host;
    this.server = HttpServer.create(new InetSocketAddress(bindHost, port), 16);
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "card-bus-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      try {
        Object body = route(method, path, query(exchange.getRequestURI().getRawQuery()));
        respond(exchange, 200, body);
      } catch (Problem p) {
        log.debug("HTTP {} {} -> {} {}", method, maskPath(path), p.status, p.title);
        respond(exchange, p.status, problem(p.title, p.detail));
      } catch (RuntimeException e) {
        log.error("HTTP {} {} failed", method, maskPath(path), e);
        respond(exchange, 500, problem("Internal error", e.getClass().getSimpleName()));
      }
    }
  }

  private Object route(String method, String path, Map<String, String> query) throws Problem {
    String[] p = path.replaceAll("/+$", "").split("/");
    // p[0] is "" (the path starts with '/')
    if (p.length == 2 && p[1].equals("health")) {
      requireMethod(method, "GET", path);
      Map<String, Object> health = new LinkedHashMap<>();
      health.put("status", "UP");
      health.put("responding", host.isResponding());
      health.put("tcpPort", host.port());
      return health;
    }
    if (p.length >= 3 && p[1].equals("ledger")) {
      requireMethod(method, "GET", path);
      Ledger ledger = host.ledger();
      switch (p[2]) {
        case "terminals" -> {
          if (p.length == 3) {
            return ledger.terminals();
          }
          if (p.length == 5) {
            String mid = decode(p[3]);
            String tid = decode(p[4]);
            if (!ledger.knowsTerminal(mid, tid)) {
              throw new Problem(
                  404, "Unknown terminal", "no message from merchant " + mid + " terminal " + tid);
            }
            return ledger.terminal(mid, tid);
          }
        }
        case "cards" -> {
          if (p.length == 4) {
            try {
              return ledger.card(decode(p[3]));
            } catch (IllegalArgumentException e) {
              throw new Problem(404, "Unknown card", e.getMessage());
            }
          }
        }
        case "messages" -> {
          if (p.length == 3) {
            String rrn = query.get("rrn");
            return rrn == null ? ledger.messages() : ledger.messagesByRrn(rrn);
          }
        }
        default -> {
          // falls through to 404
        }
      }
    }
    if (p.length == 3 && p[1].equals("control") && p[2].equals("responding")) {
      requireMethod(method, "POST", path);
      String value = query.get("value");
      if (!"true".equals(value) && !"false".equals(value)) {
        throw new Problem(400, "Bad parameter", "value must be true or false, got " + value);
      }
      host.setResponding(Boolean.parseBoolean(value));
      return Map.of("responding", host.isResponding());
    }
    throw new Problem(404, "Not found", "no resource at " + maskPath(path));
  }

  private static void requireMethod(String method, String expected, String path) throws Problem {
    if (!expected.equals(method)) {
      throw new Problem(
          405, "Method not allowed", method + " " + maskPath(path) + ": use " + expected);
    }
  }

  private void respond(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange
        .getResponseHeaders()
        .set("Content-Type", status == 200 ? "application/json" : "application/problem+json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> problem(String title, String detail) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("title", title);
    m.put("detail", detail);
    return m;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      q.putIfAbsent(k, v);
    }
    return q;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Card paths carry a clear PAN: mask any long digit run before it reaches a log or a problem. */
  private static String maskPath(String path) {
    Matcher m = Pattern.compile("\\d{13,19}").matcher(path);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, CardData.mask(m.group()));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
