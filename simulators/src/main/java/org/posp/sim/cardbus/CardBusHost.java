package org.posp.sim.cardbus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Card-bus host simulator (卡总线主机模拟器): a TCP server speaking jPOS CMF as docs/protocol/card-bus.md
 * specifies, playing the issuer side (BEAI / UnionPay front / core card system) for integration
 * tests, chaos tests and the demo, plus a small HTTP/JSON view of its {@link Ledger}.
 *
 * <p>Plain java.net with a few threads on purpose: the simulator shares no code with the switch it
 * tests. Run it as a process with {@link #main(String[])}.
 */
public final class CardBusHost implements AutoCloseable {

  /** The line {@link #main} prints on stdout once it listens; other tests wait for it. */
  public static final String READY_PREFIX = "CARD-BUS-HOST READY";

  /**
   * Instance logger: {@link #main} must pick the logback configuration before any logger exists.
   */
  private final Logger log = LoggerFactory.getLogger(CardBusHost.class);

  private final CardBusHostConfig config;
  private final Ledger ledger;
  private final SimulatedIssuer issuer;
  private final ServerSocket server;
  private final ExecutorService connectionThreads;
  private final ExecutorService workers;
  private final ScheduledExecutorService scheduler;
  private final Set<HostConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean responding = new AtomicBoolean(true);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final LedgerHttpServer http;

  private CardBusHost(CardBusHostConfig config) throws IOException {
    this.config = config;
    this.ledger = new Ledger(config.startingBalanceFen());
    this.issuer =
        new SimulatedIssuer(
            ledger, new PinVerifier(config.zpk(), SimulatedIssuer.TEST_PIN), config.clock());
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(
        new InetSocketAddress(InetAddress.getByName(config.bindHost()), config.tcpPort()), 128);
    this.connectionThreads = Executors.newCachedThreadPool(daemon("card-bus-conn"));
    this.workers = Executors.newFixedThreadPool(4, daemon("card-bus-worker"));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("card-bus-late"));
    LedgerHttpServer httpServer = null;
    try {
      if (config.httpPort() >= 0) {
        httpServer = new LedgerHttpServer(this, config.bindHost(), config.httpPort());
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      connectionThreads.shutdownNow();
      workers.shutdownNow();
      scheduler.shutdownNow();
      throw e;
    }
    this.http = httpServer;
    Thread acceptor = daemon("card-bus-accept").newThread(this::acceptLoop);
    acceptor.start();
    log.info(
        "card-bus host listening on {}:{} (http {}), {}",
        config.bindHost(),
        port(),
        httpPort(),
        config);
  }

  /** Starts listening; returns when the TCP (and HTTP) ports are bound. */
  public static CardBusHost start(CardBusHostConfig config) throws IOException {
    return new CardBusHost(config);
  }

  /** The bound card-bus TCP port. */
  public int port() {
    return server.getLocalPort();
  }

  /** The bound HTTP port, or -1 when the configuration turned HTTP off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public Ledger ledger() {
    return ledger;
  }

  public CardBusHostConfig config() {
    return config;
  }

  /**
   * Mute (false) or unmute (true): while muted, requests are read and dropped and no reply is sent.
   */
  public void setResponding(boolean value) {
    if (responding.getAndSet(value) != value) {
      log.info("card-bus host {}", value ? "responding again" : "muted: dropping requests");
    }
  }

  public boolean isResponding() {
    return responding.get();
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Blocks until {@link #close()} has run. */
  public void awaitClosed() throws InterruptedException {
    closedLatch.await();
  }

  /** Stops accepting, drops every connection, discards pending late replies. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      log.debug("closing server socket: {}", e.toString());
    }
    if (http != null) {
      http.close();
    }
    connections.forEach(HostConnection::close);
    scheduler.shutdownNow();
    workers.shutdownNow();
    connectionThreads.shutdownNow();
    try {
      workers.awaitTermination(2, TimeUnit.SECONDS);
      connectionThreads.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("card-bus host on port {} stopped", server.getLocalPort());
    closedLatch.countDown();
  }

  // ---------------------------------------------------------------- package-private for
  // HostConnection

  SimulatedIssuer issuer() {
    return issuer;
  }

  ExecutorService workers() {
    return workers;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  void forget(HostConnection c) {
    connections.remove(c);
  }

  private void acceptLoop() {
    while (!closed.get()) {
      try {
        Socket socket = server.accept();
        HostConnection c = new HostConnection(this, socket);
        connections.add(c);
        if (closed.get()) {
          c.close();
          return;
        }
        connectionThreads.execute(c);
      } catch (SocketException e) {
        if (!closed.get()) {
          log.error("card-bus accept failed, host no longer accepts connections", e);
        }
        return;
      } catch (IOException | RejectedExecutionException e) {
        if (!closed.get()) {
          log.warn("card-bus accept: {}", e.toString());
        }
      }
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---------------------------------------------------------------- process entry point

  /**
   * Runs the host as its own process: {@code --port N --http-port N --zpk HEX --late-delay-ms N
   * [--bind HOST] [--balance-fen N]}. Prints {@code CARD-BUS-HOST READY tcp=<port> http=<port>} on
   * stdout when listening; stops cleanly on SIGTERM. Logs go to stderr (logback configuration
   * {@code org/posp/sim/cardbus/card-bus-host-logback.xml} unless {@code
   * -Dlogback.configurationFile} names another).
   */
  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty(
          "logback.configurationFile", "org/posp/sim/cardbus/card-bus-host-logback.xml");
    }
    CardBusHostConfig config;
    try {
      config = parseArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println("card-bus host: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    if (config == null) {
      System.out.println(usage());
      return;
    }
    CardBusHost host;
    try {
      host = start(config);
    } catch (IOException | RuntimeException e) {
      System.err.println("card-bus host cannot start: " + e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(host::close, "card-bus-shutdown"));
    System.out.println(READY_PREFIX + " tcp=" + host.port() + " http=" + host.httpPort());
    System.out.flush();
    try {
      host.awaitClosed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      host.close();
    }
  }

  /** Null for --help. */
  static CardBusHostConfig parseArgs(String[] args) {
    CardBusHostConfig c = CardBusHostConfig.defaults();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        return null;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + name + " needs a value");
      }
      String value = args[++i];
      c =
          switch (name) {
            case "--port" -> c.withTcpPort(intArg(name, value));
            case "--http-port" -> c.withHttpPort(intArg(name, value));
            case "--zpk" -> c.withZpkHex(value);
            case "--late-delay-ms" -> c.withLateDelay(Duration.ofMillis(longArg(name, value)));
            case "--bind" -> c.withBindHost(value);
            case "--balance-fen" -> c.withStartingBalanceFen(longArg(name, value));
            default -> throw new IllegalArgumentException("unknown option " + name);
          };
    }
    return c;
  }

  private static int intArg(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
    }
  }

  private static long longArg(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
    }
  }

  private static String usage() {
    return "usage: CardBusHost [--port N (0 = ephemeral, default 0)] [--http-port N (-1 = off, default 0)]"
        + " [--zpk HEX (16 or 32 hex digits, default the demo ZPK)] [--late-delay-ms N (default 25000)]"
        + " [--bind HOST (default 127.0.0.1)] [--balance-fen N (default 100000000)]";
  }
}
