package org.posp.node;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal TCP front (plain and TLS) on Pekko Streams: 2-byte big-endian length framing, frames
 * longer than 2048 or shorter than 21 bytes close the connection (docs/protocol/terminal.md §1),
 * pipelined requests answered as they complete (in any order), idle connections closed after the
 * configured time.
 */
public final class TerminalTcpServer {
  private static final Logger log = LoggerFactory.getLogger(TerminalTcpServer.class);

  /**
   * The front's limits: requests of one connection handled at the same time, how long a connection
   * may be silent, how long one frame may take to arrive once its first byte has, and how many
   * connections are accepted in all and from one address (more are closed as soon as they are
   * accepted).
   */
  public record Limits(
      int parallelism,
      Duration idleTimeout,
      Duration frameReadTimeout,
      int maxConnections,
      int maxConnectionsPerAddress) {
    public static Limits fromConfig(Config front) {
      return new Limits(
          front.getInt("parallelism"),
          front.getDuration("idle-timeout"),
          front.getDuration("frame-read-timeout"),
          front.getInt("max-connections"),
          front.getInt("max-connections-per-address"));
    }
  }

  private final ActorSystem<?> system;
  private final TerminalGateway gateway;
  private final Limits limits;
  private final AtomicInteger connections = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress =
      new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong lastRefusalLog = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();

  /** At shutdown: every connection stops reading, answers what it has, then closes. */
  private final SharedKillSwitch drain = KillSwitches.shared("posp-terminal-drain");

  public TerminalTcpServer(ActorSystem<?> system, TerminalGateway gateway, Limits limits) {
    this.system = system;
    this.gateway = gateway;
    this.limits = limits;
  }

  public CompletionStage<Tcp.ServerBinding> bindPlain(String host, int port) {
    return run(bind(host, port), "tcp", null);
  }

  /**
   * The TLS front. With {@code clientAuth} {@code want} or {@code need} the terminal presents a
   * client certificate (verified against the context's trust managers) whose subject CN names the
   * terminal it speaks for, {@code <42>:<41>}: every request of that connection must be of that
   * terminal.
   */
  public CompletionStage<Tcp.ServerBinding> bindTls(
      String host, int port, SSLContext context, String clientAuth) {
    Supplier<SSLEngine> engines =
        () -> {
          SSLEngine engine = context.createSSLEngine();
          engine.setUseClientMode(false);
          engine.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
          if ("need".equals(clientAuth)) engine.setNeedClientAuth(true);
          else if ("want".equals(clientAuth)) engine.setWantClientAuth(true);
          return engine;
        };
    return run(bind(host, port), "tls", engines);
  }

  private Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      String host, int port) {
    return Tcp.get(system)
        .bind(host, port, 1024, List.of(), false, Optional.of(limits.idleTimeout()));
  }

  /**
   * TLS around the protocol flow of one connection; the certificate's terminal (or "" without one)
   * is put into {@code bound} before the first bytes reach the protocol flow.
   */
  private static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> tls(
      Supplier<SSLEngine> engines, AtomicReference<String> bound) {
    var session = TLS.create(engines, TLSClosing.eagerClose());
    BidiFlow<TLSProtocol.SslTlsInbound, ByteString, ByteString, TLSProtocol.SslTlsOutbound, NotUsed>
        bytes =
            BidiFlow.fromFlows(
                Flow.<TLSProtocol.SslTlsInbound>create()
                    .filter(in -> in instanceof TLSProtocol.SessionBytes)
                    .map(
                        in -> {
                          TLSProtocol.SessionBytes sb = (TLSProtocol.SessionBytes) in;
                          if (bound.get() == null) bound.set(certifiedTerminal(sb.session()));
                          return sb.bytes();
                        }),
                Flow.<ByteString>create()
                    .map(b -> (TLSProtocol.SslTlsOutbound) new TLSProtocol.SendBytes(b)));
    return session.reversed().atop(bytes);
  }

  /** The subject CN of the peer's certificate, or "" when it presented none. */
  static String certifiedTerminal(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)) return "";
      for (Rdn rdn : new LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) return String.valueOf(rdn.getValue());
      }
      return "";
    } catch (SSLPeerUnverifiedException e) {
      return "";
    } catch (InvalidNameException e) {
      return "";
    }
  }

  private CompletionStage<Tcp.ServerBinding> run(
      Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> source,
      String kind,
      Supplier<SSLEngine> engines) {
    SwitchMetrics.frontBound(kind);
    return source
        .to(
            Sink.foreach(
                conn -> {
                  InetAddress address = conn.remoteAddress().getAddress();
                  String peer =
                      kind + ":" + address.getHostAddress() + ":" + conn.remoteAddress().getPort();
                  AtomicInteger fromAddress =
                      perAddress.computeIfAbsent(address, a -> new AtomicInteger());
                  int n = connections.incrementAndGet();
                  int same = fromAddress.incrementAndGet();
                  if (n > limits.maxConnections() || same > limits.maxConnectionsPerAddress()) {
                    release(address, fromAddress);
                    refuse(
                        conn,
                        peer,
                        n > limits.maxConnections()
                            ? "the node has " + limits.maxConnections() + " connections"
                            : address.getHostAddress()
                                + " has "
                                + limits.maxConnectionsPerAddress()
                                + " connections");
                    return;
                  }
                  SwitchMetrics.connectionOpened(kind);
                  log.debug("terminal connection from {} ({} open)", peer, n);
                  AtomicBoolean closed = new AtomicBoolean();
                  AtomicReference<String> bound = new AtomicReference<>();
                  Flow<ByteString, ByteString, NotUsed> handler =
                      engines == null
                          ? protocol(peer, closed, bound)
                          : tls(engines, bound).join(protocol(peer, closed, bound));
                  conn.handleWith(
                      handler.watchTermination(
                          (nu, done) -> {
                            done.whenComplete(
                                (d, err) -> {
                                  int left = release(address, fromAddress);
                                  SwitchMetrics.connectionClosed(kind);
                                  if (err != null)
                                    log.info(
                                        "terminal connection {} closed: {} ({} open)",
                                        peer,
                                        LogSafe.of(err.getMessage()),
                                        left);
                                  else
                                    log.debug(
                                        "terminal connection {} closed ({} open)", peer, left);
                                });
                            return nu;
                          }),
                      system);
                }))
        .run(system);
  }

  private int release(InetAddress address, AtomicInteger fromAddress) {
    if (fromAddress.decrementAndGet() <= 0) perAddress.remove(address, fromAddress);
    return connections.decrementAndGet();
  }

  /**
   * Closes a connection over the limits at once; logged at most once a second with the count
   * refused.
   */
  private void refuse(Tcp.IncomingConnection conn, String peer, String reason) {
    long count = refused.incrementAndGet();
    long now = System.nanoTime();
    long last = lastRefusalLog.get();
    if (now - last > 1_000_000_000L && lastRefusalLog.compareAndSet(last, now)) {
      log.warn(
          "terminal connection from {} refused: {} ({} refused since start)", peer, reason, count);
    }
    conn.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.<ByteString>empty()), system);
  }

  /** The per-connection protocol flow. */
  Flow<ByteString, ByteString, NotUsed> protocol(
      String peer, AtomicBoolean closed, AtomicReference<String> bound) {
    return Flow.<ByteString>create()
        .via(new FrameDeadline(limits.frameReadTimeout()))
        .via(Framing.lengthField(2, 0, TerminalFrame.MAX_FRAME_LENGTH + 2, ByteOrder.BIG_ENDIAN))
        .map(frame -> parse(frame.drop(2).toArray(), peer))
        .via(drain.flow())
        // the terminal closed its side (or the node stopped reading at shutdown: see draining):
        // replies still in flight can no longer reach it
        .watchTermination(
            (nu, done) -> {
              done.whenComplete((d, err) -> closed.set(true));
              return nu;
            })
        .mapAsyncUnordered(
            limits.parallelism(),
            f -> {
              inFlight.incrementAndGet();
              // while draining, the connection still writes the replies in progress: they are
              // delivered
              String certified = bound.get();
              return gateway
                  .handle(
                      f,
                      peer,
                      () -> closed.get() && !draining,
                      certified == null || certified.isEmpty() ? null : certified)
                  .whenComplete((r, e) -> inFlight.decrementAndGet());
            })
        .filter(Optional::isPresent)
        .map(o -> ByteString.fromArrayUnsafe(o.get().encode()));
  }

  private static TerminalFrame parse(byte[] bytes, String peer) throws TerminalFormatException {
    if (bytes.length < TerminalFrame.MIN_FRAME_LENGTH) {
      throw new TerminalFormatException(
          0,
          "frame of "
              + bytes.length
              + " bytes from "
              + peer
              + " is shorter than "
              + TerminalFrame.MIN_FRAME_LENGTH
              + ": closing the connection");
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
