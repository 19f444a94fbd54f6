package org.posp.sim.terminal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the switch node: the first reachable one of the list on the first connect, and after a
 * dropped connection the next one round robin (a terminal configured with several node addresses
 * moves on when its node goes away). Reconnections are recorded.
 */
final class NodeConnector {
  private static final Logger LOG = LoggerFactory.getLogger(NodeConnector.class);

  private final TerminalConfig cfg;
  private final List<Reconnection> reconnections = new CopyOnWriteArrayList<>();
  private TerminalConnection connection;
  private int index = -1;

  NodeConnector(TerminalConfig cfg) {
    this.cfg = cfg;
  }

  /** The open connection, connecting or reconnecting as needed. */
  synchronized TerminalConnection connection() throws IOException {
    if (connection != null && connection.isOpen()) {
      return connection;
    }
    boolean dropped = connection != null;
    List<InetSocketAddress> nodes = cfg.nodes();
    int start = dropped ? (index + 1) % nodes.size() : 0;
    IOException last = null;
    for (int i = 0; i < nodes.size(); i++) {
      int idx = (start + i) % nodes.size();
      InetSocketAddress node = nodes.get(idx);
      try {
        TerminalConnection c = TerminalConnection.open(node, cfg);
        if (dropped) {
          String reason = connection.closedFuture().getNow("connection dropped");
          reconnections.add(new Reconnection(connection.node(), node, reason, Instant.now()));
          LOG.info(
              "terminal {} reconnected from {} to {} ({})",
              cfg.terminalId(),
              connection.node(),
              node,
              reason);
        }
        connection = c;
        index = idx;
        return c;
      } catch (IOException e) {
        LOG.debug("terminal {} cannot reach {}: {}", cfg.terminalId(), node, e.getMessage());
        last = e;
      }
    }
    throw new IOException(
        "no switch node reachable ("
            + nodes.size()
            + " tried), last error: "
            + (last == null ? "none" : last.getMessage()),
        last);
  }

  synchronized InetSocketAddress currentNode() {
    return connection != null && connection.isOpen() ? connection.node() : null;
  }

  synchronized boolean connected() {
    return connection != null && connection.isOpen();
  }

  List<Reconnection> reconnections() {
    return List.copyOf(reconnections);
  }

  /** Closes the connection; the next use connects to the first reachable node again. */
  synchronized void close() {
    if (connection != null) {
      connection.close();
    }
    connection = null;
    index = -1;
  }
}
