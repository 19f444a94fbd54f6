package org.posp.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Where every process of the local cluster listens, all on 127.0.0.1. The default layout keeps the
 * production ports recognisable: node {@code n} has terminal port 5000+n, TLS 5440+n, HTTP 8080+n,
 * management 8550+n, remoting 25520+n and metrics 9090+n; PostgreSQL is on 15432 and the card-bus
 * simulator on 17000 (its ledger HTTP on 17080). A base port other than 5000 moves all of them by
 * the same distance, e.g. to run a second cluster beside the first.
 *
 * @param basePort 5000 for the default layout
 */
record PortPlan(int basePort) {
  static final int DEFAULT_BASE = 5000;

  /** The smallest base that keeps every port above the privileged range. */
  static final int MIN_BASE = 1024;

  /** The largest base that keeps node 9's remoting port below 65536. */
  static final int MAX_BASE = 45000;

  PortPlan {
    if (basePort < MIN_BASE || basePort > MAX_BASE) {
      throw new IllegalArgumentException(
          "base port must be between " + MIN_BASE + " and " + MAX_BASE + ", was " + basePort);
    }
  }

  /** The ports of node {@code nodeId} (1..9). */
  record NodePorts(
      int nodeId, int terminal, int tls, int http, int management, int remote, int metrics) {
    List<Integer> all() {
      return List.of(terminal, tls, http, management, remote, metrics);
    }
  }

  int postgres() {
    return 15432 + offset();
  }

  int cardBus() {
    return 17000 + offset();
  }

  int cardBusHttp() {
    return 17080 + offset();
  }

  NodePorts node(int nodeId) {
    if (nodeId < 1 || nodeId > LaunchOptions.MAX_NODES) {
      throw new IllegalArgumentException(
          "node id must be 1.." + LaunchOptions.MAX_NODES + ", was " + nodeId);
    }
    int o = offset();
    return new NodePorts(
        nodeId,
        5000 + o + nodeId,
        5440 + o + nodeId,
        8080 + o + nodeId,
        8550 + o + nodeId,
        25520 + o + nodeId,
        9090 + o + nodeId);
  }

  /**
   * Every port a cluster of {@code nodes} nodes uses (to check that they are free before starting).
   */
  List<Integer> all(int nodes) {
    List<Integer> ports = new ArrayList<>(List.of(postgres(), cardBus(), cardBusHttp()));
    for (int n = 1; n <= nodes; n++) ports.addAll(node(n).all());
    return ports;
  }

  private int offset() {
    return basePort - DEFAULT_BASE;
  }
}
