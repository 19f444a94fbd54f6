package org.posp.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.pattern.StatusReply;
import org.posp.security.Hsm;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.terminal.MerchantEntity;
import org.posp.terminal.TerminalEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Demo mode: the in-process card bus of the demo assembly ({@link DemoCardBus}; both endpoints,
 * {@code core} for the bank's own BIN 622202 and {@code cups} for everything else, point at it),
 * merchant 898100012340001 (MCC 5411) with terminals 10000001–10000100, and the frozen merchant
 * 898100012340002 with terminal 20000001. Every demo terminal has the DEMO TMK below: it is
 * published and must never be used outside a demonstration.
 */
public final class DemoData {
  private static final Logger log = LoggerFactory.getLogger(DemoData.class);

  /** Double-length demo terminal master key, published: demo and tests only. */
  public static final String DEMO_TMK = "0123456789ABCDEFFEDCBA9876543210";

  public static final String MERCHANT = "898100012340001";
  public static final String FROZEN_MERCHANT = "898100012340002";
  public static final String FROZEN_TERMINAL = "20000001";
  public static final int FIRST_TERMINAL = 10000001;
  public static final int TERMINALS = 100;
  public static final String OWN_BIN = "622202";

  private DemoData() {}

  /**
   * Starts the demo card bus with the {@code posp.demo-data} settings; without a starter, says
   * where it is.
   */
  static DemoCardBus startCardBus(DemoCardBus.Starter starter, Config config) {
    if (starter == null) {
      throw new IllegalStateException(
          "demo mode runs the card-bus simulator in-process only in the demo assembly "
              + "(java -jar demo/target/posp-demo.jar); this jar has none: set posp.demo-data.card-bus-simulator = off "
              + "(POSP_DEMO_CARD_BUS_SIMULATOR=off) and configure posp.card-bus.endpoints");
    }
    DemoCardBus bus;
    try {
      bus =
          starter.start(
              config.getInt("posp.demo-data.card-bus-port"),
              config.getInt("posp.demo-data.card-bus-http-port"),
              config.getDuration("posp.demo-data.card-bus-late-delay"));
    } catch (Exception e) {
      throw new IllegalStateException(
          "demo card-bus simulator failed to start: " + e.getMessage(), e);
    }
    log.warn("DEMO mode: {}", bus.description());
    return bus;
  }

  /**
   * Points the {@code core} and {@code cups} endpoints at the demo card bus, with its clear ZPK.
   */
  static Config cardBusConfig(DemoCardBus bus) {
    String address = "127.0.0.1:" + bus.port();
    String endpoint =
        "{ addresses = [\"" + address + "\"], zpk { clear = \"" + bus.zpkHex() + "\" } }";
    return ConfigFactory.parseString(
        "posp.card-bus.endpoints { core = "
            + endpoint
            + ", cups = "
            + endpoint
            + " }\n"
            + "posp.card-bus.routes { bins { \""
            + OWN_BIN
            + "\" = core }, default = cups }\n");
  }

  /** Registers the demo merchants and provisions the demo terminals (idempotent). */
  static void provision(ActorSystem<?> system, Hsm hsm, Duration timeout) throws Exception {
    ClusterSharding sharding = ClusterSharding.get(system);
    LmkKey tmk = hsm.importClearKey(KeyType.TMK, HexFormat.of().parseHex(DEMO_TMK));
    List<CompletionStage<Done>> all = new ArrayList<>();
    all.add(
        register(
            system,
            sharding,
            new MerchantEntity.Profile(
                MERCHANT, "Demo supermarket", "5411", MerchantEntity.Status.ACTIVE, 0, 0, Set.of()),
            timeout));
    all.add(
        register(
            system,
            sharding,
            new MerchantEntity.Profile(
                FROZEN_MERCHANT,
                "Demo frozen merchant",
                "5812",
                MerchantEntity.Status.FROZEN,
                0,
                0,
                Set.of()),
            timeout));
    for (int i = 0; i < TERMINALS; i++) {
      all.add(
          provisionTerminal(
              system, sharding, MERCHANT, String.valueOf(FIRST_TERMINAL + i), tmk, timeout));
    }
    all.add(provisionTerminal(system, sharding, FROZEN_MERCHANT, FROZEN_TERMINAL, tmk, timeout));
    CompletableFuture.allOf(
            all.stream()
                .map(CompletionStage::toCompletableFuture)
                .toArray(CompletableFuture[]::new))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    log.warn(
        "DEMO mode: merchants {} (active) and {} (frozen), terminals {}..{} with the DEMO TMK (kcv {})",
        MERCHANT,
        FROZEN_MERCHANT,
        FIRST_TERMINAL,
        FIRST_TERMINAL + TERMINALS - 1,
        tmk.checkValue());
  }

  static CompletionStage<Done> register(
      ActorSystem<?> system, ClusterSharding sharding, MerchantEntity.Profile p, Duration timeout) {
    return retrying(
        system,
        timeout,
        () ->
            sharding
                .entityRefFor(MerchantEntity.TYPE_KEY, p.merchantId())
                .<StatusReply<Done>>ask(r -> new MerchantEntity.Register(p, r), ATTEMPT)
                .thenApply(StatusReply::getValue));
  }

  static CompletionStage<Done> provisionTerminal(
      ActorSystem<?> system,
      ClusterSharding sharding,
      String mid,
      String tid,
      LmkKey tmk,
      Duration timeout) {
    return retrying(
        system,
        timeout,
        () ->
            sharding
                .entityRefFor(TerminalEntity.TYPE_KEY, TerminalEntity.entityId(mid, tid))
                .<StatusReply<Done>>ask(
                    r -> new TerminalEntity.Provision(mid, tid, tmk, r), ATTEMPT)
                .thenApply(StatusReply::getValue));
  }

  private static final Duration ATTEMPT = Duration.ofSeconds(5);

  /**
   * Sharding delivers at most once (messages are dropped while a shard is handed over): ask again.
   */
  private static CompletionStage<Done> retrying(
      ActorSystem<?> system, Duration timeout, Callable<CompletionStage<Done>> ask) {
    int attempts = (int) Math.max(1, timeout.toMillis() / ATTEMPT.toMillis());
    return Patterns.retry(ask, attempts, Duration.ofMillis(200), system);
  }
}
