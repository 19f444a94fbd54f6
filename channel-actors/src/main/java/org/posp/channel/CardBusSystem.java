package org.posp.channel;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.CircuitBreaker;
import org.jpos.iso.ISOMsg;
import org.posp.channel.CardBusResult.NotSentReason;
import org.posp.channel.CardBusSettings.EndpointSettings;
import org.posp.channel.CardBusSettings.ZpkSource;
import org.posp.channel.cmf.CmfCodec;
import org.posp.channel.cmf.CmfException;
import org.posp.channel.link.LinkBoard;
import org.posp.channel.mux.EndpointActor;
import org.posp.channel.route.RouteTable;
import org.posp.security.Hsm;
import org.posp.security.HsmException;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.terminal.codec.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The card bus of one node (docs/protocol/card-bus.md): one supervised endpoint actor (MUX +
 * breaker) per configured endpoint, each with its own links, and a route table that can be replaced
 * at run time.
 *
 * <p>{@link #send} routes the request, translates its PIN block to the endpoint's ZPK inside the
 * {@link Hsm} and packs the CMF message off the caller's thread (on Pekko's blocking dispatcher, as
 * a network HSM may be slow), then hands it to the endpoint actor.
 */
public final class CardBusSystem implements CardBus {

  private static final Logger LOG = LoggerFactory.getLogger(CardBusSystem.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** How much longer than the endpoint timeout the ask to the endpoint actor may take. */
  private static final Duration ASK_MARGIN = Duration.ofSeconds(5);

  private record Endpoint(
      EndpointSettings settings,
      ActorRef<EndpointActor.Command> ref,
      CircuitBreaker breaker,
      LinkBoard board,
      AtomicLong lateReplies,
      LmkKey zpk) {}

  /** A packed request, ready for the endpoint. */
  private record Packed(String key, String rrn, String mti, String maskedPan, byte[] frame) {}

  /**
   * Outcome of preparing a request: the packed message, or a result that ends it before sending.
   */
  private record Prepared(Packed packed, CardBusResult refusal) {}

  private final ActorSystem<?> system;
  private final CardBusSettings settings;
  private final Hsm hsm;
  private final Map<String, Endpoint> endpoints;
  private final AtomicReference<RouteTable> routes;
  private final Executor blocking;
  private final AtomicReference<CompletableFuture<Done>> stopped = new AtomicReference<>();

  private CardBusSystem(
      ActorSystem<?> system, CardBusSettings settings, Hsm hsm, Map<String, Endpoint> endpoints) {
    this.system = system;
    this.settings = settings;
    this.hsm = hsm;
    this.endpoints = endpoints;
    this.routes = new AtomicReference<>(checked(settings.routes(), endpoints.keySet()));
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /**
   * Starts the card bus described by {@code posp.card-bus} in {@code config}; no late-reply
   * listener.
   */
  public static CardBusSystem start(ActorSystem<?> system, Config config, Hsm hsm) {
    return start(system, config, hsm, null);
  }

  /**
   * Starts the card bus described by {@code posp.card-bus} in {@code config} (this module's
   * reference.conf supplies the defaults).
   *
   * @param hsm imports the endpoints' ZPKs and translates PIN blocks; may be null only when no
   *     endpoint has a ZPK (requests with a PIN are then not sent: NO_ZPK)
   * @param lateReplyListener told about every late reply, or null
   * @throws IllegalArgumentException when the configuration is invalid (the message names the key)
   */
  public static CardBusSystem start(
      ActorSystem<?> system, Config config, Hsm hsm, LateReplyListener lateReplyListener) {
    Config full =
        config
            .withFallback(ConfigFactory.defaultReference(CardBusSystem.class.getClassLoader()))
            .resolve();
    CardBusSettings settings = CardBusSettings.fromConfig(full);
    checked(settings.routes(), endpointNames(settings));
    int instance = INSTANCES.incrementAndGet();
    Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    for (EndpointSettings e : settings.endpoints()) {
      LmkKey zpk = importZpk(e, hsm);
      CircuitBreaker breaker =
          CircuitBreaker.create(
              system.classicSystem().scheduler(),
              e.breakerMaxFailures(),
              e.timeout().plusSeconds(2),
              e.breakerResetTimeout());
      String name = e.name();
      breaker.addOnOpenListener(
          () ->
              LOG.warn(
                  "card-bus endpoint {}: circuit breaker OPEN after {} consecutive failures; requests are not sent for {} ms",
                  name,
                  e.breakerMaxFailures(),
                  e.breakerResetTimeout().toMillis()));
      breaker.addOnHalfOpenListener(
          () ->
              LOG.info(
                  "card-bus endpoint {}: circuit breaker half-open, next request probes", name));
      breaker.addOnCloseListener(
          () -> LOG.info("card-bus endpoint {}: circuit breaker closed", name));
      breaker.addOnOpenListener(() -> CardBusMetrics.breaker(name, true));
      breaker.addOnHalfOpenListener(() -> CardBusMetrics.breaker(name, false));
      breaker.addOnCloseListener(() -> CardBusMetrics.breaker(name, false));
      CardBusMetrics.register(name);
      LinkBoard board = new LinkBoard(name);
      AtomicLong late = new AtomicLong();
      ActorRef<EndpointActor.Command> ref =
          system.systemActorOf(
              Behaviors.supervise(
                      EndpointActor.create(settings, e, breaker, board, late, lateReplyListener))
                  .onFailure(Exception.class, SupervisorStrategy.restart()),
              "card-bus-" + instance + "-" + name,
              Props.empty());
      endpoints.put(name, new Endpoint(e, ref, breaker, board, late, zpk));
      LOG.info(
          "card-bus endpoint {}: {} x {} links, strategy {}, timeout {} ms",
          name,
          e.addresses(),
          e.linksPerAddress(),
          e.strategy(),
          e.timeout().toMillis());
    }
    return new CardBusSystem(system, settings, hsm, endpoints);
  }

  private static Set<String> endpointNames(CardBusSettings settings) {
    Set<String> names = new TreeSet<>();
    settings.endpoints().forEach(e -> names.add(e.name()));
    return names;
  }

  private static LmkKey importZpk(EndpointSettings e, Hsm hsm) {
    ZpkSource source = e.zpk();
    if (source instanceof ZpkSource.None) return null;
    if (hsm == null) {
      throw new IllegalArgumentException(
          "posp.card-bus.endpoints." + e.name() + ".zpk is set but no Hsm was given");
    }
    if (source instanceof ZpkSource.Clear clear) {
      LOG.warn(
          "card-bus endpoint {}: ZPK imported from a CLEAR key in the configuration: demo/test use only",
          e.name());
      return hsm.importClearKey(KeyType.ZPK, clear.key());
    }
    ZpkSource.UnderLmk lmk = (ZpkSource.UnderLmk) source;
    return hsm.importLmkKey(KeyType.ZPK, lmk.cryptogramHex(), lmk.checkValue());
  }

  private static RouteTable checked(RouteTable table, Set<String> configured) {
    List<String> unknown = new ArrayList<>();
    for (String name : table.endpoints()) {
      if (!configured.contains(name)) unknown.add(name);
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "route table names endpoints that are not configured: "
              + unknown
              + " (configured: "
              + configured
              + ")");
    }
    return table;
  }

  @Override
  public CompletionStage<CardBusResult> send(CardBusRequest request) {
    if (request == null || request.operation() == null) {
      return done(
          new CardBusResult.NotSent(
              null, NotSentReason.INVALID_REQUEST, "request without an operation"));
    }
    if (stopped.get() != null) {
      return done(new CardBusResult.NotSent(null, NotSentReason.STOPPED, "card bus stopped"));
    }
    Optional<String> route = routes.get().route(request);
    if (route.isEmpty()) {
      LOG.warn("card bus: no route for {}", request);
      return done(new CardBusResult.NotSent(null, NotSentReason.NO_ROUTE, "no route"));
    }
    Endpoint ep = endpoints.get(route.get());
    if (ep == null) {
      // cannot happen with a checked table, kept as a clear answer rather than an exception
      return done(
          new CardBusResult.NotSent(
              route.get(),
              NotSentReason.ENDPOINT_NOT_CONFIGURED,
              "endpoint " + route.get() + " not configured"));
    }
    Instant now = Instant.now();
    long start = System.nanoTime();
    return CompletableFuture.supplyAsync(() -> prepare(request, ep, now), blocking)
        .thenCompose(
            p ->
                p.refusal != null
                    ? done(p.refusal)
                    : CardBusMetrics.timed(ep.settings.name(), start, ask(ep, p.packed)));
  }

  private CompletionStage<CardBusResult> ask(Endpoint ep, Packed submit) {
    CompletableFuture<CardBusResult> out = new CompletableFuture<>();
    AskPattern.<EndpointActor.Command, CardBusResult>ask(
            ep.ref,
            replyTo ->
                new EndpointActor.Submit(
                    submit.key(),
                    submit.rrn(),
                    submit.mti(),
                    submit.maskedPan(),
                    submit.frame(),
                    replyTo),
            ep.settings.timeout().plus(ASK_MARGIN),
            system.scheduler())
        .whenComplete(
            (result, error) -> {
              if (error == null) {
                out.complete(result);
              } else {
                // the endpoint may have written the request before failing: unknown outcome
                LOG.error(
                    "card-bus endpoint {}: no answer from the endpoint actor for rrn={}: {}",
                    ep.settings.name(),
                    submit.rrn(),
                    error.toString());
                out.complete(new CardBusResult.TimedOut(ep.settings.name()));
              }
            });
    return out;
  }

  private Prepared prepare(CardBusRequest request, Endpoint ep, Instant now) {
    String name = ep.settings.name();
    try {
      byte[] pinUnderZpk = null;
      if (request.pin() != null) {
        if (request.pin().pinBlock() == null || request.pin().pik() == null) {
          return refused(
              request,
              new CardBusResult.NotSent(
                  name, NotSentReason.INVALID_REQUEST, "PIN data without block or PIK"));
        }
        if (ep.zpk == null || hsm == null) {
          return refused(
              request,
              new CardBusResult.NotSent(
                  name,
                  NotSentReason.NO_ZPK,
                  "endpoint " + name + " has no ZPK for PIN translation"));
        }
        String pan = request.effectivePan();
        if (pan == null) {
          return refused(
              request,
              new CardBusResult.NotSent(name, NotSentReason.INVALID_REQUEST, "PIN without a PAN"));
        }
        pinUnderZpk = hsm.translatePin(request.pin().pik(), ep.zpk, request.pin().pinBlock(), pan);
      }
      ISOMsg msg = CmfCodec.request(request, settings.acquirerId(), pinUnderZpk, now);
      byte[] frame = CmfCodec.pack(msg);
      if (frame.length > settings.maxFrameBytes()) {
        return refused(
            request,
            new CardBusResult.NotSent(
                name,
                NotSentReason.INVALID_REQUEST,
                "message of "
                    + frame.length
                    + " bytes exceeds max-frame-bytes "
                    + settings.maxFrameBytes()));
      }
      return new Prepared(
          new Packed(
              CmfCodec.matchKey(msg),
              request.rrn(),
              msg.getString(0),
              Masking.pan(request.effectivePan()),
              frame),
          null);
    } catch (HsmException e) {
      if (e.reason() == HsmException.Reason.PIN_FORMAT) {
        return refused(
            request,
            new CardBusResult.NotSent(
                name, NotSentReason.PIN_REFUSED, "PIN block refused: " + e.getMessage()));
      }
      return refused(
          request,
          new CardBusResult.NotSent(
              name,
              NotSentReason.SECURITY_MODULE,
              "security module " + e.reason() + ": " + e.getMessage()));
    } catch (CmfException e) {
      return refused(
          request,
          new CardBusResult.NotSent(
              name, NotSentReason.INVALID_REQUEST, "invalid request: " + e.getMessage()));
    } catch (RuntimeException e) {
      LOG.error("card-bus endpoint {}: cannot prepare {}", name, request, e);
      return refused(
          request,
          new CardBusResult.NotSent(
              name, NotSentReason.INTERNAL, "internal error: " + e.getClass().getSimpleName()));
    }
  }

  private static Prepared refused(CardBusRequest request, CardBusResult.NotSent result) {
    LOG.warn(
        "card-bus endpoint {}: {} not sent: {}", result.endpoint(), request, result.describe());
    return new Prepared(null, result);
  }

  @Override
  public List<EndpointStatus> status() {
    List<EndpointStatus> out = new ArrayList<>();
    endpoints
        .values()
        .forEach(
            ep ->
                out.add(
                    new EndpointStatus(
                        ep.settings.name(),
                        breakerState(ep.breaker),
                        ep.board.readyCount(),
                        ep.settings.addresses().size() * ep.settings.linksPerAddress(),
                        ep.board.describe())));
    return out;
  }

  private static String breakerState(CircuitBreaker b) {
    if (b.isOpen()) return "open";
    if (b.isHalfOpen()) return "half-open";
    return "closed";
  }

  /**
   * Replaces the route table at run time (no restart); every endpoint it names must be configured.
   */
  public void updateRoutes(RouteTable table) {
    if (table == null) throw new IllegalArgumentException("route table is null");
    RouteTable old = routes.getAndSet(checked(table, endpoints.keySet()));
    LOG.info(
        "card-bus route table replaced: {} BIN prefixes (was {}), transfer={}, default={}",
        table.bins().size(),
        old.bins().size(),
        table.transferEndpoint(),
        table.defaultEndpoint());
  }

  /** The route table in force. */
  public RouteTable routes() {
    return routes.get();
  }

  /** The validated settings this card bus runs with. */
  public CardBusSettings settings() {
    return settings;
  }

  /** Late replies received on an endpoint since start (0 for an unknown endpoint). */
  public long lateReplies(String endpoint) {
    Endpoint ep = endpoints.get(endpoint);
    return ep == null ? 0 : ep.lateReplies.get();
  }

  /**
   * Completes when every endpoint has at least one ready link, or fails with a {@link
   * TimeoutException} naming the endpoints that have none after {@code max}.
   */
  public CompletionStage<Done> awaitReady(Duration max) {
    return awaitReady(endpoints.keySet(), max);
  }

  /** As {@link #awaitReady(Duration)} for one endpoint. */
  public CompletionStage<Done> awaitReady(String endpoint, Duration max) {
    if (!endpoints.containsKey(endpoint)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("unknown card-bus endpoint " + endpoint));
    }
    return awaitReady(Set.of(endpoint), max);
  }

  private CompletionStage<Done> awaitReady(Set<String> names, Duration max) {
    CompletableFuture<Done> f = new CompletableFuture<>();
    pollReady(f, names, System.nanoTime() + max.toNanos(), max);
    return f;
  }

  private void pollReady(
      CompletableFuture<Done> f, Set<String> names, long deadline, Duration max) {
    List<String> notReady = new ArrayList<>();
    for (String n : names) {
      if (endpoints.get(n).board.readyCount() == 0) notReady.add(n);
    }
    if (notReady.isEmpty()) {
      f.complete(Done.getInstance());
    } else if (System.nanoTime() - deadline > 0) {
      f.completeExceptionally(
          new TimeoutException(
              "card-bus endpoints without a ready link after "
                  + max.toMillis()
                  + " ms: "
                  + notReady));
    } else {
      system
          .scheduler()
          .scheduleOnce(
              Duration.ofMillis(25),
              () -> pollReady(f, names, deadline, max),
              system.executionContext());
    }
  }

  /** Stops every endpoint and closes its links; requests still outstanding complete as TimedOut. */
  public CompletionStage<Done> stop() {
    CompletableFuture<Done> mine = new CompletableFuture<>();
    if (!stopped.compareAndSet(null, mine)) return stopped.get();
    List<CompletableFuture<Done>> all = new ArrayList<>();
    for (Endpoint ep : endpoints.values()) {
      all.add(
          AskPattern.<EndpointActor.Command, Done>ask(
                  ep.ref, EndpointActor.Stop::new, Duration.ofSeconds(10), system.scheduler())
              .toCompletableFuture());
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                mine.completeExceptionally(e);
              } else {
                LOG.info("card bus stopped");
                mine.complete(Done.getInstance());
              }
            });
    return mine;
  }

  private static CompletionStage<CardBusResult> done(CardBusResult r) {
    return CompletableFuture.completedFuture(r);
  }
}
