package org.posp.sim.terminal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP (or TLS) connection from a terminal to a switch node. Requests may be pipelined: a reader
 * thread reads every frame and completes the oldest request waiting on the reply's MTI - 10 + 11 +
 * 41 (replies may come in any order). Frames that match nothing (late replies after a timeout,
 * replies to raw frames) are kept in a bounded queue. When the connection ends, every waiting
 * request fails with {@link ConnectionLostException}.
 */
final class TerminalConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TerminalConnection.class);
  private static final int UNMATCHED_CAPACITY = 1000;

  /** The connection ended before the reply. */
  static final class ConnectionLostException extends IOException {
    ConnectionLostException(String message) {
      super(message);
    }
  }

  private final InetSocketAddress node;
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final ConcurrentHashMap<String, Deque<CompletableFuture<ReceivedFrame>>> waiting =
      new ConcurrentHashMap<>();
  private final LinkedBlockingDeque<ReceivedFrame> unmatched =
      new LinkedBlockingDeque<>(UNMATCHED_CAPACITY);
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final Thread reader;

  private TerminalConnection(InetSocketAddress node, Socket socket, String name)
      throws IOException {
    this.node = node;
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new BufferedInputStream(socket.getInputStream());
    this.reader = new Thread(this::readLoop, name + "-reader");
    this.reader.setDaemon(true);
  }

  /** Connects (and for TLS, hand-shakes) to a node and starts the reader thread. */
  static TerminalConnection open(InetSocketAddress node, TerminalConfig cfg) throws IOException {
    Socket plain = new Socket();
    try {
      plain.setTcpNoDelay(true);
      plain.connect(node, (int) cfg.connectTimeout().toMillis());
      Socket s = cfg.tls() ? tls(plain, node, cfg) : plain;
      TerminalConnection c =
          new TerminalConnection(node, s, "terminal-" + cfg.terminalId().strip());
      c.reader.start();
      return c;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  private static Socket tls(Socket plain, InetSocketAddress node, TerminalConfig cfg)
      throws IOException {
    SSLSocketFactory factory;
    try {
      if (cfg.trustAll()) {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAllDemoOnly()}, new SecureRandom());
        factory = ctx.getSocketFactory();
      } else {
        factory = SSLContext.getDefault().getSocketFactory();
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
    SSLSocket s =
        (SSLSocket) factory.createSocket(plain, node.getHostString(), node.getPort(), true);
    s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    if (!cfg.trustAll()) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS"); // check the host name against the certificate
      s.setSSLParameters(p);
    }
    s.setSoTimeout((int) cfg.connectTimeout().toMillis());
    s.startHandshake();
    s.setSoTimeout(0);
    return s;
  }

  /**
   * DEMO ONLY: accepts any server certificate, for the demo's self-signed certificate. A real
   * terminal pins the acquirer's CA.
   */
  private static final class TrustAllDemoOnly implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  InetSocketAddress node() {
    return node;
  }

  boolean isOpen() {
    return !closed.isDone();
  }

  /** Completes with the reason when the connection ends. */
  CompletableFuture<String> closedFuture() {
    return closed;
  }

  /**
   * Registers for the reply under {@code key}, then writes the frame. A write failure fails the
   * returned future with {@link ConnectionLostException} and closes the connection.
   */
  CompletableFuture<ReceivedFrame> send(byte[] frame, String key) {
    CompletableFuture<ReceivedFrame> f = new CompletableFuture<>();
    waiting.compute(
        key,
        (k, q) -> {
          Deque<CompletableFuture<ReceivedFrame>> d = q == null ? new ConcurrentLinkedDeque<>() : q;
          d.addLast(f);
          return d;
        });
    if (!isOpen()) {
      forget(key, f);
      f.completeExceptionally(
          new ConnectionLostException("connection already closed: " + closed.getNow("")));
      return f;
    }
    try {
      writeRaw(frame);
    } catch (IOException e) {
      forget(key, f);
      f.completeExceptionally(new ConnectionLostException("write failed: " + e.getMessage()));
      shutdown("write failed: " + e.getMessage());
    }
    return f;
  }

  /** Writes bytes as they are (raw frames for framing tests). */
  void writeRaw(byte[] bytes) throws IOException {
    synchronized (out) {
      out.write(bytes);
      out.flush();
    }
  }

  /** Stops waiting for a reply (after a timeout); a later reply goes to the unmatched queue. */
  void forget(String key, CompletableFuture<ReceivedFrame> f) {
    waiting.computeIfPresent(
        key,
        (k, q) -> {
          q.remove(f);
          return q.isEmpty() ? null : q;
        });
  }

  /** Next frame that matched no waiting request, or null after {@code wait}. */
  ReceivedFrame pollUnmatched(Duration wait) throws InterruptedException {
    return unmatched.poll(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
  }

  void clearUnmatched() {
    unmatched.clear();
  }

  private void readLoop() {
    String reason = "connection closed by the switch";
    try {
      while (true) {
        Frame frame = Frame.read(in);
        if (frame == null) {
          break;
        }
        dispatch(frame);
      }
    } catch (Frame.FramingException e) {
      reason = "framing error from the switch: " + e.getMessage();
    } catch (IOException e) {
      reason = isOpen() ? "connection lost: " + e.getMessage() : closed.getNow(reason);
    } finally {
      shutdown(reason);
    }
  }

  private void dispatch(Frame frame) {
    long now = System.nanoTime();
    TerminalMessage message;
    try {
      message = TerminalCodec.get().unpack(frame.body());
    } catch (TerminalCodec.FormatException e) {
      LOG.warn("{}: unparseable reply from {}: {}", reader.getName(), node, e.getMessage());
      offerUnmatched(new ReceivedFrame(frame, null, e.getMessage(), now));
      return;
    }
    ReceivedFrame received = new ReceivedFrame(frame, message, null, now);
    String key;
    try {
      key = PreparedRequest.replyKey(message);
    } catch (NumberFormatException e) {
      offerUnmatched(received);
      return;
    }
    List<CompletableFuture<ReceivedFrame>> taken = new ArrayList<>(1);
    waiting.computeIfPresent(
        key,
        (k, q) -> {
          CompletableFuture<ReceivedFrame> first = q.pollFirst();
          if (first != null) {
            taken.add(first);
          }
          return q.isEmpty() ? null : q;
        });
    if (!taken.isEmpty()) {
      taken.get(0).complete(received);
    } else {
      LOG.debug(
          "{}: reply {} stan {} matched no waiting request",
          reader.getName(),
          message.mti(),
          message.get(11));
      offerUnmatched(received);
    }
  }

  private void offerUnmatched(ReceivedFrame f) {
    while (!unmatched.offerLast(f)) {
      unmatched.pollFirst(); // keep the newest frames
    }
  }

  private void shutdown(String reason) {
    if (!closed.complete(reason)) {
      return;
    }
    LOG.debug("{}: connection to {} ended: {}", reader.getName(), node, reason);
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    ConnectionLostException lost = new ConnectionLostException(reason);
    waiting.forEach(
        (k, q) -> {
          CompletableFuture<ReceivedFrame> f;
          while ((f = q.pollFirst()) != null) {
            f.completeExceptionally(lost);
          }
        });
    waiting.clear();
  }

  @Override
  public void close() {
    shutdown("closed by the terminal");
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
