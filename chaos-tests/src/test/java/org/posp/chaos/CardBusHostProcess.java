package org.posp.chaos;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.posp.sim.cardbus.CardBusHost;
import org.posp.sim.cardbus.HostMessage;
import org.posp.sim.cardbus.TerminalTotals;

/**
 * The card-bus host simulator (卡总线主机模拟器) in its own JVM ({@link CardBusHost#main}), and its ledger
 * read over HTTP/JSON: the third, independent record of the chaos tests (what the issuer side
 * debited, reversed and voided). Muting ({@link #setResponding(boolean)}) makes the host read and
 * drop requests: the switch times out and must reverse.
 */
final class CardBusHostProcess implements AutoCloseable {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Process process;
  private final int tcpPort;
  private final int httpPort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private CardBusHostProcess(Process process, int tcpPort, int httpPort) {
    this.process = process;
    this.tcpPort = tcpPort;
    this.httpPort = httpPort;
  }

  /**
   * Starts {@code CardBusHost --port 0 --http-port 0 --zpk .. --late-delay-ms ..} and waits for its
   * {@code CARD-BUS-HOST READY tcp=.. http=..} line; its stdout and stderr go to {@code log}.
   */
  static CardBusHostProcess start(Path log, String zpkHex, Duration lateDelay, Duration timeout)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                CardBusHost.class.getName(),
                "--port",
                "0",
                "--http-port",
                "0",
                "--zpk",
                zpkHex,
                "--late-delay-ms",
                Long.toString(lateDelay.toMillis())));
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p = ChildProcesses.register(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter out =
                      new PrintWriter(
                          Files.newBufferedWriter(
                              log,
                              StandardCharsets.UTF_8,
                              StandardOpenOption.CREATE,
                              StandardOpenOption.TRUNCATE_EXISTING),
                          true)) {
                String line;
                while ((line = in.readLine()) != null) {
                  out.println(line);
                  if (line.startsWith(CardBusHost.READY_PREFIX)) ready.complete(line);
                }
              } catch (IOException e) {
                // the process is gone; the log has what it wrote
              } finally {
                ready.completeExceptionally(
                    new IllegalStateException("card-bus host exited before READY; see " + log));
              }
            },
            "card-bus-host-log");
    reader.setDaemon(true);
    reader.start();
    String line;
    try {
      line = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "card-bus host not ready within "
              + timeout
              + ": "
              + e.getMessage()
              + "; see "
              + log.toAbsolutePath(),
          e);
    }
    Matcher m = Pattern.compile("tcp=(\\d+) http=(\\d+)").matcher(line);
    if (!m.find()) {
      p.destroyForcibly();
      throw new IllegalStateException("cannot read the ports from '" + line + "'");
    }
    return new CardBusHostProcess(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  int tcpPort() {
    return tcpPort;
  }

  int httpPort() {
    return httpPort;
  }

  /** Per-terminal totals over approved messages that are neither reversed nor voided. */
  List<TerminalTotals> terminals() throws Exception {
    return JSON.readValue(
        get("/ledger/terminals").body(), new TypeReference<List<TerminalTotals>>() {});
  }

  /** One terminal's totals; empty when the host never saw the terminal. */
  Optional<TerminalTotals> terminal(String mid, String tid) throws Exception {
    HttpResponse<String> r = get("/ledger/terminals/" + enc(mid) + "/" + enc(tid));
    if (r.statusCode() == 404) return Optional.empty();
    return Optional.of(JSON.readValue(r.body(), TerminalTotals.class));
  }

  /** Every message the host decided on, in order of arrival, masked PANs. */
  List<HostMessage> messages() throws Exception {
    return JSON.readValue(
        get("/ledger/messages").body(), new TypeReference<List<HostMessage>>() {});
  }

  /** Mutes (false) or unmutes (true) the host. */
  void setResponding(boolean value) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(uri("/control/responding?value=" + value))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    Map<?, ?> body = JSON.readValue(r.body(), Map.class);
    if (r.statusCode() != 200 || !Boolean.valueOf(value).equals(body.get("responding"))) {
      throw new IllegalStateException(
          "POST /control/responding?value=" + value + " -> " + r.statusCode() + " " + r.body());
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 && r.statusCode() != 404) {
      throw new IllegalStateException("GET " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return r;
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + httpPort + pathAndQuery);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** SIGTERM (the host closes cleanly), SIGKILL after 10 s. */
  @Override
  public void close() throws Exception {
    if (!process.isAlive()) return;
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
