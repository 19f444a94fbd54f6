package org.posp.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import kamon.Kamon;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.stream.javadsl.Tcp;
import org.posp.channel.CardBus;
import org.posp.channel.CardBusSystem;
import org.posp.persistence.JournalSchema;
import org.posp.security.LmkSource;
import org.posp.security.SoftwareHsm;
import org.posp.terminal.MerchantEntity;
import org.posp.terminal.MerchantSettings;
import org.posp.terminal.TerminalEntity;
import org.posp.terminal.TerminalMetrics;
import org.posp.terminal.TerminalServices;
import org.posp.terminal.TerminalSettings;
import org.posp.terminal.UpstreamIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A switch node: the actor system (a cluster of one in single mode), the journal schema, the
 * security module, the card bus, sharded terminal and merchant entities, the terminal TCP/TLS
 * fronts, the HTTP front (smart POS {@code /iso8583} and the admin API) and Pekko Management. In
 * demo mode it provisions the demo merchants and terminals and, started by the demo assembly
 * ({@link DemoCardBus}), points the card bus at the simulator that assembly runs in-process on
 * loopback; this module holds no simulator.
 */
public final class SwitchNode implements AutoCloseable {
  /*
   * First of all, before any class loads ForkJoinPool (logback's async appender does, through the logger
   * below): Scala's CompletionStage adapter, behind every Pekko ask, runs even the non-async callbacks
   * (handle, thenApply, whenComplete) on CompletableFuture's default executor, the common pool. On a
   * 2-CPU machine its parallelism is 1, and then the JDK starts a new thread for every callback (50,000
   * threads a minute under load). A real pool instead:
   */
  static {
    String parallelism = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(parallelism) == null) {
      System.setProperty(
          parallelism, String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(SwitchNode.class);

  private final ActorSystem<Void> system;
  private final CardBusSystem cardBus;
  private final DemoCardBus demoCardBus;
  private final Tcp.ServerBinding terminalBinding;
  private final Tcp.ServerBinding tlsBinding;
  private final ServerBinding httpBinding;
  private final SoftwareHsm hsm;

  private SwitchNode(
      ActorSystem<Void> system,
      CardBusSystem cardBus,
      DemoCardBus demoCardBus,
      Tcp.ServerBinding terminalBinding,
      Tcp.ServerBinding tlsBinding,
      ServerBinding httpBinding,
      SoftwareHsm hsm) {
    this.system = system;
    this.cardBus = cardBus;
    this.demoCardBus = demoCardBus;
    this.terminalBinding = terminalBinding;
    this.tlsBinding = tlsBinding;
    this.httpBinding = httpBinding;
    this.hsm = hsm;
  }

  public static void main(String[] args) {
    run(null);
  }

  /**
   * What {@link #main} does, with the demo card bus of {@code demoCardBus} (null: none): loads the
   * configuration, starts the node, and exits the JVM when the node stops (1 if it failed to
   * start). The demo assembly's entry point calls it with the card-bus simulator.
   */
  public static void run(DemoCardBus.Starter demoCardBus) {
    // every configuration key can be forced from the environment:
    // CONFIG_FORCE_posp_card__bus_acquirer__id=...
    if (System.getProperty("config.override_with_env_vars") == null) {
      System.setProperty("config.override_with_env_vars", "true");
    }
    Config config = ConfigFactory.load();
    if (config.getBoolean("posp.metrics.enabled")) {
      // first, before the actor system: Kamon attaches its instrumentation agent to this JVM
      Kamon.init(AdminAuth.withoutClearToken(config));
    }
    SwitchNode node;
    try {
      node = start(config, demoCardBus);
      // the loaded configuration (with a clear admin token) is cached by the config library: drop
      // it
      config = null;
      ConfigFactory.invalidateCaches();
    } catch (RuntimeException e) {
      // Kamon's threads would keep a JVM that failed to start alive, neither ready nor gone
      log.error("the node failed to start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    node.system.getWhenTerminated().toCompletableFuture().join();
    System.exit(0);
  }

  /**
   * A node without a demo card bus: outside demo mode, or in demo mode with configured endpoints.
   */
  public static SwitchNode start(Config base) {
    return start(base, null);
  }

  /**
   * A node; in demo mode with {@code posp.demo-data.card-bus-simulator} on, {@code demoCardBus}
   * starts the card bus both demo endpoints point at (without one such a node refuses to start).
   * Outside demo mode {@code demoCardBus} is never used.
   */
  public static SwitchNode start(Config base, DemoCardBus.Starter demoCardBus) {
    Config config = base.resolve();
    boolean demo = config.getBoolean("posp.demo");
    // first (a weak admin token stops the start at once); only the token's hash stays: the clear
    // token is not in the configuration the node runs with
    AdminAuth adminAuth = AdminAuth.fromConfig(config, demo);
    config = AdminAuth.withoutClearToken(config);
    Path dataDir = Path.of(config.getString("posp.data-dir")).toAbsolutePath();
    try {
      Files.createDirectories(dataDir);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
    }
    JournalSchema.apply(config);
    SoftwareHsm hsm =
        SoftwareHsm.load(LmkSource.fromEnvironment(dataDir, demo))
            .useDataKeyVersion(
                config.getInt("posp.security.data-key-version"),
                config.getLong("posp.security.data-key-rotate-after"));

    DemoCardBus demoBus = null;
    if (demo && config.getBoolean("posp.demo-data.card-bus-simulator")) {
      demoBus = DemoData.startCardBus(demoCardBus, config);
      config = DemoData.cardBusConfig(demoBus).withFallback(config).resolve();
    }

    refuseClearKeys(config, demo);
    // before anything starts: a wrong value stops the start-up here, naming its key
    TerminalSettings terminalSettings = TerminalSettings.fromConfig(config);
    MerchantSettings merchantSettings = MerchantSettings.fromConfig(config);
    int nodeId = config.getInt("posp.node-id");
    // the node id travels as a cluster role so that two running nodes can never share it (RRN
    // uniqueness)
    config =
        ConfigFactory.parseString(
                "pekko.cluster.roles += \"" + ClusterMembership.roleOf(nodeId) + "\"")
            .withFallback(config)
            .resolve();
    config = ClusterTransport.apply(config, demo);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "posp", config);
    try {
      PekkoManagement.get(system).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      ClusterMembership.join(system, config);
      ClusterMembership.awaitUp(system, config.getDuration("posp.cluster.join-timeout"));
      ClusterMembership.refuseDuplicateNodeId(system, nodeId);
      CardBusSystem cardBus = CardBusSystem.start(system, config, hsm);
      ClusterSharding sharding = ClusterSharding.get(system);
      TerminalServices services =
          new TerminalServices(
              hsm,
              cardBus,
              new UpstreamIds(nodeId, Clock.systemDefaultZone()),
              terminalSettings,
              Clock.systemDefaultZone(),
              mid -> sharding.entityRefFor(MerchantEntity.TYPE_KEY, mid));
      sharding.init(
          Entity.of(
              MerchantEntity.TYPE_KEY,
              ctx -> MerchantEntity.create(ctx.getEntityId(), merchantSettings)));
      sharding.init(
          Entity.of(
                  TerminalEntity.TYPE_KEY,
                  ctx -> TerminalEntity.create(ctx.getEntityId(), services, ctx.getShard()))
              .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));

      if (demo) DemoData.provision(system, hsm, Duration.ofSeconds(60));
      // the store-and-forward gauges are computed from what the entities hosted here last reported
      system
          .scheduler()
          .scheduleAtFixedRate(
              Duration.ofSeconds(1),
              Duration.ofSeconds(1),
              TerminalMetrics::refreshStoreAndForward,
              system.executionContext());

      Config front = config.getConfig("posp.terminal-front");
      DatabaseHealth dbHealth =
          DatabaseHealth.watch(
              JournalSchema.Database.fromConfig(config),
              config.getDuration("posp.db.health-interval"),
              config.getDuration("posp.db.health-timeout"));
      system.getWhenTerminated().thenRun(dbHealth::close);
      // after the demo data: the provisioned terminals are read from the journal once, then looked
      // up
      TerminalDirectory directory =
          new TerminalDirectory(
                  JournalSchema.Database.fromConfig(config),
                  front.getDuration("unknown-terminal-ttl"))
              .load();
      system.getWhenTerminated().thenRun(directory::close);
      TerminalGateway gateway =
          new TerminalGateway(
              system,
              front.getDuration("ask-timeout"),
              front.getDuration("attempt-timeout"),
              dbHealth::down,
              directory);
      TerminalTcpServer tcp =
          new TerminalTcpServer(system, gateway, TerminalTcpServer.Limits.fromConfig(front));
      String host = front.getString("host");
      SSLContext ssl = TlsContexts.forFront(front, dataDir, demo);
      if (ssl == null && !front.getBoolean("plain")) {
        throw new IllegalStateException(
            "no terminal front: configure posp.terminal-front.tls-keystore "
                + "(POSP_TLS_KEYSTORE), or open the plain TCP port with posp.terminal-front.plain = on (POSP_TERMINAL_PLAIN)");
      }
      Tcp.ServerBinding plain = null;
      if (front.getBoolean("plain")) {
        if (!demo)
          log.warn(
              "the plain TCP terminal port is open: MACs and PIN blocks only protect the frames (see docs/operations.md)");
        plain =
            tcp.bindPlain(host, front.getInt("port"))
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
      }
      Tcp.ServerBinding tls = null;
      if (ssl != null) {
        tls =
            tcp.bindTls(host, front.getInt("tls-port"), ssl, TlsContexts.clientAuth(front))
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
      }
      var audit = system.systemActorOf(AdminAudit.create(nodeId), "admin-audit", Props.empty());
      ServerBinding http =
          HttpApi.bind(
                  system,
                  config.getString("posp.http.host"),
                  config.getInt("posp.http.port"),
                  gateway,
                  cardBus,
                  adminAuth,
                  audit,
                  new Provisioning(system, hsm, demo, TerminalSettings.singleDesAllowed(config)))
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      GracefulShutdown.register(
          system, tcp, Arrays.asList(plain, tls), http, front.getDuration("drain-timeout"));

      SwitchNode node = new SwitchNode(system, cardBus, demoBus, plain, tls, http, hsm);
      String ready =
          String.format(
              "POSP-NODE READY terminal-tcp=%s terminal-tls=%s http=%d management=%d%s",
              plain == null ? "-" : String.valueOf(plain.localAddress().getPort()),
              tls == null ? "-" : String.valueOf(tls.localAddress().getPort()),
              http.localAddress().getPort(),
              config.getInt("pekko.management.http.port"),
              demo
                  ? " (DEMO mode: demo data with the demo TMK"
                      + (demoBus == null ? ")" : ", " + demoBus.description() + ")")
                  : "");
      log.info(ready);
      // also on stdout, unbuffered by the logger: launchers and tests wait for this line
      System.out.println(ready);
      return node;
    } catch (Exception e) {
      system.terminate();
      if (demoBus != null) demoBus.close();
      throw new IllegalStateException("switch node failed to start: " + e.getMessage(), e);
    }
  }

  /**
   * Clear ZPKs are for demos and tests: a production node refuses them unless explicitly allowed.
   */
  static void refuseClearKeys(Config config, boolean demo) {
    if (demo || config.getBoolean("posp.security.allow-clear-keys")) return;
    Config endpoints = config.getConfig("posp.card-bus.endpoints");
    for (String name : endpoints.root().keySet()) {
      if (endpoints.hasPath(name + ".zpk.clear")) {
        throw new IllegalStateException(
            "card-bus endpoint "
                + name
                + " has a clear ZPK (zpk.clear): configure "
                + "zpk.under-lmk and zpk.check-value, or set posp.security.allow-clear-keys = on for a test system");
      }
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public CardBus cardBus() {
    return cardBus;
  }

  /** The plain TCP terminal port, or -1 when it is off. */
  public int terminalPort() {
    return terminalBinding == null ? -1 : terminalBinding.localAddress().getPort();
  }

  public int tlsPort() {
    return tlsBinding == null ? -1 : tlsBinding.localAddress().getPort();
  }

  public int httpPort() {
    return httpBinding.localAddress().getPort();
  }

  /** The in-process card bus of demo mode (the demo assembly's simulator), or null. */
  public DemoCardBus demoCardBus() {
    return demoCardBus;
  }

  public SoftwareHsm hsm() {
    return hsm;
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("actor system did not terminate in time: {}", e.getMessage());
    }
    if (demoCardBus != null) demoCardBus.close();
  }
}
