package org.posp.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 9457 problem documents ({@code application/problem+json} with {@code type}, {@code title},
 * {@code status}, {@code detail}) for every error of the HTTP front: the answers the routes build
 * themselves, and, through Pekko HTTP's rejection and exception handlers ({@link #handled}), every
 * rejection (404, 405, 413, …) and every exception (ask timeouts 503, anything else 500 with a
 * reference to the log line, never the exception's text).
 */
final class Problems extends AllDirectives {
  static final ContentType.WithFixedCharset PROBLEM =
      ContentTypes.create(
          MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));
  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RejectionHandler rejections =
      RejectionHandler.newBuilder()
          .handle(
              MalformedRequestContentRejection.class,
              r ->
                  complete(
                      r.getCause() instanceof EntityStreamSizeException
                          ? fromException(r.getCause())
                          : response(
                              StatusCodes.BAD_REQUEST,
                              StatusCodes.BAD_REQUEST.reason(),
                              r.message())))
          .build()
          .withFallback(RejectionHandler.defaultHandler())
          .mapRejectionResponse(Problems::toProblem);
  private final ExceptionHandler exceptions =
      ExceptionHandler.newBuilder().matchAny(e -> complete(fromException(e))).build();

  /** {@code inner} with its rejections and exceptions answered as problem documents. */
  Route handled(Supplier<Route> inner) {
    return handleExceptions(exceptions, () -> handleRejections(rejections, inner));
  }

  /**
   * A problem document ({@code type} is {@code about:blank}: the title and detail say what
   * happened).
   */
  static HttpResponse response(StatusCode status, String title, String detail) {
    ObjectNode p = JSON.createObjectNode();
    p.put("type", "about:blank");
    p.put("title", title);
    p.put("status", status.intValue());
    p.put("detail", detail);
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(PROBLEM, p.toString()));
  }

  /** A rejection's default answer (status and text) as a problem document, its headers kept. */
  private static HttpResponse toProblem(HttpResponse r) {
    if (PROBLEM.equals(r.entity().getContentType())) return r;
    String detail =
        r.entity() instanceof HttpEntity.Strict s ? s.getData().utf8String() : r.status().reason();
    return response(
            r.status(), r.status().reason(), detail.isBlank() ? r.status().reason() : detail)
        .withHeaders(r.getHeaders());
  }

  static HttpResponse fromException(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TimeoutException || cause instanceof AskTimeoutException) {
      return response(
          StatusCodes.SERVICE_UNAVAILABLE,
          "no answer",
          "a component of the node did not answer in time (a shard being allocated or moved, or the journal "
              + "unavailable); send the request again");
    }
    if (cause instanceof EntityStreamSizeException size) {
      return response(
          StatusCodes.PAYLOAD_TOO_LARGE,
          StatusCodes.PAYLOAD_TOO_LARGE.reason(),
          "the request body is larger than " + size.limit() + " bytes");
    }
    if (cause instanceof IllegalRequestException bad) {
      return response(bad.status(), bad.status().reason(), bad.info().summary());
    }
    String ref = UUID.randomUUID().toString();
    log.error("HTTP request failed (problem reference {})", ref, cause);
    return response(
        StatusCodes.INTERNAL_SERVER_ERROR,
        StatusCodes.INTERNAL_SERVER_ERROR.reason(),
        "the request failed inside the node; the node's log has the cause under reference " + ref);
  }
}
