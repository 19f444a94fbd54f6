package org.posp.sim.terminal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Frames, MACs and sends requests for one terminal and turns what comes back into an {@link
 * Exchange}: matched reply (verified), timeout, lost connection or no node reachable. Safe for
 * concurrent use (pipelining).
 */
final class TerminalTransport {
  private final TerminalConfig cfg;
  private final NodeConnector connector;
  private final byte[] tpdu;
  private final byte[] header;

  TerminalTransport(TerminalConfig cfg, NodeConnector connector) {
    this.cfg = cfg;
    this.connector = connector;
    this.tpdu = Frame.tpdu(cfg.tpduDestination(), cfg.tpduSource());
    this.header = Hex.parse(cfg.headerHex(), "header");
  }

  /**
   * Packs; when field 64 is present its MAC is computed over the packed body with the MAK and the
   * terminal's MAC.
   */
  PreparedRequest prepare(TerminalMessage message, WorkingKeys keys) {
    TerminalMessage m = message;
    byte[] body = TerminalCodec.get().pack(m);
    if (m.has(64)) {
      if (keys == null) {
        throw new IllegalStateException(
            "terminal " + cfg.terminalId() + " is not signed on: no MAK for 64");
      }
      byte[] mac = CupMac.computeForBody(keys, body);
      System.arraycopy(mac, 0, body, body.length - 8, 8); // 64 is the last field, 8 bytes
      m = m.withBytes(64, mac);
    }
    return new PreparedRequest(m, new Frame(tpdu, header, body), typeOf(m));
  }

  /** A packed body as it is, in a frame; the body must parse so that its reply can be matched. */
  PreparedRequest wrap(byte[] body) {
    TerminalMessage m;
    try {
      m = TerminalCodec.get().unpack(body);
    } catch (TerminalCodec.FormatException e) {
      throw new IllegalArgumentException("body cannot be matched to a reply: " + e.getMessage(), e);
    }
    return new PreparedRequest(m, new Frame(tpdu, header, body), typeOf(m));
  }

  private static TxnType typeOf(TerminalMessage m) {
    return TxnType.of(m.mti(), m.get(3), m.get(25), m.field60Type());
  }

  /**
   * Sends the frame and completes with the outcome; the reply is verified with the keys current
   * when it arrives, and a header R = 3 runs {@code onResignRequested}.
   */
  CompletableFuture<Exchange> sendAsync(
      PreparedRequest request, Supplier<WorkingKeys> keys, Runnable onResignRequested) {
    long t0 = System.nanoTime();
    TerminalConnection c;
    try {
      c = connector.connection();
    } catch (IOException e) {
      return CompletableFuture.completedFuture(
          new Exchange(
              request,
              Exchange.Status.NOT_CONNECTED,
              null,
              List.of("not sent: " + e.getMessage()),
              false,
              TerminalClient.since(t0),
              null));
    }
    CompletableFuture<ReceivedFrame> f = c.send(request.bytes(), request.matchKey());
    return f.orTimeout(cfg.replyTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (rf, err) -> {
              if (err == null) {
                ReplyVerifier.Verdict v = ReplyVerifier.verify(request, rf, keys.get());
                if (rf.frame().processingRequirement() == 3) {
                  onResignRequested.run();
                }
                return new Exchange(
                    request,
                    Exchange.Status.REPLIED,
                    rf,
                    v.problems(),
                    v.macFailed(),
                    Duration.ofNanos(rf.receivedAtNanos() - t0),
                    c.node());
              }
              Throwable cause =
                  err instanceof CompletionException && err.getCause() != null
                      ? err.getCause()
                      : err;
              if (cause instanceof TimeoutException) {
                c.forget(request.matchKey(), f);
                return new Exchange(
                    request,
                    Exchange.Status.TIMEOUT,
                    null,
                    List.of("no reply within " + cfg.replyTimeout().toMillis() + " ms"),
                    false,
                    TerminalClient.since(t0),
                    c.node());
              }
              return new Exchange(
                  request,
                  Exchange.Status.CONNECTION_LOST,
                  null,
                  List.of("connection lost before the reply: " + cause.getMessage()),
                  false,
                  TerminalClient.since(t0),
                  c.node());
            });
  }

  /** Writes raw bytes and waits for the first frame back or the connection to close. */
  RawOutcome sendFrame(byte[] wholeFrame, Duration wait) {
    TerminalConnection c;
    try {
      c = connector.connection();
    } catch (IOException e) {
      return new RawOutcome(true, "not connected: " + e.getMessage(), List.of());
    }
    c.clearUnmatched();
    List<ReceivedFrame> frames = new ArrayList<>();
    try {
      c.writeRaw(wholeFrame);
      long deadline = System.nanoTime() + wait.toNanos();
      while (frames.isEmpty() && System.nanoTime() < deadline) {
        ReceivedFrame f = c.pollUnmatched(Duration.ofMillis(20));
        if (f != null) {
          frames.add(f);
        } else if (!c.isOpen()) {
          break;
        }
      }
    } catch (IOException e) {
      return new RawOutcome(true, "write failed: " + e.getMessage(), frames);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new RawOutcome(!c.isOpen(), c.closedFuture().getNow(null), frames);
  }
}
