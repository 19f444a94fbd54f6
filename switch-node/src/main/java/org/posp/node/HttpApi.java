package org.posp.node;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Complete;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;
import org.posp.channel.CardBus;
import org.posp.channel.CardBusSystem;
import org.posp.channel.route.RouteTable;
import org.posp.terminal.MerchantEntity;
import org.posp.terminal.TerminalEntity;
import org.posp.terminal.TerminalState;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalFrame;
import scala.concurrent.duration.FiniteDuration;

/**
 * The HTTP front of a node: {@code POST /iso8583} for smart POS (body = TPDU + header + ISO body,
 * no length prefix, content type {@code x-ISO-TPDU/x-auth}), {@code GET /health}, and the admin API
 * under {@code /admin} (bearer token, bodies up to {@link #MAX_ADMIN_BODY} bytes, changes audited).
 * Every error is an RFC 9457 problem document ({@link Problems}).
 */
final class HttpApi extends AllDirectives {
  static final ContentType ISO =
      ContentTypes.create(MediaTypes.customBinary("x-ISO-TPDU", "x-auth", false));
  static final long MAX_ADMIN_BODY = 64 * 1024;
  private static final Duration ASK = Duration.ofSeconds(10);

  /** The HTTP request timeout is the gateway's ask timeout plus this. */
  private static final Duration HTTP_TIMEOUT_MARGIN = Duration.ofSeconds(15);

  private final ActorSystem<?> system;
  private final TerminalGateway gateway;
  private final CardBusSystem cardBus;
  private final AdminAuth auth;
  private final ActorRef<AdminAudit.Command> audit;
  private final ClusterSharding sharding;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private final Provisioning provisioning;
  private final Problems problems = new Problems();

  private HttpApi(
      ActorSystem<?> system,
      TerminalGateway gateway,
      CardBusSystem cardBus,
      AdminAuth auth,
      ActorRef<AdminAudit.Command> audit,
      Provisioning provisioning) {
    this.system = system;
    this.gateway = gateway;
    this.cardBus = cardBus;
    this.auth = auth;
    this.audit = audit;
    this.provisioning = provisioning;
    this.sharding = ClusterSharding.get(system);
  }

  static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system,
      String host,
      int port,
      TerminalGateway gateway,
      CardBusSystem cardBus,
      AdminAuth auth,
      ActorRef<AdminAudit.Command> audit,
      Provisioning provisioning) {
    HttpApi api = new HttpApi(system, gateway, cardBus, auth, audit, provisioning);
    return Http.get(system).newServerAt(host, port).bind(api.routes());
  }

  Route routes() {
    return problems.handled(
        () ->
            concat(
                path("iso8583", () -> post(this::iso8583)),
                path("health", () -> get(() -> complete("OK"))),
                pathPrefix(
                    "admin",
                    () ->
                        withSizeLimit(
                            MAX_ADMIN_BODY,
                            () ->
                                extractRequest(
                                    request ->
                                        extractClientIP(
                                            client ->
                                                optionalHeaderValueByName(
                                                    "Authorization",
                                                    authorization -> {
                                                      Optional<String> who =
                                                          auth.principal(
                                                              authorization.orElse(null));
                                                      if (who.isEmpty()) {
                                                        AdminAudit.AUDIT_LOG.warn(
                                                            "refused {} {} from {}: {}",
                                                            request.method().value(),
                                                            AdminAudit.printable(
                                                                request
                                                                    .getUri()
                                                                    .toRelative()
                                                                    .toString()),
                                                            remote(client),
                                                            authorization.isPresent()
                                                                ? "the bearer token matches no admin token"
                                                                : "no bearer token");
                                                        return complete(
                                                            Problems.response(
                                                                    StatusCodes.UNAUTHORIZED,
                                                                    "unauthorized",
                                                                    auth.enabled()
                                                                        ? "a valid bearer token is required"
                                                                        : "the admin API is disabled: set POSP_ADMIN_TOKEN")
                                                                .addHeader(
                                                                    HttpHeader.parse(
                                                                        "WWW-Authenticate",
                                                                        "Bearer")));
                                                      }
                                                      return audited(
                                                          who.get(), request, remote(client));
                                                    })))))));
  }

  /**
   * The admin routes for one authenticated request. A request that changes something (any method
   * but GET and HEAD) is audited once answered: an accepted change (one that passed validation and
   * was given to an entity, the card bus or the cluster, whatever its outcome) is logged and
   * persisted by {@link AdminAudit} before the answer leaves; a refused one is logged only.
   */
  private Route audited(String who, HttpRequest request, String client) {
    String method = request.method().value();
    if (method.equals("GET") || method.equals("HEAD"))
      return problems.handled(() -> admin(new AtomicReference<>()));
    AtomicReference<String> change = new AtomicReference<>();
    return mapRouteResultFuture(
        result ->
            result.thenCompose(
                r -> {
                  if (!(r instanceof Complete c))
                    return CompletableFuture.completedFuture(r); // not reached: handled below
                  HttpResponse response = c.getResponse();
                  AdminAudit.Entry entry =
                      new AdminAudit.Entry(
                          Instant.now().toString(),
                          who,
                          client,
                          method,
                          AdminAudit.printable(request.getUri().toRelative().toString()),
                          AdminAudit.printable(change.get()),
                          response.status().intValue(),
                          outcome(response));
                  if (change.get() == null) {
                    AdminAudit.AUDIT_LOG.warn("refused {}", entry);
                    return CompletableFuture.completedFuture(r);
                  }
                  return AskPattern.<AdminAudit.Command, Done>ask(
                          audit,
                          reply -> new AdminAudit.Append(entry, reply),
                          ASK,
                          system.scheduler())
                      .handle(
                          (done, failure) -> {
                            if (failure == null) {
                              AdminAudit.AUDIT_LOG.info("{}", entry);
                            } else {
                              AdminAudit.AUDIT_LOG.error(
                                  "NOT PERSISTED ({}): {}",
                                  failure.getClass().getSimpleName(),
                                  entry);
                            }
                            return r;
                          });
                }),
        () -> problems.handled(() -> admin(change)));
  }

  private static String remote(RemoteAddress client) {
    return client.getAddress().map(a -> a.getHostAddress()).orElse("unknown");
  }

  /** The status's reason, and a problem document's detail. */
  private String outcome(HttpResponse response) {
    String reason = response.status().reason();
    if (response.entity() instanceof HttpEntity.Strict s
        && Problems.PROBLEM.equals(s.getContentType())) {
      try {
        return reason + ": " + json.readTree(s.getData().toArray()).path("detail").asText();
      } catch (Exception e) {
        return reason;
      }
    }
    return reason;
  }

  /**
   * The entity's answer to an idempotent admin command: 200, 409 with its reason, or 503 when it
   * did not answer in time (a shard being allocated or moved: the same request may simply be sent
   * again).
   */
  private Route answered(CompletionStage<StatusReply<Done>> done, String ok, String what) {
    return onComplete(
        done,
        t -> {
          if (t.isFailure()) {
            return problem(
                StatusCodes.SERVICE_UNAVAILABLE,
                "no answer",
                what
                    + " did not answer in time ("
                    + t.failed().get().getClass().getSimpleName()
                    + "); the request is idempotent: send it again");
          }
          StatusReply<Done> d = t.get();
          return d.isSuccess()
              ? complete(StatusCodes.OK, ok)
              : problem(StatusCodes.CONFLICT, "refused", d.getError().getMessage());
        });
  }

  /**
   * {@code POST /iso8583}: the same rules as the TCP front. The body limit (one frame) is enforced
   * before anything is buffered (413); the request timeout is longer than the gateway's ask
   * timeout, so the gateway always decides; should the response still not be delivered (timed out),
   * the entity is told that the reply did not reach the terminal (it reverses an approval it
   * started), as for a closed TCP connection. A frame that cannot be answered at all (not a request
   * MTI) gets 400.
   */
  private Route iso8583() {
    AtomicBoolean undeliverable = new AtomicBoolean();
    FiniteDuration timeout =
        FiniteDuration.create(
            gateway.askTimeout().plus(HTTP_TIMEOUT_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
    return withRequestTimeout(
        timeout,
        request -> {
          undeliverable.set(true);
          return Problems.response(
              StatusCodes.SERVICE_UNAVAILABLE,
              "no reply",
              "the switch did not answer in time; the terminal must reverse as after a timeout");
        },
        () ->
            extractRequestEntity(
                entity -> {
                  OptionalLong declared = entity.getContentLengthOption();
                  if (declared.isPresent()
                      && declared.getAsLong() > TerminalFrame.MAX_FRAME_LENGTH) {
                    return tooLarge(declared.getAsLong() + " bytes");
                  }
                  return onComplete(
                      entity.toStrict(
                          gateway.askTimeout().toMillis(), TerminalFrame.MAX_FRAME_LENGTH, system),
                      strict ->
                          strict.isSuccess()
                              ? iso8583(strict.get().getData().toArray(), undeliverable)
                              : tooLarge("more than " + TerminalFrame.MAX_FRAME_LENGTH + " bytes"));
                }));
  }

  private Route tooLarge(String size) {
    return problem(
        StatusCodes.PAYLOAD_TOO_LARGE,
        "frame too large",
        "a terminal frame is at most "
            + TerminalFrame.MAX_FRAME_LENGTH
            + " bytes; the body has "
            + size);
  }

  private Route iso8583(byte[] body, AtomicBoolean undeliverable) {
    TerminalFrame frame;
    try {
      if (body.length < TerminalFrame.MIN_FRAME_LENGTH
          || body.length > TerminalFrame.MAX_FRAME_LENGTH) {
        throw new TerminalFormatException(
            0,
            "body of "
                + body.length
                + " bytes outside "
                + TerminalFrame.MIN_FRAME_LENGTH
                + ".."
                + TerminalFrame.MAX_FRAME_LENGTH);
      }
      frame = TerminalFrame.parse(body);
    } catch (TerminalFormatException e) {
      return problem(StatusCodes.BAD_REQUEST, "framing error", e.getMessage());
    }
    return onComplete(
        gateway.handle(frame, "http", undeliverable::get),
        t -> {
          if (t.isFailure()) {
            Throwable cause = t.failed().get();
            if (cause instanceof CompletionException && cause.getCause() != null)
              cause = cause.getCause();
            if (cause instanceof TerminalGateway.UnanswerableFrame) {
              return problem(StatusCodes.BAD_REQUEST, "not a terminal request", cause.getMessage());
            }
            return problem(
                StatusCodes.INTERNAL_SERVER_ERROR,
                "switch failure",
                "the request failed; the terminal must reverse");
          }
          return t.get()
              .map(
                  f -> {
                    byte[] encoded = f.encode();
                    return complete(
                        HttpResponse.create()
                            .withEntity(
                                HttpEntities.create(
                                    ISO, Arrays.copyOfRange(encoded, 2, encoded.length))));
                  })
              .orElseGet(
                  () ->
                      problem(
                          StatusCodes.GATEWAY_TIMEOUT,
                          "no reply",
                          "the terminal entity gave no reply; the terminal must reverse as after a timeout"));
        });
  }

  /**
   * The admin routes; {@code change} receives what an accepted change does (for the audit trail).
   */
  private Route admin(AtomicReference<String> change) {
    return concat(
        path(
            segment("terminals").slash(segment()).slash(segment()),
            (mid, tid) ->
                ids(
                    mid,
                    tid,
                    () ->
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        terminal(mid, tid)
                                            .<TerminalState>ask(TerminalEntity.GetState::new, ASK),
                                        s -> jsonResponse(TerminalView.of(s, json)))),
                            put(
                                () ->
                                    entity(
                                        Unmarshaller.entityToString(),
                                        body -> {
                                          Provisioning.Result r =
                                              provisioning.terminal(mid, tid, body);
                                          if (r.error() != null)
                                            return problem(
                                                StatusCodes.BAD_REQUEST,
                                                "invalid provisioning",
                                                r.error());
                                          change.set(r.change());
                                          return answered(
                                              r.done(),
                                              "provisioned",
                                              "terminal " + mid + "/" + tid);
                                        }))))),
        path(
            segment("terminals").slash(segment()).slash(segment()).slash("require-sign-on"),
            (mid, tid) ->
                ids(
                    mid,
                    tid,
                    () ->
                        post(
                            () -> {
                              change.set("require a new sign-on of terminal " + mid + "/" + tid);
                              return onSuccess(
                                  terminal(mid, tid)
                                      .<StatusReply<Done>>ask(
                                          TerminalEntity.RequireSignOn::new, ASK),
                                  r ->
                                      r.isSuccess()
                                          ? complete(StatusCodes.ACCEPTED, "sign-on required")
                                          : problem(
                                              StatusCodes.CONFLICT,
                                              "refused",
                                              r.getError().getMessage()));
                            }))),
        path(
            segment("merchants").slash(segment()),
            mid ->
                ids(
                    mid,
                    null,
                    () ->
                        concat(
                            put(
                                () ->
                                    entity(
                                        Unmarshaller.entityToString(),
                                        body -> {
                                          Provisioning.Result r = provisioning.merchant(mid, body);
                                          if (r.error() != null)
                                            return problem(
                                                StatusCodes.BAD_REQUEST,
                                                "invalid merchant",
                                                r.error());
                                          change.set(r.change());
                                          return answered(
                                              r.done(), "registered", "merchant " + mid);
                                        })),
                            get(
                                () ->
                                    onSuccess(
                                        merchant(mid)
                                            .<MerchantEntity.State>ask(
                                                MerchantEntity.Get::new, ASK),
                                        s ->
                                            s.profile() == null
                                                ? problem(
                                                    StatusCodes.NOT_FOUND,
                                                    "not found",
                                                    "merchant " + mid + " unknown")
                                                : jsonResponse(json.valueToTree(s))))))),
        path(
            segment("merchants").slash(segment()).slash("status").slash(segment()),
            (mid, status) ->
                ids(
                    mid,
                    null,
                    () ->
                        put(
                            () -> {
                              Optional<MerchantEntity.Status> st =
                                  Arrays.stream(MerchantEntity.Status.values())
                                      .filter(v -> v.name().equalsIgnoreCase(status))
                                      .findFirst();
                              if (st.isEmpty()) {
                                return problem(
                                    StatusCodes.BAD_REQUEST,
                                    "bad status",
                                    "status must be ACTIVE, FROZEN or CLOSED");
                              }
                              change.set("set the status of merchant " + mid + " to " + st.get());
                              return onSuccess(
                                  merchant(mid)
                                      .<StatusReply<Done>>ask(
                                          r -> new MerchantEntity.SetStatus(st.get(), r), ASK),
                                  r ->
                                      r.isSuccess()
                                          ? complete(StatusCodes.OK, "status " + st.get())
                                          : problem(
                                              StatusCodes.NOT_FOUND,
                                              "refused",
                                              r.getError().getMessage()));
                            }))),
        path(
            "routes",
            () ->
                concat(
                    get(() -> jsonResponse(json.valueToTree(cardBus.routes()))),
                    put(
                        () ->
                            entity(
                                Unmarshaller.entityToString(),
                                body -> {
                                  try {
                                    RouteTable table = provisioning.routeTable(body);
                                    cardBus.updateRoutes(table);
                                    change.set(
                                        "replace the route table: " + Provisioning.summary(table));
                                    return jsonResponse(json.valueToTree(cardBus.routes()));
                                  } catch (IllegalArgumentException e) {
                                    return problem(
                                        StatusCodes.BAD_REQUEST,
                                        "invalid route table",
                                        e.getMessage());
                                  }
                                })))),
        path(
            "audit",
            () ->
                get(
                    () ->
                        parameterOptional(
                            "limit",
                            limit -> {
                              int n;
                              try {
                                n = Integer.parseInt(limit.orElse("100"));
                              } catch (NumberFormatException e) {
                                n = -1;
                              }
                              if (n < 1 || n > AdminAudit.KEPT) {
                                return problem(
                                    StatusCodes.BAD_REQUEST,
                                    "bad limit",
                                    "limit must be 1.." + AdminAudit.KEPT);
                              }
                              int count = n;
                              return onSuccess(
                                  AskPattern.<AdminAudit.Command, List<AdminAudit.Entry>>ask(
                                      audit,
                                      r -> new AdminAudit.Recent(count, r),
                                      ASK,
                                      system.scheduler()),
                                  entries -> jsonResponse(json.valueToTree(entries)));
                            }))),
        path(
            "cluster",
            () ->
                get(
                    () -> {
                      var cluster = Cluster.get(system);
                      ObjectNode n = json.createObjectNode();
                      n.put("self", cluster.selfMember().address().toString());
                      ArrayNode members = n.putArray("members");
                      for (Member m : cluster.state().getMembers()) {
                        ObjectNode o = members.addObject();
                        o.put("address", m.address().toString());
                        o.put("status", m.status().toString());
                        ArrayNode roles = o.putArray("roles");
                        m.getRoles().forEach(roles::add);
                      }
                      ArrayNode unreachable = n.putArray("unreachable");
                      cluster
                          .state()
                          .getUnreachable()
                          .forEach(m -> unreachable.add(m.address().toString()));
                      return jsonResponse(n);
                    })),
        path(
            segment("cluster").slash(segment()),
            op ->
                post(
                    () ->
                        parameterOptional(
                            "address",
                            address -> {
                              var cluster = Cluster.get(system);
                              Address target;
                              try {
                                target =
                                    address
                                        .map(AddressFromURIString::parse)
                                        .orElse(cluster.selfMember().address());
                              } catch (
                                  Exception
                                      e) { // MalformedURLException, thrown unchecked by the Scala
                                // parser
                                return problem(
                                    StatusCodes.BAD_REQUEST,
                                    "bad address",
                                    "address must look like pekko://posp@host:port");
                              }
                              if (op.equals("leave") || op.equals("down"))
                                change.set(op + " cluster member " + target);
                              switch (op) {
                                case "leave" -> cluster.manager().tell(Leave.create(target));
                                case "down" -> cluster.manager().tell(new Down(target));
                                default -> {
                                  return problem(
                                      StatusCodes.NOT_FOUND,
                                      "unknown operation",
                                      "use /admin/cluster/leave or /admin/cluster/down");
                                }
                              }
                              return complete(StatusCodes.ACCEPTED, op + " " + target);
                            }))),
        path(
            "card-bus",
            () ->
                get(
                    () -> {
                      ArrayNode arr = json.createArrayNode();
                      for (CardBus.EndpointStatus es : cardBus.status())
                        arr.add(json.valueToTree(es));
                      return jsonResponse(arr);
                    })));
  }

  /** {@code inner} when the merchant id (and the terminal id, unless null) is valid, else 400. */
  private Route ids(String mid, String tid, Supplier<Route> inner) {
    String error =
        tid == null ? Provisioning.merchantIdError(mid) : Provisioning.idsError(mid, tid);
    return error == null ? inner.get() : problem(StatusCodes.BAD_REQUEST, "invalid id", error);
  }

  private EntityRef<MerchantEntity.Command> merchant(String mid) {
    return sharding.entityRefFor(MerchantEntity.TYPE_KEY, mid);
  }

  private EntityRef<TerminalEntity.Command> terminal(String mid, String tid) {
    return sharding.entityRefFor(TerminalEntity.TYPE_KEY, TerminalEntity.entityId(mid, tid));
  }

  private Route jsonResponse(JsonNode node) {
    try {
      return complete(
          HttpResponse.create()
              .withEntity(
                  HttpEntities.create(
                      ContentTypes.APPLICATION_JSON,
                      json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node))));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("admin view not serializable", e);
    }
  }

  private Route problem(StatusCode status, String title, String detail) {
    return complete(Problems.response(status, title, detail));
  }
}
