package org.posp.node;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
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

/**
 * The HTTP front of a node: {@code POST /iso8583} for smart POS (body = TPDU + header + ISO body, no
 * length prefix, content type {@code x-ISO-TPDU/x-auth}), {@code GET /health}, and the admin API under
 * {@code /admin} (bearer token). Errors are RFC 7807 problem documents.
 */
final class HttpApi extends AllDirectives {
  static final ContentType ISO = ContentTypes.create(MediaTypes.customBinary("x-ISO-TPDU", "x-auth", false));
  private static final ContentType.WithFixedCharset PROBLEM = ContentTypes.create(
      MediaTypes.applicationWithFixedCharset("problem+json", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8));
  private static final Duration ASK = Duration.ofSeconds(10);
  /** The HTTP request timeout is the gateway's ask timeout plus this. */
  private static final Duration HTTP_TIMEOUT_MARGIN = Duration.ofSeconds(15);

  private final ActorSystem<?> system;
  private final TerminalGateway gateway;
  private final CardBusSystem cardBus;
  private final String token;
  private final ClusterSharding sharding;
  private final ObjectMapper json = new ObjectMapper();
  private final Provisioning provisioning;

  private HttpApi(ActorSystem<?> system, TerminalGateway gateway, CardBusSystem cardBus, String token,
      Provisioning provisioning) {
    this.system = system;
    this.gateway = gateway;
    this.cardBus = cardBus;
    this.token = token;
    this.provisioning = provisioning;
    this.sharding = ClusterSharding.get(system);
  }

  static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, TerminalGateway gateway,
      CardBusSystem cardBus, String token, Provisioning provisioning) {
    HttpApi api = new HttpApi(system, gateway, cardBus, token, provisioning);
    return Http.get(system).newServerAt(host, port).bind(api.routes());
  }

  Route routes() {
    return concat(
        path("iso8583", () -> post(this::iso8583)),
        path("health", () -> get(() -> complete("OK"))),
        pathPrefix("admin", () -> optionalHeaderValueByName("Authorization", auth -> {
          if (!AdminAuth.matches(token, auth.orElse(null))) {
            return problem(StatusCodes.UNAUTHORIZED, "unauthorized",
                token == null ? "the admin API is disabled: set POSP_ADMIN_TOKEN" : "a valid bearer token is required");
          }
          return admin();
        })));
  }

  /**
   * The entity's answer to an idempotent admin command: 200, 409 with its reason, or 503 when it did not
   * answer in time (a shard being allocated or moved: the same request may simply be sent again).
   */
  private Route answered(java.util.concurrent.CompletionStage<StatusReply<Done>> done, String ok, String what) {
    return onComplete(done, t -> {
      if (t.isFailure()) {
        return problem(StatusCodes.SERVICE_UNAVAILABLE, "no answer",
            what + " did not answer in time (" + t.failed().get().getClass().getSimpleName()
                + "); the request is idempotent: send it again");
      }
      StatusReply<Done> d = t.get();
      return d.isSuccess() ? complete(StatusCodes.OK, ok) : problem(StatusCodes.CONFLICT, "refused", d.getError().getMessage());
    });
  }

  /**
   * {@code POST /iso8583}: the same rules as the TCP front. The body limit (one frame) is enforced before
   * anything is buffered (413); the request timeout is longer than the gateway's ask timeout, so the
   * gateway always decides; should the response still not be delivered (timed out), the entity is told
   * that the reply did not reach the terminal (it reverses an approval it started), as for a closed
   * TCP connection. A frame that cannot be answered at all (not a request MTI) gets 400.
   */
  private Route iso8583() {
    AtomicBoolean undeliverable = new AtomicBoolean();
    scala.concurrent.duration.FiniteDuration timeout = scala.concurrent.duration.FiniteDuration.create(
        gateway.askTimeout().plus(HTTP_TIMEOUT_MARGIN).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return withRequestTimeout(timeout, request -> {
      undeliverable.set(true);
      return problemResponse(StatusCodes.SERVICE_UNAVAILABLE, "no reply",
          "the switch did not answer in time; the terminal must reverse as after a timeout");
    }, () -> extractRequestEntity(entity -> {
      java.util.OptionalLong declared = entity.getContentLengthOption();
      if (declared.isPresent() && declared.getAsLong() > TerminalFrame.MAX_FRAME_LENGTH) {
        return tooLarge(declared.getAsLong() + " bytes");
      }
      return onComplete(entity.toStrict(gateway.askTimeout().toMillis(), TerminalFrame.MAX_FRAME_LENGTH, system),
          strict -> strict.isSuccess() ? iso8583(strict.get().getData().toArray(), undeliverable)
              : tooLarge("more than " + TerminalFrame.MAX_FRAME_LENGTH + " bytes"));
    }));
  }

  private Route tooLarge(String size) {
    return problem(StatusCodes.PAYLOAD_TOO_LARGE, "frame too large",
        "a terminal frame is at most " + TerminalFrame.MAX_FRAME_LENGTH + " bytes; the body has " + size);
  }

  private Route iso8583(byte[] body, AtomicBoolean undeliverable) {
    TerminalFrame frame;
    try {
      if (body.length < TerminalFrame.MIN_FRAME_LENGTH || body.length > TerminalFrame.MAX_FRAME_LENGTH) {
        throw new TerminalFormatException(0, "body of " + body.length + " bytes outside " + TerminalFrame.MIN_FRAME_LENGTH
            + ".." + TerminalFrame.MAX_FRAME_LENGTH);
      }
      frame = TerminalFrame.parse(body);
    } catch (TerminalFormatException e) {
      return problem(StatusCodes.BAD_REQUEST, "framing error", e.getMessage());
    }
    return onComplete(gateway.handle(frame, "http", undeliverable::get), t -> {
      if (t.isFailure()) {
        Throwable cause = t.failed().get();
        if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) cause = cause.getCause();
        if (cause instanceof TerminalGateway.UnanswerableFrame) {
          return problem(StatusCodes.BAD_REQUEST, "not a terminal request", cause.getMessage());
        }
        return problem(StatusCodes.INTERNAL_SERVER_ERROR, "switch failure", "the request failed; the terminal must reverse");
      }
      return t.get()
          .map(f -> {
            byte[] encoded = f.encode();
            return complete(HttpResponse.create().withEntity(HttpEntities.create(ISO, Arrays.copyOfRange(encoded, 2, encoded.length))));
          })
          .orElseGet(() -> problem(StatusCodes.GATEWAY_TIMEOUT, "no reply",
              "the terminal entity gave no reply; the terminal must reverse as after a timeout"));
    });
  }

  private Route admin() {
    return concat(
        path(segment("terminals").slash(segment()).slash(segment()), (mid, tid) -> concat(
            get(() -> onSuccess(terminal(mid, tid).<TerminalState>ask(TerminalEntity.GetState::new, ASK),
                s -> jsonResponse(TerminalView.of(s, json)))),
            put(() -> entity(Unmarshaller.entityToString(), body -> {
              Provisioning.Result r = provisioning.terminal(mid, tid, body);
              if (r.error() != null) return problem(StatusCodes.BAD_REQUEST, "invalid provisioning", r.error());
              return answered(r.done(), "provisioned", "terminal " + mid + "/" + tid);
            })))),
        path(segment("merchants").slash(segment()), mid -> put(() -> entity(Unmarshaller.entityToString(), body -> {
          Provisioning.Result r = provisioning.merchant(mid, body);
          if (r.error() != null) return problem(StatusCodes.BAD_REQUEST, "invalid merchant", r.error());
          return answered(r.done(), "registered", "merchant " + mid);
        }))),
        path(segment("terminals").slash(segment()).slash(segment()).slash("require-sign-on"), (mid, tid) -> post(() ->
            onSuccess(terminal(mid, tid).<StatusReply<Done>>ask(TerminalEntity.RequireSignOn::new, ASK),
                r -> r.isSuccess() ? complete(StatusCodes.ACCEPTED, "sign-on required")
                    : problem(StatusCodes.CONFLICT, "refused", r.getError().getMessage())))),
        path(segment("merchants").slash(segment()), mid -> get(() ->
            onSuccess(sharding.entityRefFor(MerchantEntity.TYPE_KEY, mid).<MerchantEntity.State>ask(MerchantEntity.Get::new, ASK),
                s -> s.profile() == null ? problem(StatusCodes.NOT_FOUND, "not found", "merchant " + mid + " unknown")
                    : jsonResponse(json.valueToTree(s))))),
        path(segment("merchants").slash(segment()).slash("status").slash(segment()), (mid, status) -> put(() -> {
          Optional<MerchantEntity.Status> st = Arrays.stream(MerchantEntity.Status.values())
              .filter(v -> v.name().equalsIgnoreCase(status)).findFirst();
          if (st.isEmpty()) return problem(StatusCodes.BAD_REQUEST, "bad status", "status must be ACTIVE, FROZEN or CLOSED");
          return onSuccess(sharding.entityRefFor(MerchantEntity.TYPE_KEY, mid)
                  .<StatusReply<Done>>ask(r -> new MerchantEntity.SetStatus(st.get(), r), ASK),
              r -> r.isSuccess() ? complete(StatusCodes.OK, "status " + st.get())
                  : problem(StatusCodes.NOT_FOUND, "refused", r.getError().getMessage()));
        })),
        path("routes", () -> concat(
            get(() -> jsonResponse(json.valueToTree(cardBus.routes()))),
            put(() -> entity(Unmarshaller.entityToString(), body -> {
              try {
                JsonNode n = json.readTree(body);
                java.util.Map<String, String> bins = new java.util.TreeMap<>();
                n.path("bins").fields().forEachRemaining(e -> bins.put(e.getKey(), e.getValue().asText()));
                RouteTable table = new RouteTable(bins, n.path("transferEndpoint").asText(null),
                    n.path("defaultEndpoint").asText(null));
                cardBus.updateRoutes(table);
                return jsonResponse(json.valueToTree(cardBus.routes()));
              } catch (IllegalArgumentException e) {
                return problem(StatusCodes.BAD_REQUEST, "invalid route table", e.getMessage());
              } catch (Exception e) {
                return problem(StatusCodes.BAD_REQUEST, "invalid route table", "body is not JSON: " + e.getMessage());
              }
            })))),
        path("cluster", () -> get(() -> {
          var cluster = org.apache.pekko.cluster.typed.Cluster.get(system);
          ObjectNode n = json.createObjectNode();
          n.put("self", cluster.selfMember().address().toString());
          ArrayNode members = n.putArray("members");
          for (org.apache.pekko.cluster.Member m : cluster.state().getMembers()) {
            ObjectNode o = members.addObject();
            o.put("address", m.address().toString());
            o.put("status", m.status().toString());
            ArrayNode roles = o.putArray("roles");
            m.getRoles().forEach(roles::add);
          }
          ArrayNode unreachable = n.putArray("unreachable");
          cluster.state().getUnreachable().forEach(m -> unreachable.add(m.address().toString()));
          return jsonResponse(n);
        })),
        path(segment("cluster").slash(segment()), op -> post(() -> parameterOptional("address", address -> {
          var cluster = org.apache.pekko.cluster.typed.Cluster.get(system);
          org.apache.pekko.actor.Address target;
          try {
            target = address.map(org.apache.pekko.actor.AddressFromURIString::parse)
                .orElse(cluster.selfMember().address());
          } catch (Exception e) { // MalformedURLException, thrown unchecked by the Scala parser
            return problem(StatusCodes.BAD_REQUEST, "bad address", "address must look like pekko://posp@host:port");
          }
          switch (op) {
            case "leave" -> cluster.manager().tell(org.apache.pekko.cluster.typed.Leave.create(target));
            case "down" -> cluster.manager().tell(new org.apache.pekko.cluster.typed.Down(target));
            default -> {
              return problem(StatusCodes.NOT_FOUND, "unknown operation", "use /admin/cluster/leave or /admin/cluster/down");
            }
          }
          return complete(StatusCodes.ACCEPTED, op + " " + target);
        }))),
        path("card-bus", () -> get(() -> {
          ArrayNode arr = json.createArrayNode();
          for (CardBus.EndpointStatus es : cardBus.status()) arr.add(json.valueToTree(es));
          return jsonResponse(arr);
        })));
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<TerminalEntity.Command> terminal(String mid, String tid) {
    return sharding.entityRefFor(TerminalEntity.TYPE_KEY, TerminalEntity.entityId(mid, tid));
  }

  private Route jsonResponse(com.fasterxml.jackson.databind.JsonNode node) {
    try {
      return complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
          json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node))));
    } catch (Exception e) {
      return problem(StatusCodes.INTERNAL_SERVER_ERROR, "serialization", e.getMessage());
    }
  }

  private Route problem(StatusCode status, String title, String detail) {
    return complete(problemResponse(status, title, detail));
  }

  private HttpResponse problemResponse(StatusCode status, String title, String detail) {
    ObjectNode p = json.createObjectNode();
    p.put("type", "about:blank");
    p.put("title", title);
    p.put("status", status.intValue());
    p.put("detail", detail);
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(PROBLEM, p.toString()));
  }
}
