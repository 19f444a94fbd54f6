package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remoting between nodes is TLS with mutual authentication in cluster mode: two nodes with
 * certificates of the cluster's truststore form a cluster, a node with another certificate cannot
 * join, and a cluster-mode node without a remoting keystore refuses to start outside demo mode.
 */
class ClusterTransportTest {
  static final String PASSWORD = "test-remoting-password";
  @TempDir Path dir;
  final List<ActorSystem<?>> systems = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ActorSystem<?> s : systems) s.terminate();
    for (ActorSystem<?> s : systems)
      s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void keytool(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(
        p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
        "keytool " + String.join(" ", args) + ": " + out);
  }

  Path keystore(String name) throws Exception {
    Path ks = dir.resolve(name + ".p12");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        "CN=" + name,
        "-storetype",
        "PKCS12",
        "-keystore",
        ks.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    return ks;
  }

  Path truststoreOf(Path keystore, String alias) throws Exception {
    Path cert = dir.resolve(alias + ".cer");
    Path ts = dir.resolve("trust-" + alias + ".p12");
    keytool(
        "-exportcert",
        "-alias",
        alias,
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        alias,
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        ts.toString(),
        "-storepass",
        PASSWORD);
    return ts;
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Config node(int port, int seedPort, Path keystore, Path truststore) {
    return ConfigFactory.parseMap(
            Map.of(
                "posp.mode",
                "cluster",
                "posp.cluster.remoting-keystore",
                keystore.toString(),
                "posp.cluster.remoting-keystore-password",
                PASSWORD,
                "posp.cluster.remoting-truststore",
                truststore.toString(),
                "posp.cluster.remoting-truststore-password",
                PASSWORD,
                "posp.cluster.allow-plain-remoting",
                "off",
                "pekko.actor.provider",
                "cluster",
                "pekko.remote.artery.canonical.hostname",
                "127.0.0.1",
                "pekko.remote.artery.canonical.port",
                String.valueOf(port),
                "pekko.cluster.seed-nodes",
                List.of("pekko://posp-tls@127.0.0.1:" + seedPort)))
        .withFallback(ConfigFactory.defaultReference());
  }

  ActorSystem<Void> start(Config config) {
    ActorSystem<Void> s =
        ActorSystem.create(Behaviors.empty(), "posp-tls", ClusterTransport.apply(config, false));
    systems.add(s);
    return s;
  }

  static long up(ActorSystem<?> s) {
    long n = 0;
    for (var m : Cluster.get(s).state().getMembers()) if (m.status() == MemberStatus.up()) n++;
    return n;
  }

  @Test
  void nodesOfTheTruststoreFormAClusterOverTlsAndAnotherCertificateCannotJoin() throws Exception {
    Path ks = keystore("node");
    Path trust = truststoreOf(ks, "node");
    int seed = freePort();
    ActorSystem<Void> first = start(node(seed, seed, ks, trust));
    assertEquals("tls-tcp", first.settings().config().getString("pekko.remote.artery.transport"));
    ActorSystem<Void> second = start(node(freePort(), seed, ks, trust));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && (up(first) < 2 || up(second) < 2)) Thread.sleep(100);
    assertEquals(2, up(first), "two trusted nodes form a cluster over TLS");

    // a node with a certificate the cluster does not trust (it trusts the cluster, so only the
    // cluster's side refuses it: mutual authentication)
    Path rogue = keystore("rogue");
    ActorSystem<Void> intruder = start(node(freePort(), seed, rogue, trust));
    Thread.sleep(8_000);
    assertEquals(
        2,
        Cluster.get(first).state().getMembers().spliterator().estimateSize(),
        "the intruder is not a member");
    assertTrue(Cluster.get(intruder).selfMember().status() != MemberStatus.up());
  }

  @Test
  void clusterModeWithoutRemotingKeystoreRefusesToStartOutsideDemo() {
    Config plain =
        ConfigFactory.parseMap(
            Map.of(
                "posp.mode",
                "cluster",
                "posp.cluster.remoting-keystore",
                "",
                "posp.cluster.allow-plain-remoting",
                "off"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ClusterTransport.apply(plain, false));
    assertTrue(e.getMessage().contains("POSP_REMOTE_KEYSTORE"), e.getMessage());
    assertEquals(plain, ClusterTransport.apply(plain, true), "demo mode may run without TLS");
    Config allowed =
        ConfigFactory.parseMap(
            Map.of(
                "posp.mode",
                "cluster",
                "posp.cluster.remoting-keystore",
                "",
                "posp.cluster.allow-plain-remoting",
                "on"));
    assertEquals(allowed, ClusterTransport.apply(allowed, false));
    Config single = ConfigFactory.parseMap(Map.of("posp.mode", "single"));
    assertEquals(
        single, ClusterTransport.apply(single, false), "a single node needs no remoting TLS");
  }
}
