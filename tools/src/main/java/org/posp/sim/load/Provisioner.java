package org.posp.sim.load;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Provisions (开通) the load terminals through the switch's admin API before a run: {@code PUT
 * {base}/admin/terminals/{mid}/{tid}} with {@code {"tmk":{"clear":"..."}}} (demo mode only) and the
 * bearer token, at most {@code parallelism} requests at once. The switch answers 200 to a repeated
 * provision with the same TMK (idempotent), so provisioning an existing fleet again succeeds.
 * Neither the TMK nor the token is ever printed.
 */
final class Provisioner {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_SAMPLES = 5;

  /** What provisioning did. */
  record Summary(
      int attempted, long succeeded, long failed, Duration elapsed, List<String> failureSamples) {
    double perSecond() {
      return elapsed.isZero() ? 0 : attempted / (elapsed.toNanos() / 1e9);
    }
  }

  private final LoadOptions options;
  private final PrintStream out;

  Provisioner(LoadOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Summary provisionAll() throws InterruptedException {
    int n = options.terminals();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "load-provision");
              t.setDaemon(true);
              return t;
            });
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(options.connectTimeout())
            .executor(executor)
            .build();
    Semaphore inFlight = new Semaphore(options.provisionParallelism());
    CountDownLatch done = new CountDownLatch(n);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<String> samples = Collections.synchronizedList(new ArrayList<>());
    String body = "{\"tmk\":{\"clear\":\"" + options.tmkHex().toUpperCase() + "\"}}";
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < n; i++) {
        inFlight.acquire();
        String tid = options.terminalId(i);
        URI uri =
            URI.create(
                options.provisionUrl() + "/admin/terminals/" + options.merchantId() + "/" + tid);
        HttpRequest req =
            HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + options.adminToken())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build();
        sendWithRetry(http, req, ATTEMPTS)
            .whenComplete(
                (resp, err) -> {
                  try {
                    if (err == null && resp.statusCode() / 100 == 2) {
                      ok.incrementAndGet();
                    } else {
                      failed.incrementAndGet();
                      String why =
                          err != null
                              ? err.getClass().getSimpleName() + ": " + err.getMessage()
                              : "HTTP " + resp.statusCode() + " " + abbreviate(resp.body());
                      if (samples.size() < MAX_SAMPLES) {
                        samples.add("terminal " + tid + ": " + why);
                      }
                    }
                  } finally {
                    inFlight.release();
                    done.countDown();
                  }
                });
        if ((i + 1) % 10_000 == 0) {
          out.printf("provisioning: %d/%d requested%n", i + 1, n);
        }
      }
      if (!done.await(REQUEST_TIMEOUT.toSeconds() * 2 + 10, TimeUnit.SECONDS)) {
        samples.add(done.getCount() + " provisioning requests still unanswered");
      }
    } finally {
      executor.shutdownNow();
    }
    long unanswered = n - ok.get() - failed.get();
    return new Summary(
        n,
        ok.get(),
        failed.get() + unanswered,
        Duration.ofNanos(System.nanoTime() - t0),
        List.copyOf(samples));
  }

  private static String abbreviate(String body) {
    String b = body == null ? "" : body.replaceAll("\\s+", " ").strip();
    return b.length() > 200 ? b.substring(0, 200) + "..." : b;
  }

  /**
   * Attempts per terminal: a 503 (no answer in time, e.g. a shard being allocated) or a lost
   * connection is asked again.
   */
  private static final int ATTEMPTS = 3;

  private static CompletableFuture<HttpResponse<String>> sendWithRetry(
      HttpClient http, HttpRequest req, int attempts) {
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .handle(
            (resp, err) -> {
              boolean again = attempts > 1 && (err != null || resp.statusCode() == 503);
              if (again) {
                return sendWithRetry(http, req, attempts - 1);
              }
              return err == null
                  ? CompletableFuture.completedFuture(resp)
                  : CompletableFuture.<HttpResponse<String>>failedFuture(err);
            })
        .thenCompose(f -> f);
  }
}
