package org.posp.node;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal TCP front (plain and TLS) on Pekko Streams: 2-byte big-endian length framing, frames
 * longer than 2048 or shorter than 21 bytes close the connection (terminal-protocol.md §1), pipelined
 * requests answered as they complete (in any order), idle connections closed after the configured time.
 */
public final class TerminalTcpServer {
  private static final Logger log = LoggerFactory.getLogger(TerminalTcpServer.class);

  private final ActorSystem<?> system;
  private final TerminalGateway gateway;
  private final int parallelism;
  private final Duration idleTimeout;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  /** At shutdown: every connection stops reading, answers what it has, then closes. */
  private final org.apache.pekko.stream.SharedKillSwitch drain =
      org.apache.pekko.stream.KillSwitches.shared("posp-terminal-drain");

  public TerminalTcpServer(ActorSystem<?> system, TerminalGateway gateway, int parallelism, Duration idleTimeout) {
    this.system = system;
    this.gateway = gateway;
    this.parallelism = parallelism;
    this.idleTimeout = idleTimeout;
  }

  public CompletionStage<Tcp.ServerBinding> bindPlain(String host, int port) {
    Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> source =
        Tcp.get(system).bind(host, port, 1024, List.of(), false, Optional.of(idleTimeout));
    return run(source, "tcp");
  }

  public CompletionStage<Tcp.ServerBinding> bindTls(String host, int port, SSLContext context) {
    Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> source = Tcp.get(system).bindWithTls(host, port,
        () -> {
          SSLEngine engine = context.createSSLEngine();
          engine.setUseClientMode(false);
          engine.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
          return engine;
        }, 1024, List.of(), Optional.of(idleTimeout), session -> Optional.empty(), TLSClosing.eagerClose());
    return run(source, "tls");
  }

  private CompletionStage<Tcp.ServerBinding> run(
      Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> source, String kind) {
    SwitchMetrics.frontBound(kind);
    return source.to(org.apache.pekko.stream.javadsl.Sink.foreach(conn -> {
      String peer = kind + ":" + conn.remoteAddress().getAddress().getHostAddress() + ":" + conn.remoteAddress().getPort();
      int n = connections.incrementAndGet();
      SwitchMetrics.connectionOpened(kind);
      log.debug("terminal connection from {} ({} open)", peer, n);
      java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
      conn.handleWith(protocol(peer, closed).watchTermination((nu, done) -> {
        done.whenComplete((d, err) -> {
          int left = connections.decrementAndGet();
          SwitchMetrics.connectionClosed(kind);
          if (err != null) log.info("terminal connection {} closed: {} ({} open)", peer, err.getMessage(), left);
          else log.debug("terminal connection {} closed ({} open)", peer, left);
        });
        return nu;
      }), system);
    })).run(system);
  }

  /** The per-connection protocol flow. */
  Flow<ByteString, ByteString, NotUsed> protocol(String peer, java.util.concurrent.atomic.AtomicBoolean closed) {
    return Framing.lengthField(2, 0, TerminalFrame.MAX_FRAME_LENGTH + 2, ByteOrder.BIG_ENDIAN)
        .map(frame -> parse(frame.drop(2).toArray(), peer))
        .via(drain.flow())
        // the terminal closed its side (or the node stopped reading at shutdown: see draining): replies still in flight can no longer reach it
        .watchTermination((nu, done) -> {
          done.whenComplete((d, err) -> closed.set(true));
          return nu;
        })
        .mapAsyncUnordered(parallelism, f -> {
          inFlight.incrementAndGet();
          // while draining, the connection still writes the replies in progress: they are delivered
          return gateway.handle(f, peer, () -> closed.get() && !draining)
              .whenComplete((r, e) -> inFlight.decrementAndGet());
        })
        .filter(Optional::isPresent)
        .map(o -> ByteString.fromArrayUnsafe(o.get().encode()));
  }

  private static TerminalFrame parse(byte[] bytes, String peer) throws TerminalFormatException {
    if (bytes.length < TerminalFrame.MIN_FRAME_LENGTH) {
      throw new TerminalFormatException(0, "frame of " + bytes.length + " bytes from " + peer + " is shorter than "
          + TerminalFrame.MIN_FRAME_LENGTH + ": closing the connection");
    }
    return TerminalFrame.parse(bytes);
  }

  /**
   * Stops reading requests on every connection: requests in progress are still answered, then the
   * connections close and the terminals reconnect to another node.
   */
  public void stopReading() {
    draining = true;
    drain.shutdown();
  }

  private volatile boolean draining;

  /** Requests received and not answered yet, over all connections. */
  public int inFlight() {
    return inFlight.get();
  }

  public int openConnections() {
    return connections.get();
  }
}
