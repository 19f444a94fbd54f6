package org.posp.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The switch nodes of one scenario, each a {@link NodeProcess} with the same shared properties
 * (database, card-bus endpoint, LMK) and its own ports, node id and data directory. {@code size}
 * nodes are started; {@code spares} more slots have ports chosen up front (so that terminals can
 * list them, as a load balancer pool lists a node not deployed yet) and are started by {@link
 * #startSpare}.
 *
 * <p>With {@code clusterMode} off the one node runs {@code posp.mode=single}; on, every node runs
 * {@code posp.mode=cluster} with the first three slots as seed nodes. Every wait is bounded; {@link
 * #close()} kills whatever still runs.
 */
final class Cluster implements AutoCloseable {
  static final String ADMIN_TOKEN = "demo-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<NodeProcess> slots = new ArrayList<>();
  private final boolean clusterMode;
  private final int size;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * @param common system properties every node gets (database, demo mode, card-bus endpoint,
   *     timeouts)
   * @param environment environment every node gets (POSP_LMK)
   */
  Cluster(
      Path workDir,
      Path logDir,
      String scenario,
      int size,
      int spares,
      boolean clusterMode,
      Map<String, String> common,
      Map<String, String> environment,
      List<String> jvmOptions)
      throws Exception {
    if (size < 1 || (!clusterMode && (size != 1 || spares != 0))) {
      throw new IllegalArgumentException(
          "single mode runs exactly one node, cluster mode at least one");
    }
    this.clusterMode = clusterMode;
    this.size = size;
    List<NodeProcess.Ports> ports = new ArrayList<>();
    for (int i = 0; i < size + spares; i++) ports.add(NodeProcess.Ports.free());
    for (int i = 0; i < size + spares; i++) {
      Map<String, String> props = new LinkedHashMap<>(common);
      props.put("posp.node-id", Integer.toString(i + 1));
      if (clusterMode) {
        props.put("posp.mode", "cluster");
        for (int s = 0; s < Math.min(3, size); s++) {
          props.put(
              "pekko.cluster.seed-nodes." + s, "pekko://posp@127.0.0.1:" + ports.get(s).remote());
        }
      } else {
        props.put("posp.mode", "single");
      }
      String name = "node" + (i + 1);
      slots.add(
          new NodeProcess(
              name,
              workDir.resolve(name),
              logDir.resolve(scenario + "-" + name + ".log"),
              ports.get(i),
              props,
              environment,
              jvmOptions));
    }
  }

  boolean clusterMode() {
    return clusterMode;
  }

  /** Nodes started at the beginning (not the spares). */
  int size() {
    return size;
  }

  /** Every node's log file (spares included). */
  List<Path> logs() {
    return slots.stream().map(n -> n.log).toList();
  }

  NodeProcess node(int index) {
    return slots.get(index);
  }

  List<NodeProcess> slots() {
    return List.copyOf(slots);
  }

  /** The running (alive, not suspended) nodes. */
  List<NodeProcess> serving() {
    return slots.stream().filter(n -> n.alive() && !n.suspended()).toList();
  }

  /** Terminal addresses of every slot, spares included, in slot order. */
  List<InetSocketAddress> terminalAddresses() {
    return slots.stream().map(n -> new InetSocketAddress("127.0.0.1", n.terminalPort)).toList();
  }

  /**
   * Starts the first {@code size} nodes side by side and waits for READY and, in cluster mode, all
   * Up.
   */
  void startAll(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<CountDownLatch> ready = new ArrayList<>();
    for (int i = 0; i < size; i++) ready.add(slots.get(i).startAsync());
    for (int i = 0; i < size; i++) slots.get(i).awaitReady(ready.get(i), remaining(deadline));
    awaitStable(size, remaining(deadline));
  }

  /** Starts a stopped or killed slot again (same ports, node id and data directory). */
  void restart(int index, Duration timeout) throws Exception {
    slots.get(index).start(timeout);
  }

  /** Starts spare slot {@code index} (≥ size): a new node joining (scale out). */
  void startSpare(int index, Duration timeout) throws Exception {
    if (index < size) throw new IllegalArgumentException("slot " + index + " is not a spare");
    slots.get(index).start(timeout);
  }

  /** Members as one node sees them: how many, and how many are Up and reachable. */
  record Membership(int members, int upReachable) {
    boolean stable(int n) {
      return members == n && upReachable == n;
    }
  }

  /** The membership as the first serving node that answers sees it, or empty. */
  Optional<Membership> membership() {
    for (NodeProcess n : serving()) {
      Optional<JsonNode> members = members(n);
      if (members.isPresent()) {
        Set<String> unreachable = new HashSet<>();
        for (JsonNode u : members.get().path("unreachable"))
          unreachable.add(u.path("node").asText());
        int all = 0;
        int up = 0;
        for (JsonNode m : members.get().path("members")) {
          all++;
          if ("Up".equals(m.path("status").asText())
              && !unreachable.contains(m.path("node").asText())) up++;
        }
        return Optional.of(new Membership(all, up));
      }
    }
    return Optional.empty();
  }

  /**
   * Waits until a serving node sees exactly {@code n} members, all Up and reachable (a dead member
   * removed, a new one joined). No-op outside cluster mode.
   */
  void awaitStable(int n, Duration timeout) throws InterruptedException {
    if (!clusterMode) return;
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<Membership> last = Optional.empty();
    while (System.nanoTime() < deadline) {
      last = membership();
      if (last.isPresent() && last.get().stable(n)) return;
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "the cluster did not become "
            + n
            + " Up members within "
            + timeout
            + " (last seen: "
            + last.map(String::valueOf).orElse("no answer")
            + "); nodes "
            + slots);
  }

  /** {@code GET /cluster/members} of one node's management port. */
  Optional<JsonNode> members(NodeProcess n) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + n.managementPort + "/cluster/members"))
                  .timeout(Duration.ofSeconds(3))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /**
   * {@code GET /admin/terminals/{mid}/{tid}} through any serving node (sharding finds the entity),
   * or empty when no node answers 200 within the attempts.
   */
  Optional<JsonNode> terminalView(String mid, String tid) throws InterruptedException {
    for (int attempt = 0; attempt < 5; attempt++) {
      for (NodeProcess n : serving()) {
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + n.httpPort
                                  + "/admin/terminals/"
                                  + mid
                                  + "/"
                                  + tid))
                      .header("Authorization", "Bearer " + ADMIN_TOKEN)
                      .timeout(Duration.ofSeconds(15))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) return Optional.of(JSON.readTree(r.body()));
        } catch (IOException e) {
          // try the next node
        }
      }
      Thread.sleep(1000);
    }
    return Optional.empty();
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
  }

  /** Kills every node still running (SIGCONT first for a suspended one). */
  @Override
  public void close() {
    for (NodeProcess n : slots) {
      try {
        n.close();
      } catch (Exception e) {
        // keep closing the others; ChildProcesses' hook is the last resort
      }
    }
  }
}
