package org.posp.sim.cardbus;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.rc.CMF;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One card-bus TCP connection from the switch. A reader thread takes frames off the socket and
 * hands each to the host's workers, so pipelined requests are decided concurrently and answered as
 * they complete (possibly out of order); writes are serialized per connection.
 */
final class HostConnection implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(HostConnection.class);

  private final CardBusHost host;
  private final Socket socket;
  private final String peer;
  private final Object writeLock = new Object();
  private OutputStream out;

  HostConnection(CardBusHost host, Socket socket) {
    this.host = host;
    this.socket = socket;
    this.peer = String.valueOf(socket.getRemoteSocketAddress());
  }

  @Override
  public void run() {
    log.info("card-bus connection from {}", peer);
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      synchronized (writeLock) {
        out = new BufferedOutputStream(socket.getOutputStream());
      }
      byte[] frame;
      while ((frame = CmfCodec.readFrame(in)) != null) {
        if (frame.length == 0) {
          continue; // an empty frame carries nothing; some peers use it as a keep-alive
        }
        if (!host.isResponding()) {
          host.ledger().countDroppedWhileMuted();
          log.debug("muted: dropped a {}-byte frame from {}", frame.length, peer);
          continue;
        }
        byte[] body = frame;
        try {
          host.workers().execute(() -> process(body));
        } catch (RejectedExecutionException e) {
          break; // the host is closing
        }
      }
      log.info("card-bus connection from {} closed by the peer", peer);
    } catch (IOException e) {
      if (!host.isClosed()) {
        log.info("card-bus connection from {} ended: {}", peer, e.toString());
      }
    } finally {
      host.forget(this);
    }
  }

  void close() {
    try {
      socket.close();
    } catch (IOException e) {
      log.debug("closing {}: {}", peer, e.toString());
    }
  }

  private void process(byte[] body) {
    ISOMsg msg;
    try {
      msg = CmfCodec.unpack(body);
    } catch (ISOException | RuntimeException e) {
      // Without 11 and 41 no reply could be matched: log the reason and keep the link.
      log.warn(
          "unparseable CMF message of {} bytes from {}, dropped: {}",
          body.length,
          peer,
          e.getMessage());
      return;
    }
    CardBusRequest req = new CardBusRequest(msg);
    SimulatedIssuer.Decision decision;
    try {
      decision = host.issuer().handle(req);
    } catch (ISOException | RuntimeException e) {
      log.error("cannot decide {}: {}", req, e.toString(), e);
      send(systemError(req), req);
      return;
    }
    if (decision.reply() == null) {
      return;
    }
    switch (decision.timing()) {
      case NOW -> send(decision.reply(), req);
      case LATE -> {
        long delayMs = host.config().lateDelay().toMillis();
        log.info("holding the reply to rrn {} for {} ms (test card ending 9998)", req.rrn, delayMs);
        try {
          host.scheduler()
              .schedule(() -> send(decision.reply(), req), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          log.info("host closing: late reply to rrn {} not sent", req.rrn);
        }
      }
      case NEVER ->
          log.info("never replying to rrn {} stan {} (test card ending 9999)", req.rrn, req.stan);
    }
  }

  private void send(ISOMsg reply, CardBusRequest req) {
    if (reply == null) {
      return;
    }
    if (!host.isResponding()) {
      log.info("muted: reply {} to rrn {} stan {} dropped", safeMti(reply), req.rrn, req.stan);
      return;
    }
    try {
      byte[] body = CmfCodec.pack(reply);
      synchronized (writeLock) {
        if (out == null || socket.isClosed()) {
          log.info(
              "connection {} gone: reply {} to rrn {} stan {} not sent",
              peer,
              safeMti(reply),
              req.rrn,
              req.stan);
          return;
        }
        CmfCodec.writeFrame(out, body);
      }
    } catch (ISOException e) {
      log.error("cannot pack reply {} to rrn {}: {}", safeMti(reply), req.rrn, e.getMessage());
    } catch (IOException e) {
      log.info("connection {} failed writing reply to rrn {}: {}", peer, req.rrn, e.toString());
      close();
    }
  }

  /**
   * Best effort answer when the host itself failed: request MTI + 10 with 39 = 9109 system error.
   */
  private static ISOMsg systemError(CardBusRequest req) {
    if (!req.isRequestOrAdvice()) {
      return null;
    }
    try {
      ISOMsg reply = new ISOMsg(req.replyMti());
      for (int f : new int[] {3, 4, 7, 11, 12, 24, 25, 32, 37, 41, 42}) {
        if (req.msg.hasField(f)) {
          reply.set(f, req.msg.getString(f));
        }
      }
      reply.set(39, CMF.SYSTEM_ERROR.ircString());
      return reply;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String safeMti(ISOMsg m) {
    try {
      return m.getMTI();
    } catch (ISOException e) {
      return "?";
    }
  }
}
