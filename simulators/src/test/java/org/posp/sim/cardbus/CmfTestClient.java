package org.posp.sim.cardbus;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.GenericPackager;

/**
 * A minimal card-bus client for tests: its own jPOS CMF packager (loaded here, not from the code
 * under test), its own 2-byte length framing, replies matched on field 11 like the switch's MUX.
 */
final class CmfTestClient implements AutoCloseable {

  private static final GenericPackager PACKAGER;

  static {
    try (InputStream xml = CmfTestClient.class.getResourceAsStream("/packager/cmf.xml")) {
      PACKAGER = new GenericPackager(xml);
    } catch (IOException | ISOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final Thread reader;
  private final ConcurrentHashMap<String, CompletableFuture<ISOMsg>> pending =
      new ConcurrentHashMap<>();

  /** Every reply in the order it arrived, with its field 11. */
  final List<String> arrivalOrder = new CopyOnWriteArrayList<>();

  final List<ISOMsg> unmatched = new CopyOnWriteArrayList<>();

  private CmfTestClient(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.reader = new Thread(this::readLoop, "cmf-test-client");
    reader.setDaemon(true);
    reader.start();
  }

  static CmfTestClient connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setTcpNoDelay(true);
    return new CmfTestClient(s);
  }

  static GenericPackager packager() {
    return PACKAGER;
  }

  /** Registers for the reply with this 11 (12-digit, as the host echoes it) and sends. */
  CompletableFuture<ISOMsg> send(ISOMsg msg) throws IOException, ISOException {
    String stan = String.format("%012d", Long.parseLong(msg.getString(11)));
    CompletableFuture<ISOMsg> f = new CompletableFuture<>();
    pending.put(stan, f);
    msg.setPackager(PACKAGER);
    byte[] body = msg.pack();
    byte[] frame = new byte[body.length + 2];
    frame[0] = (byte) (body.length >>> 8);
    frame[1] = (byte) body.length;
    System.arraycopy(body, 0, frame, 2, body.length);
    synchronized (out) {
      out.write(frame);
      out.flush();
    }
    return f;
  }

  /** Sends and waits for the reply; fails the test with a TimeoutException when none comes. */
  ISOMsg request(ISOMsg msg, Duration timeout) throws Exception {
    return send(msg).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends and waits; empty when no reply came in time. */
  Optional<ISOMsg> requestOrNothing(ISOMsg msg, Duration timeout) throws Exception {
    try {
      return Optional.of(request(msg, timeout));
    } catch (TimeoutException e) {
      return Optional.empty();
    }
  }

  static ISOMsg await(CompletableFuture<ISOMsg> f, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void readLoop() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int length;
        try {
          length = in.readUnsignedShort();
        } catch (EOFException e) {
          return;
        }
        byte[] body = new byte[length];
        in.readFully(body);
        ISOMsg reply = new ISOMsg();
        reply.setPackager(PACKAGER);
        reply.unpack(body);
        String stan = reply.getString(11);
        arrivalOrder.add(stan);
        CompletableFuture<ISOMsg> f = stan == null ? null : pending.remove(stan);
        if (f != null) {
          f.complete(reply);
        } else {
          unmatched.add(reply);
        }
      }
    } catch (IOException | ISOException e) {
      pending.values().forEach(f -> f.completeExceptionally(e));
    }
  }

  @Override
  public void close() throws Exception {
    socket.close();
    reader.join(2000);
  }
}
