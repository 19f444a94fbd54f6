package org.posp.sim.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.posp.sim.terminal.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NIO event loop of the {@link EchoServer}: reads {@code LEN(2) payload} frames from its
 * connections, answers each inline with the {@link EchoResponder} and writes the replies back. A
 * LEN outside [21, 2048] is a framing error: the connection is closed (docs/protocol/terminal.md
 * §1). When a peer stops reading, the loop stops reading from it until its replies drain.
 */
final class EchoEventLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(EchoEventLoop.class);

  /** Replies queued for one connection beyond which the loop stops reading its requests. */
  private static final int MAX_PENDING_OUT = 256 * 1024;

  /** Buffers of one connection. */
  private static final class Conn {
    final SocketChannel channel;
    ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    ByteBuffer out = ByteBuffer.allocate(16 * 1024);

    Conn(SocketChannel channel) {
      this.channel = channel;
    }
  }

  private final EchoResponder responder;
  private final Selector selector;
  private final Queue<SocketChannel> incoming = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final LongAdder framingErrors = new LongAdder();
  private final LongAdder open = new LongAdder();
  private volatile boolean closed;

  EchoEventLoop(EchoResponder responder, String name) throws IOException {
    this.responder = responder;
    this.selector = Selector.open();
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  long framingErrors() {
    return framingErrors.sum();
  }

  /** Connections this loop serves now. */
  long openConnections() {
    return open.sum();
  }

  /** Hands a new connection to this loop (called by the acceptor thread). */
  void register(SocketChannel channel) {
    incoming.add(channel);
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      while (!closed) {
        selector.select();
        for (SocketChannel ch; (ch = incoming.poll()) != null; ) {
          ch.register(selector, SelectionKey.OP_READ, new Conn(ch));
          open.increment();
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          Conn c = (Conn) key.attachment();
          try {
            if (key.isValid() && key.isReadable()) {
              read(key, c);
            }
            if (key.isValid() && key.isWritable()) {
              flush(key, c);
            }
          } catch (IOException e) {
            close(key, c); // peer reset or gone: nothing to answer
          } catch (RuntimeException e) {
            LOG.warn("echo server: connection closed after an unexpected error: {}", e.toString());
            close(key, c);
          }
        }
      }
    } catch (IOException | ClosedSelectorException e) {
      if (!closed) {
        LOG.warn("echo server: event loop {} stopped: {}", thread.getName(), e.getMessage());
      }
    } finally {
      closeAll();
    }
  }

  private void read(SelectionKey key, Conn c) throws IOException {
    int n = c.channel.read(c.in);
    if (n < 0) {
      close(key, c);
      return;
    }
    c.in.flip();
    while (c.in.remaining() >= 2) {
      int len = c.in.getShort(c.in.position()) & 0xFFFF;
      if (len < Frame.MIN_LEN || len > Frame.MAX_LEN) {
        framingErrors.increment();
        LOG.warn(
            "echo server: framing error from {}: LEN {} outside [{}, {}], connection closed",
            c.channel.getRemoteAddress(),
            len,
            Frame.MIN_LEN,
            Frame.MAX_LEN);
        close(key, c);
        return;
      }
      if (c.in.remaining() < 2 + len) {
        break;
      }
      c.in.position(c.in.position() + 2);
      byte[] payload = new byte[len];
      c.in.get(payload);
      byte[] reply = responder.answer(payload);
      if (reply != null) {
        queue(c, reply);
      }
    }
    c.in.compact();
    flush(key, c);
  }

  private static void queue(Conn c, byte[] reply) {
    if (c.out.remaining() < reply.length) {
      ByteBuffer bigger =
          ByteBuffer.allocate(Math.max(c.out.capacity() * 2, c.out.position() + reply.length));
      c.out.flip();
      bigger.put(c.out);
      c.out = bigger;
    }
    c.out.put(reply);
  }

  private void flush(SelectionKey key, Conn c) throws IOException {
    c.out.flip();
    c.channel.write(c.out);
    c.out.compact();
    int pending = c.out.position();
    int ops =
        pending == 0
            ? SelectionKey.OP_READ
            : pending > MAX_PENDING_OUT
                ? SelectionKey.OP_WRITE
                : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
    if (key.interestOps() != ops) {
      key.interestOps(ops);
    }
  }

  private void close(SelectionKey key, Conn c) {
    if (key.isValid()) {
      open.decrement();
    }
    key.cancel();
    try {
      c.channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void closeAll() {
    try {
      for (SelectionKey key : selector.keys()) {
        if (key.isValid()) {
          open.decrement();
        }
        key.channel().close();
      }
      selector.close();
    } catch (IOException | ClosedSelectorException ignored) {
      // shutting down
    }
    for (SocketChannel ch; (ch = incoming.poll()) != null; ) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // shutting down
      }
    }
  }

  void close() {
    closed = true;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
