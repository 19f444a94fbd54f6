package org.posp.sim.load;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project's load generator (压测工具): N simulated terminals of one merchant, spread over the
 * switch nodes, signed on, then driven with a transaction mix in a closed or open loop while
 * latency per type (HdrHistogram), response codes and errors are recorded. See {@link
 * LoadOptions#USAGE} and the simulators README for the options and the JSON report ({@link
 * LoadReport}).
 *
 * <pre>
 * java -cp switch-node/target/posp-switch.jar org.posp.sim.load.LoadGenerator \
 *     --nodes 127.0.0.1:5000 --terminals 100 --concurrency 64 --duration 60s --warmup 10s --report load.json
 * </pre>
 *
 * Exit code 0 when the run completed, 1 when provisioning failed, no terminal could sign on (or,
 * with --sign-on-only, any sign-on failed), 2 on a usage error.
 */
public final class LoadGenerator {

  /** The run could not take place (provisioning failed, nothing could connect). */
  public static final class LoadFailedException extends Exception {
    public LoadFailedException(String message) {
      super(message);
    }
  }

  private final LoadOptions options;
  private final PrintStream out;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile Timeline timeline;
  private volatile boolean stopRequested;

  public LoadGenerator(LoadOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public static void main(String[] args) {
    quietLogging();
    System.exit(execute(args, System.out, System.err, System.getenv(), true));
  }

  /**
   * Parses, runs, prints; returns the exit code. {@code onCtrlC}: stop early and still report on
   * SIGINT.
   */
  public static int execute(
      String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean onCtrlC) {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args, env);
    } catch (LoadOptions.UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(LoadOptions.USAGE);
      return 2;
    }
    LoadGenerator generator = new LoadGenerator(options, out);
    Thread hook = new Thread(generator::stopAndWait, "load-stop");
    if (onCtrlC) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      LoadReport report = generator.run();
      if (report.signOn() != null
          && "sign-on-only".equals(report.mode())
          && report.signOn().failed() > 0) {
        err.println(
            "error: "
                + report.signOn().failed()
                + " of "
                + report.signOn().attempted()
                + " sign-ons failed");
        return 1;
      }
      return 0;
    } catch (LoadFailedException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("error: cannot write the report: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
      return 1;
    } finally {
      if (onCtrlC) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it waits for this run to finish
        }
      }
    }
  }

  /**
   * Keeps library logging to warnings (the shaded jar's logback configuration says INFO) unless a
   * configuration file or POSP_LOG_LEVEL asks for something else.
   */
  static void quietLogging() {
    if (System.getProperty("logback.configurationFile") == null
        && System.getenv("POSP_LOG_LEVEL") == null
        && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)
            instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(Level.WARN);
    }
  }

  /**
   * Ends the run early (as at its end: in-flight requests are waited for) and waits for the
   * summary.
   */
  public void stopAndWait() {
    stopRequested = true;
    Timeline t = timeline;
    if (t != null) {
      t.stop();
    }
    try {
      finished.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Provisions (if asked), signs on, runs, prints the summary and writes the report. */
  public LoadReport run() throws LoadFailedException, IOException, InterruptedException {
    try {
      return runPhases();
    } finally {
      finished.countDown();
    }
  }

  private LoadReport runPhases() throws LoadFailedException, IOException, InterruptedException {
    out.println("load: " + describe());
    Instant startedAt = Instant.now();
    LoadReport.Phase provisioning = null;
    if (options.provisionUrl() != null) {
      Provisioner.Summary p = new Provisioner(options, out).provisionAll();
      provisioning =
          new LoadReport.Phase(
              p.attempted(),
              p.succeeded(),
              p.failed(),
              seconds(p.elapsed()),
              p.perSecond(),
              null,
              p.failureSamples());
      out.printf(
          "provisioned %d/%d terminals in %.2f s (%.1f/s)%n",
          p.succeeded(), p.attempted(), seconds(p.elapsed()), p.perSecond());
      if (p.failed() > 0) {
        throw new LoadFailedException(
            "provisioning failed for "
                + p.failed()
                + " of "
                + p.attempted()
                + " terminals: "
                + String.join("; ", p.failureSamples()));
      }
    }
    boolean signOnOnly = options.mode() instanceof LoadMode.SignOnOnly;
    SignOnPhase.Summary s = new SignOnPhase(options, out).signOnAll(!signOnOnly);
    LoadReport.Phase signOn =
        new LoadReport.Phase(
            s.attempted(),
            s.approved(),
            s.failed(),
            seconds(s.elapsed()),
            s.perSecond(),
            s.codes(),
            s.failureSamples());
    out.printf(
        "signed on %d/%d terminals in %.2f s (%.1f sign-ons/s)%s%n",
        s.approved(),
        s.attempted(),
        seconds(s.elapsed()),
        s.perSecond(),
        s.failed() == 0 ? "" : "; failures: " + s.failureSamples());
    if (signOnOnly) {
      LoadReport report = signOnOnlyReport(startedAt, signOn, provisioning, s);
      finish(report);
      return report;
    }
    List<LoadTerminal> terminals = s.terminals();
    try {
      if (terminals.isEmpty()) {
        throw new LoadFailedException(
            "no terminal could sign on: "
                + (s.failureSamples().isEmpty()
                    ? "no reason given"
                    : String.join("; ", s.failureSamples())));
      }
      if (stopRequested) {
        throw new LoadFailedException("stopped before the load started");
      }
      LoadReport report = load(terminals, startedAt, signOn, provisioning);
      if (options.settle()) report = report.withSettlement(settleAll(terminals));
      finish(report);
      return report;
    } finally {
      closeAll(terminals);
    }
  }

  private LoadReport load(
      List<LoadTerminal> terminals,
      Instant startedAt,
      LoadReport.Phase signOn,
      LoadReport.Phase provisioning)
      throws InterruptedException {
    LoadStats stats = new LoadStats();
    long seed = System.nanoTime();
    LoadDriver driver;
    if (options.mode() instanceof LoadMode.Closed c) {
      driver = new ClosedLoop(c.concurrency(), options.mix(), seed);
    } else if (options.mode() instanceof LoadMode.Open o) {
      driver = new OpenLoop(o.rate(), o.maxConcurrency(), options.mix(), seed);
    } else {
      throw new IllegalStateException("sign-on-only has no load phase");
    }
    // A run may end while an operation waits: a sign-on, a flush, a request and a reversal, each up
    // to the timeout.
    Duration drain =
        options.replyTimeout().plus(options.connectTimeout()).multipliedBy(4).plusSeconds(5);
    Instant loadStartedAt = Instant.now();
    Timeline t = Timeline.starting(System.nanoTime(), options.warmup(), options.duration(), drain);
    timeline = t;
    if (stopRequested) {
      t.stop();
    }
    LoadDriver.Result result;
    try (ProgressReporter progress = new ProgressReporter(stats, t, options.progress(), out)) {
      progress.start();
      result = driver.run(terminals, t, stats);
    }
    long endNanos = System.nanoTime();
    Instant endedAt = Instant.now();
    // measured time: the configured duration, or less when stopped early
    double measured = Math.max(0, (Math.min(endNanos, t.endNanos()) - t.warmupEndNanos()) / 1e9);
    long pending = terminals.stream().mapToLong(LoadTerminal::pendingReversals).sum();
    long voidsWithoutSale = terminals.stream().mapToLong(LoadTerminal::voidsWithoutSale).sum();
    LoadReport.Counts counts =
        new LoadReport.Counts(
            stats.requests(),
            stats.approved(),
            stats.errors(),
            stats.warmupRequests(),
            stats.late(),
            result.outstandingAtEnd(),
            pending,
            voidsWithoutSale,
            terminals.size(),
            result.workers());
    double perSecond = measured > 0 ? 1 / measured : 0;
    Integer concurrency = options.mode() instanceof LoadMode.Closed c ? c.concurrency() : null;
    Double rate = options.mode() instanceof LoadMode.Open o ? o.rate() : null;
    Integer maxConcurrency = options.mode() instanceof LoadMode.Open o ? o.maxConcurrency() : null;
    return new LoadReport(
        LoadReport.SCHEMA,
        options.mode().name(),
        concurrency,
        rate,
        maxConcurrency,
        options.terminals(),
        options.nodeNames(),
        options.mix().byLabel(),
        startedAt.toString(),
        loadStartedAt.plus(options.warmup()).toString(),
        endedAt.toString(),
        measured,
        seconds(options.warmup()),
        counts,
        new LoadReport.Throughput(stats.requests() * perSecond, stats.approved() * perSecond),
        stats.kind(RequestKind.SALE).approved() * perSecond,
        LoadReport.latencies(stats),
        LoadReport.codes(stats),
        LoadReport.errors(stats),
        LoadReport.errorsByType(stats),
        stats.errorSamples(),
        rate != null ? LoadReport.Latency.of(stats.startDelay()) : null,
        signOn,
        provisioning,
        null);
  }

  private LoadReport signOnOnlyReport(
      Instant startedAt,
      LoadReport.Phase signOn,
      LoadReport.Phase provisioning,
      SignOnPhase.Summary s) {
    LoadStats empty = new LoadStats();
    String now = Instant.now().toString();
    LoadReport.Counts counts = new LoadReport.Counts(0, 0, 0, 0, 0, 0, 0, 0, (int) s.approved(), 0);
    return new LoadReport(
        LoadReport.SCHEMA,
        options.mode().name(),
        null,
        null,
        null,
        options.terminals(),
        options.nodeNames(),
        options.mix().byLabel(),
        startedAt.toString(),
        now,
        now,
        0,
        0,
        counts,
        new LoadReport.Throughput(0, 0),
        0,
        LoadReport.latencies(empty),
        LoadReport.codes(empty),
        LoadReport.errors(empty),
        LoadReport.errorsByType(empty),
        Map.of(),
        null,
        signOn,
        provisioning,
        null);
  }

  private void finish(LoadReport report) throws IOException {
    out.print(report.text());
    if (options.report() != null) {
      report.write(options.report());
      out.println("report written to " + options.report());
    }
    out.flush();
  }

  private String describe() {
    String mode = "sign-on only";
    if (options.mode() instanceof LoadMode.Closed c) {
      mode = "closed loop, concurrency " + c.concurrency();
    } else if (options.mode() instanceof LoadMode.Open o) {
      mode =
          String.format(
              "open loop, %.1f requests/s, max concurrency %d", o.rate(), o.maxConcurrency());
    }
    return mode
        + ", "
        + options.terminals()
        + " terminals "
        + options.merchantId()
        + "/"
        + options.terminalId(0)
        + ".."
        + options.terminalId(options.terminals() - 1)
        + ", nodes "
        + String.join(",", options.nodeNames())
        + (options.mode() instanceof LoadMode.SignOnOnly
            ? ""
            : ", mix "
                + options.mix()
                + ", warm-up "
                + seconds(options.warmup())
                + " s, duration "
                + seconds(options.duration())
                + " s");
  }

  /**
   * Every terminal settles its batch after the run (批结算, as at the end of a day): the switch then
   * opens a new batch, so the next run's STANs (which start again at 1 after sign-on) are new
   * transactions and not retransmissions the switch answers from its record, and the terminals'
   * batches stay the size a run makes them. The settlement is not part of the measured load.
   */
  private LoadReport.Phase settleAll(List<LoadTerminal> terminals) throws InterruptedException {
    long start = System.nanoTime();
    AtomicLong ok = new AtomicLong();
    Map<String, Long> failures = new ConcurrentHashMap<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Math.min(32, terminals.size())));
    try {
      for (LoadTerminal t : terminals) {
        pool.execute(
            () -> {
              String failure = t.settle();
              if (failure == null) ok.incrementAndGet();
              else failures.merge(failure, 1L, Long::sum);
            });
      }
    } finally {
      pool.shutdown();
    }
    Duration timeout = options.replyTimeout().multipliedBy(4).plusSeconds(30);
    if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      pool.shutdownNow();
      failures.merge("settlement not finished within " + timeout.toSeconds() + " s", 1L, Long::sum);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    long failed = terminals.size() - ok.get();
    List<String> samples =
        failures.entrySet().stream().limit(20).map(e -> e.getKey() + " x" + e.getValue()).toList();
    out.printf("settled %d/%d batches in %.2f s%n", ok.get(), terminals.size(), secs);
    return new LoadReport.Phase(
        terminals.size(), ok.get(), failed, secs, secs > 0 ? ok.get() / secs : 0, null, samples);
  }

  private static void closeAll(List<LoadTerminal> terminals) {
    for (LoadTerminal t : terminals) {
      t.close();
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
