package org.posp.sim.terminal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ServerSocketFactory;

/**
 * A tiny switch peer for the client's state machine tests, on a loopback ServerSocket with an
 * ephemeral port. It answers sign-on with a key block built from known keys, checks request MACs,
 * answers financial requests, 0400 (always 00), 0500 (comparing with its own totals) and 0320.
 * Behaviours let a test delay, ignore, drop, or corrupt replies. It is a test peer only, not a
 * model of the switch.
 */
final class FakeSwitch implements AutoCloseable {

  /** What to do with one request. */
  enum Behaviour {
    REPLY,
    IGNORE,
    DROP_CONNECTION,
    CORRUPT_MAC,
    WRONG_TPDU,
    ASK_RESIGN,
    CORRUPT_KEY_CV
  }

  /**
   * A request as received, with the result of the MAC check (null when the message carries none).
   */
  record Received(TerminalMessage message, byte[] body, Boolean macOk, int connection) {}

  private record Approved(TxnType type, long amount) {}

  private final ServerSocket server;
  private final String scheme;
  private final WorkingKeys keys;
  private final byte[] keyBlock;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Approved> approved = new ConcurrentHashMap<>();
  private final AtomicInteger rrn = new AtomicInteger(100);
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  volatile Function<TerminalMessage, Behaviour> behaviour = m -> Behaviour.REPLY;
  volatile Function<TerminalMessage, Long> delayMillis = m -> 0L;
  volatile Function<TerminalMessage, String> decision = m -> "00";
  volatile String batch = "000001";

  /** Batch the 0510 returns in 60.2; null = batch + 1. */
  volatile String batchAfterSettlement;

  volatile boolean forceUnbalanced;

  FakeSwitch(String scheme) throws IOException {
    this(scheme, ServerSocketFactory.getDefault());
  }

  FakeSwitch(String scheme, ServerSocketFactory factory) throws IOException {
    this.scheme = scheme;
    this.keys = TestKeys.keys(scheme);
    this.keyBlock = TestKeys.block(scheme);
    this.server = factory.createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "fake-switch-accept-" + server.getLocalPort());
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getLocalPort());
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<TerminalMessage> receivedWithMti(String mti) {
    return received.stream().map(Received::message).filter(m -> m.mti().equals(mti)).toList();
  }

  int connectionCount() {
    return connections.get();
  }

  WorkingKeys keys() {
    return keys;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        int id = connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s, id), "fake-switch-conn-" + id);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // server closed
      }
    }
  }

  private void serve(Socket s, int id) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        Frame frame = Frame.read(in);
        if (frame == null) {
          return;
        }
        handle(frame, s, out, id);
      }
    } catch (IOException e) {
      // framing error or closed: the connection ends, as the switch does
    }
  }

  private void handle(Frame frame, Socket s, OutputStream out, int id) throws IOException {
    TerminalMessage req = TerminalCodec.get().unpack(frame.body());
    Boolean macOk = req.has(64) ? CupMac.verifyBody(keys.mak(), frame.body()) : null;
    received.add(new Received(req, frame.body(), macOk, id));
    Behaviour b = behaviour.apply(req);
    switch (b) {
      case IGNORE -> {
        return;
      }
      case DROP_CONNECTION -> {
        s.close();
        return;
      }
      default -> {}
    }
    TerminalMessage reply = reply(req, macOk, b);
    byte[] body = TerminalCodec.get().pack(reply);
    if (reply.has(64)) {
      byte[] mac = CupMac.computeForBody(keys.mak(), body);
      if (b == Behaviour.CORRUPT_MAC) {
        mac[0] = (byte) (mac[0] == 'A' ? 'B' : 'A');
      }
      System.arraycopy(mac, 0, body, body.length - 8, 8);
    }
    byte[] tpdu = b == Behaviour.WRONG_TPDU ? frame.tpdu() : Frame.swappedTpdu(frame.tpdu());
    byte[] header = frame.header();
    if (b == Behaviour.ASK_RESIGN) {
      header[2] = (byte) ((header[2] & 0xF0) | 0x03);
    }
    byte[] bytes = new Frame(tpdu, header, body).encode();
    long delay = delayMillis.apply(req);
    if (delay <= 0) {
      write(out, bytes);
    } else {
      scheduler.schedule(
          () -> {
            try {
              write(out, bytes);
            } catch (IOException ignored) {
              // connection gone meanwhile
            }
          },
          delay,
          TimeUnit.MILLISECONDS);
    }
  }

  private static void write(OutputStream out, byte[] bytes) throws IOException {
    synchronized (out) {
      out.write(bytes);
      out.flush();
    }
  }

  private TerminalMessage reply(TerminalMessage req, Boolean macOk, Behaviour b) {
    TerminalMessage r = TerminalMessage.of(req.replyMti());
    for (int f : new int[] {2, 3, 4, 11, 25, 41, 42, 49, 60}) {
      if (req.has(f)) {
        r = r.with(f, req.get(f));
      }
    }
    r = r.with(12, "101112").with(13, "0612");
    String code;
    switch (req.mti()) {
      case "0800" -> {
        code = "00";
        byte[] block = keyBlock.clone();
        if (b == Behaviour.CORRUPT_KEY_CV) {
          block[block.length - 1] ^= 1;
        }
        r =
            r.with(32, "99990000")
                .with(37, nextRrn())
                .with(60, "00" + batch + scheme)
                .withBytes(62, block);
      }
      case "0820", "0320" -> code = "00";
      case "0500" -> {
        code = "00";
        String next =
            batchAfterSettlement != null ? batchAfterSettlement : TerminalClient.nextBatch(batch);
        r =
            r.with(15, "0612")
                .with(37, nextRrn())
                .with(48, settlementReply(req))
                .with(60, "00" + next + "201");
        batch = next;
      }
      case "0400" -> {
        code = Boolean.FALSE.equals(macOk) ? "A0" : "00";
        if ("00".equals(code)) {
          approved.remove(req.field60Batch() + req.get(11));
        }
        r = r.with(15, "0612").with(37, nextRrn());
      }
      default -> {
        code = Boolean.FALSE.equals(macOk) ? "A0" : decision.apply(req);
        r = r.with(15, "0612").with(32, "99990000").with(37, nextRrn());
        if ("00".equals(code)) {
          r = r.with(38, "A" + req.get(11).substring(1));
          TxnType type = TxnType.of(req.mti(), req.get(3), req.get(25), req.field60Type());
          approved.put(
              req.field60Batch() + req.get(11),
              new Approved(type, req.has(4) ? Long.parseLong(req.get(4)) : 0));
          if (type == TxnType.BALANCE) {
            r = r.with(54, "1002156C000000012345");
          }
        }
      }
    }
    r = r.with(39, code);
    if ("00".equals(code) && ReplyVerifier.MAC_MTIS.contains(req.mti())) {
      r = r.withBytes(64, new byte[8]);
    }
    return r;
  }

  private String settlementReply(TerminalMessage req) {
    String b = req.field60Batch();
    long debit = 0;
    long credit = 0;
    int debits = 0;
    int credits = 0;
    for (Map.Entry<String, Approved> e : approved.entrySet()) {
      if (!e.getKey().startsWith(b)) {
        continue;
      }
      switch (e.getValue().type().effect()) {
        case DEBIT -> {
          debit += e.getValue().amount();
          debits++;
        }
        case CREDIT -> {
          credit += e.getValue().amount();
          credits++;
        }
        default -> {}
      }
    }
    if (forceUnbalanced) {
      debit += 1;
    }
    SettlementTotals own = new SettlementTotals(debit, debits, credit, credits);
    String terminalBlock = req.get(48).substring(0, 30);
    boolean balanced = own.block('1').startsWith(terminalBlock);
    return balanced
        ? terminalBlock + "1" + SettlementTotals.ZERO.block('1')
        : own.block('2') + SettlementTotals.ZERO.block('2');
  }

  private String nextRrn() {
    return String.format("%012d", rrn.incrementAndGet());
  }

  /** Closes every accepted connection (the node "crashes") but keeps listening. */
  void dropAllConnections() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    dropAllConnections();
    scheduler.shutdownNow();
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
