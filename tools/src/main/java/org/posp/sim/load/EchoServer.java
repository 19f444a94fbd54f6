package org.posp.sim.load;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The minimal echo server (回响服务器): answers terminal frames (sign-on, echo, balance, sale, void,
 * reversal) with 00 and correct MACs, no persistence and no upstream (see {@link EchoResponder}).
 * It is the "(1) echo" baseline of the benchmark: the load generator against it shows what the
 * machine can do at all with this codec and MAC. Java NIO: one acceptor thread and {@code threads}
 * event loops that decode, MAC and encode inline.
 *
 * <pre>
 * java -cp switch-node/target/posp-switch.jar org.posp.sim.load.EchoServer --port 5100 [--host 0.0.0.0]
 *     [--tmk 0123456789ABCDEFFEDCBA9876543210] [--threads 2]
 * </pre>
 */
public final class EchoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EchoServer.class);

  public static final String USAGE =
      String.join(
          "\n",
          "usage: EchoServer [--port 5000] [--host 127.0.0.1] [--tmk HEX(16|32)] [--threads N]",
          "Answers every terminal request 00 with correct MACs (sign-on hands out one set of working keys",
          "under the TMK, default the demo TMK). --host 0.0.0.0 to accept other machines. Stop with Ctrl-C.");

  /** What the server did so far. */
  public record Status(
      long connections,
      long openConnections,
      long requests,
      long replies,
      long macFailures,
      long unparseable,
      long unsupported,
      long framingErrors) {}

  private final ServerSocketChannel server;
  private final EchoResponder responder;
  private final List<EchoEventLoop> loops = new ArrayList<>();
  private final Thread acceptor;
  private final LongAdder connections = new LongAdder();
  private volatile boolean closed;

  private EchoServer(ServerSocketChannel server, EchoResponder responder, int threads)
      throws IOException {
    this.server = server;
    this.responder = responder;
    for (int i = 0; i < threads; i++) {
      loops.add(new EchoEventLoop(responder, "echo-loop-" + i));
    }
    this.acceptor = new Thread(this::acceptLoop, "echo-accept");
    this.acceptor.setDaemon(true);
  }

  /**
   * Starts a server bound to {@code host:port} (port 0: ephemeral) with {@code threads} event
   * loops.
   */
  public static EchoServer start(String host, int port, String tmkHex, int threads)
      throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
    EchoResponder responder = new EchoResponder(tmkHex);
    ServerSocketChannel ch = ServerSocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.bind(new InetSocketAddress(host, port), 1024);
      EchoServer s = new EchoServer(ch, responder, threads);
      s.loops.forEach(EchoEventLoop::start);
      s.acceptor.start();
      return s;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) server.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("server channel closed", e);
    }
  }

  public int port() {
    return address().getPort();
  }

  /** Check values of the working keys every sign-on hands out. */
  public String keyCheckValues() {
    return responder.keyCheckValues();
  }

  public Status status() {
    EchoResponder.Counters c = responder.counters();
    long framing = loops.stream().mapToLong(EchoEventLoop::framingErrors).sum();
    long open = loops.stream().mapToLong(EchoEventLoop::openConnections).sum();
    return new Status(
        connections.sum(),
        open,
        c.requests(),
        c.replies(),
        c.macFailures(),
        c.unparseable(),
        c.unsupported(),
        framing);
  }

  private void acceptLoop() {
    int next = 0;
    while (!closed) {
      try {
        SocketChannel ch = server.accept();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        connections.increment();
        loops.get(next++ % loops.size()).register(ch);
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("echo server: accept failed: {}", e.getMessage());
        }
        if (!server.isOpen()) {
          return;
        }
      }
    }
  }

  /** Stops accepting, closes every connection and stops the threads. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    loops.forEach(EchoEventLoop::close);
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) {
    LoadGenerator.quietLogging();
    System.exit(run(args, System.out, System.err, new CountDownLatch(1), true));
  }

  /**
   * Runs until {@code stop} counts down (main: never; Ctrl-C ends the JVM and prints the totals).
   */
  static int run(
      String[] args, PrintStream out, PrintStream err, CountDownLatch stop, boolean onCtrlC) {
    Map<String, String> o;
    int port;
    int threads;
    try {
      o = options(args);
      port = number(o, "port", 5000, 0, 65535);
      threads = number(o, "threads", Runtime.getRuntime().availableProcessors(), 1, 64);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    EchoServer server;
    try {
      server =
          start(
              o.getOrDefault("host", "127.0.0.1"),
              port,
              o.getOrDefault("tmk", LoadOptions.DEMO_TMK),
              threads);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (IOException e) {
      err.println(
          "error: cannot listen on "
              + o.getOrDefault("host", "127.0.0.1")
              + ":"
              + port
              + ": "
              + e.getMessage());
      return 1;
    }
    out.printf(
        "echo server listening on %s, %d event loops, working keys %s%n",
        server.address(), threads, server.keyCheckValues());
    out.flush();
    Thread hook =
        new Thread(
            () -> {
              server.close();
              out.println("echo server stopped: " + server.status());
              out.flush();
            },
            "echo-stop");
    if (onCtrlC) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (onCtrlC) {
      Runtime.getRuntime().removeShutdownHook(hook);
    }
    hook.run();
    return 0;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!List.of("--port", "--host", "--tmk", "--threads").contains(a)) {
        throw new IllegalArgumentException(
            a.startsWith("--") ? "unknown option " + a : "unexpected argument '" + a + "'");
      }
      if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      if (o.put(a.substring(2), args[++i]) != null) {
        throw new IllegalArgumentException("option " + a + " given twice");
      }
    }
    return o;
  }

  private static int number(Map<String, String> o, String name, int dflt, int min, int max) {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--" + name + " must be a whole number " + min + ".." + max + ", was '" + v + "'");
  }
}
