package org.posp.node;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node becomes a member: {@code single} joins itself (a cluster of one); {@code cluster}
 * joins the configured seed nodes ({@code pekko.cluster.seed-nodes}) or, when there are none, forms
 * or joins a cluster through Pekko Management's cluster bootstrap (config discovery locally, the
 * Kubernetes API in Kubernetes). Terminals are accepted only once the node is Up.
 */
final class ClusterMembership {
  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);

  private ClusterMembership() {}

  static String roleOf(int nodeId) {
    return "posp-node-" + nodeId;
  }

  static void join(ActorSystem<?> system, Config config) {
    Cluster cluster = Cluster.get(system);
    String mode = config.getString("posp.mode");
    switch (mode) {
      case "single" -> cluster.manager().tell(Join.create(cluster.selfMember().address()));
      case "cluster" -> {
        List<String> seeds = config.getStringList("pekko.cluster.seed-nodes");
        if (seeds.isEmpty()) {
          log.info(
              "no seed nodes configured: forming or joining the cluster through cluster bootstrap");
          ClusterBootstrap.get(system).start();
        } else {
          log.info("joining the cluster through the seed nodes {}", seeds);
        }
      }
      default ->
          throw new IllegalArgumentException("posp.mode must be single or cluster, not " + mode);
    }
  }

  static void awaitUp(ActorSystem<?> system, Duration timeout) throws InterruptedException {
    Cluster cluster = Cluster.get(system);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the node did not become Up within "
                + timeout
                + " (status "
                + cluster.selfMember().status()
                + "): check the seed nodes / bootstrap and the other nodes");
      }
      Thread.sleep(50);
    }
    log.info(
        "cluster member {} is Up ({} members)",
        cluster.selfMember().address(),
        cluster.state().getMembers().spliterator().estimateSize());
  }

  /** Fails the start-up when another Up member carries the same node id (RRNs would collide). */
  static void refuseDuplicateNodeId(ActorSystem<?> system, int nodeId) {
    Cluster cluster = Cluster.get(system);
    String role = roleOf(nodeId);
    for (Member m : cluster.state().getMembers()) {
      if (!m.equals(cluster.selfMember())
          && m.hasRole(role)
          && (m.status() == MemberStatus.up()
              || m.status() == MemberStatus.joining()
              || m.status() == MemberStatus.weaklyUp())) {
        throw new IllegalStateException(
            "posp.node-id "
                + nodeId
                + " is already used by the running member "
                + m.address()
                + ": every node needs its own node id (0..99)");
      }
    }
  }
}
