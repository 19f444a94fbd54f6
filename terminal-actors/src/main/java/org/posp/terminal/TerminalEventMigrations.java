package org.posp.terminal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads the terminal's version-1 journal (events nested in {@code TerminalEntity}) as the version-2
 * schema ({@link TerminalEvent}). Each migration is bound to the old class name under {@code
 * pekko.serialization.jackson.migrations} (this module's {@code reference.conf}); events written
 * now carry the new class names and need none. A version-1 event without a migration here would not
 * recover.
 */
public final class TerminalEventMigrations {
  private TerminalEventMigrations() {}

  private static final String V1 = "org.posp.terminal.TerminalEntity$";
  private static final String V2 = "org.posp.terminal.TerminalEvent$";

  /**
   * Version 1's classes: the same name under {@link TerminalEvent}, except where one says
   * otherwise.
   */
  public abstract static class FromV1 extends JacksonMigration {
    @Override
    public int currentVersion() {
      return 2;
    }

    @Override
    public String transformClassName(int fromVersion, String className) {
      if (!className.startsWith(V1)) return className;
      return V2 + renamed(className.substring(V1.length()));
    }

    /** The version-2 simple name of a version-1 event. */
    String renamed(String simpleName) {
      return simpleName;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      return json;
    }
  }

  /**
   * Events whose fields did not change: Provisioned, SignedOff, SignOnRequired, ReversedBeforeSeen,
   * ...
   */
  public static final class Renamed extends FromV1 {}

  /** {@code TxnCompleted} becomes {@link TerminalEvent.TxnCompletedV1}, read as it was. */
  public static final class TxnCompleted extends FromV1 {
    @Override
    String renamed(String simpleName) {
      return "TxnCompletedV1";
    }
  }

  /**
   * {@code TxnStarted(Txn txn)}, a pending state record, becomes the facts of {@link
   * TerminalEvent.TxnRequested}.
   */
  public static final class TxnStarted extends FromV1 {
    @Override
    String renamed(String simpleName) {
      return "TxnRequested";
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      JsonNode t = json.path("txn");
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      copy(t, out, "key", "type", "batch", "stan", "amountFen", "requestHash");
      ObjectNode ids = out.putObject("ids");
      copy(t, ids, "rrn", "upstreamStan", "localDateTime", "date", "time");
      if (present(t, "panMasked") || present(t, "panHash") || present(t, "cardEnc")) {
        copy(t, out.putObject("card"), "panMasked", "panHash", "cardEnc");
      } else {
        out.putNull("card");
      }
      copy(t, out, "originalKey");
      move(t, "startedAt", out, "at");
      copy(t, out, "origin");
      return out;
    }
  }

  /**
   * {@code SignedOn(Keys keys, String batchNo)} becomes its facts; the previous MAK is the state's.
   */
  public static final class SignedOn extends FromV1 {
    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      JsonNode k = json.path("keys");
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      copy(k, out, "scheme", "pik", "mak", "tdk");
      move(k, "issuedAt", out, "at");
      move(k, "signOnStan", out, "stan");
      move(k, "signOnHash", out, "requestHash");
      move(json, "batchNo", out, "batch");
      return out;
    }
  }

  /**
   * {@code ReversalRequested(String key, Reversal reversal)} becomes flat facts (a request is never
   * completed).
   */
  public static final class ReversalRequested extends FromV1 {
    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      JsonNode r = json.path("reversal");
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      copy(json, out, "key");
      copy(r, out, "reason");
      move(r, "stan", out, "upstreamStan");
      copy(r, out, "localDateTime");
      move(r, "requestedAt", out, "at");
      return out;
    }
  }

  /**
   * {@code BatchSettled(Settlement settlement, Instant retainSalesAfter)} becomes the settlement's
   * facts; the upload fields of the state record were always empty when it was settled.
   */
  public static final class BatchSettled extends FromV1 {
    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      JsonNode st = json.path("settlement");
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      copy(st, out, "batch", "nextBatch", "stan", "requestHash", "resultCode", "field48");
      copy(st, out, "rrn", "date", "time");
      move(st, "switchTotals", out, "totals");
      move(st, "switchItems", out, "items");
      copy(st, out, "at");
      copy(json, out, "retainSalesAfter");
      return out;
    }
  }

  private static boolean present(JsonNode from, String field) {
    return from.hasNonNull(field);
  }

  private static void copy(JsonNode from, ObjectNode to, String... fields) {
    for (String f : fields) move(from, f, to, f);
  }

  private static void move(JsonNode from, String field, ObjectNode to, String as) {
    JsonNode v = from.get(field);
    to.set(as, v == null ? JsonNodeFactory.instance.nullNode() : v);
  }
}
