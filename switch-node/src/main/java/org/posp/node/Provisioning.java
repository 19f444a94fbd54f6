package org.posp.node;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.pattern.StatusReply;
import org.posp.channel.route.RouteTable;
import org.posp.security.Hsm;
import org.posp.security.HsmException;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.terminal.MerchantEntity;
import org.posp.terminal.TerminalEntity;
import org.posp.terminal.codec.TransactionType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin provisioning of merchants and terminals from JSON documents, validated before anything is
 * sent to an entity. A terminal's TMK arrives under the LMK with its check value ({@code {"tmk":
 * {"underLmk": "...", "checkValue": "..."}}}); a clear TMK ({@code {"tmk": {"clear": "..."}}}) is
 * accepted in demo mode only.
 *
 * <p>A merchant document is an object with {@code mcc} (4 digits, required), {@code name} (text),
 * {@code status} ({@code ACTIVE}, {@code FROZEN}, {@code CLOSED}; default {@code ACTIVE}), {@code
 * singleLimitFen} and {@code dailyLimitFen} (JSON integers 0..2^63-1, absent = 0 = no limit) and
 * {@code allowedTypes} (an array of {@link TransactionType} names, absent or empty = all types). A
 * field of the wrong JSON type, an unknown field (a misspelt limit would otherwise mean "no limit")
 * or a repeated field is refused. An optional {@code "macAlgorithm"} ({@code CUP_ECB}, the default,
 * or {@code X919}) chooses a terminal's MAC; a single DES TMK is refused unless single DES is
 * allowed, and X919 needs a double-length TMK.
 */
final class Provisioning {
  /** One attempt; {@link #ATTEMPTS} of them (with a short pause) make the admin request's 10 s. */
  private static final Duration ATTEMPT = Duration.ofMillis(3000);

  private static final int ATTEMPTS = 3;
  private static final Set<String> MERCHANT_FIELDS =
      Set.of("name", "mcc", "status", "singleLimitFen", "dailyLimitFen", "allowedTypes");
  private static final int MAX_NAME = 80;
  private static final String ENDPOINT_NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,31}";

  /**
   * Sharding delivers at most once: a message to a shard being allocated or handed over (a node
   * just started or left) can be lost. Provisioning and registration are idempotent, so they are
   * asked again.
   */
  private <T> CompletionStage<T> retrying(Callable<CompletionStage<T>> ask) {
    return Patterns.retry(ask, ATTEMPTS, Duration.ofMillis(200), system);
  }

  /**
   * Either a validation error (nothing was sent) or the entity's answer, with what was asked (for
   * the audit).
   */
  record Result(String error, CompletionStage<StatusReply<Done>> done, String change) {
    static Result invalid(String error) {
      return new Result(error, null, null);
    }
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Hsm hsm;
  private final boolean demo;
  private final boolean singleDesAllowed;
  private final ObjectMapper json = strictJson();
  private static final Logger LOG = LoggerFactory.getLogger(Provisioning.class);

  /**
   * {@code singleDesAllowed}: an 8-byte TMK is accepted (demo mode or
   * posp.security.allow-single-des).
   */
  Provisioning(ActorSystem<?> system, Hsm hsm, boolean demo, boolean singleDesAllowed) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.hsm = hsm;
    this.demo = demo;
    this.singleDesAllowed = singleDesAllowed;
  }

  /** A JSON reader that refuses a repeated field (the last one would silently win). */
  static ObjectMapper strictJson() {
    ObjectMapper m = new ObjectMapper();
    m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return m;
  }

  /**
   * Why a merchant id (field 42) from a path or a document is unusable, or null: 15 digits or
   * letters.
   */
  static String merchantIdError(String mid) {
    return mid != null && mid.matches("[0-9A-Za-z]{15}")
        ? null
        : "merchant id must be 15 digits or letters (field 42)";
  }

  /** Why a terminal id (field 41) is unusable, or null: 8 digits or letters. */
  static String terminalIdError(String tid) {
    return tid != null && tid.matches("[0-9A-Za-z]{8}")
        ? null
        : "terminal id must be 8 digits or letters (field 41)";
  }

  /** The first error of a merchant id and a terminal id, or null. */
  static String idsError(String mid, String tid) {
    String e = merchantIdError(mid);
    return e != null ? e : terminalIdError(tid);
  }

  Result terminal(String mid, String tid, String body) {
    String idError = idsError(mid, tid);
    if (idError != null) return Result.invalid(idError);
    JsonNode tmkNode;
    MacAlgorithm mac;
    try {
      JsonNode doc = json.readTree(body);
      String shape = objectWith(doc, Set.of("tmk", "macAlgorithm"), "the document");
      if (shape != null) return Result.invalid(shape);
      tmkNode = doc.path("tmk");
      shape = objectWith(tmkNode, Set.of("underLmk", "checkValue", "clear"), "tmk");
      if (shape != null) return Result.invalid(shape);
      JsonNode macNode = doc.path("macAlgorithm");
      if (!macNode.isMissingNode() && !macNode.isTextual())
        return Result.invalid("macAlgorithm must be a string");
      mac = MacAlgorithm.parse(macNode.asText("CUP_ECB"));
    } catch (IllegalArgumentException e) {
      return Result.invalid("macAlgorithm: " + e.getMessage());
    } catch (Exception e) {
      return Result.invalid(notJson(e));
    }
    LmkKey tmk;
    String change;
    try {
      if (tmkNode.has("underLmk")) {
        if (!tmkNode.get("underLmk").isTextual() || !tmkNode.path("checkValue").isTextual()) {
          return Result.invalid("tmk.underLmk and tmk.checkValue must be strings");
        }
        tmk =
            hsm.importLmkKey(
                KeyType.TMK, tmkNode.get("underLmk").asText(), tmkNode.get("checkValue").asText());
        change =
            "provision terminal "
                + mid
                + "/"
                + tid
                + " with a TMK under the LMK, check value "
                + tmk.checkValue()
                + ", MAC "
                + mac;
      } else if (tmkNode.has("clear")) {
        if (!demo)
          return Result.invalid(
              "a clear TMK is accepted in demo mode only: send tmk.underLmk and tmk.checkValue");
        String hex = tmkNode.get("clear").isTextual() ? tmkNode.get("clear").asText() : "";
        if (!hex.matches("[0-9A-Fa-f]{16}|[0-9A-Fa-f]{32}"))
          return Result.invalid("tmk.clear must be 16 or 32 hex digits");
        tmk = hsm.importClearKey(KeyType.TMK, HexFormat.of().parseHex(hex));
        change =
            "provision terminal "
                + mid
                + "/"
                + tid
                + " with a clear TMK (demo), check value "
                + tmk.checkValue()
                + ", MAC "
                + mac;
      } else {
        return Result.invalid("tmk.underLmk with tmk.checkValue is required");
      }
    } catch (HsmException e) {
      return Result.invalid("TMK refused: " + e.getMessage());
    }
    String refused = TerminalEntity.provisioningRefused(tmk, mac, singleDesAllowed);
    if (refused != null) {
      LOG.warn("provisioning of terminal {}/{} refused: {}", mid, tid, refused);
      return Result.invalid(refused);
    }
    LmkKey key = tmk;
    var ref = sharding.entityRefFor(TerminalEntity.TYPE_KEY, TerminalEntity.entityId(mid, tid));
    return new Result(
        null,
        retrying(() -> ref.ask(r -> new TerminalEntity.Provision(mid, tid, key, mac, r), ATTEMPT)),
        change);
  }

  Result merchant(String mid, String body) {
    String idError = merchantIdError(mid);
    if (idError != null) return Result.invalid(idError);
    JsonNode n;
    try {
      n = json.readTree(body);
    } catch (Exception e) {
      return Result.invalid(notJson(e));
    }
    String shape = objectWith(n, MERCHANT_FIELDS, "the merchant document");
    if (shape != null) return Result.invalid(shape);
    JsonNode nameNode = n.path("name");
    if (!nameNode.isMissingNode() && !nameNode.isTextual())
      return Result.invalid("name must be a string");
    String name = nameNode.asText("");
    if (name.length() > MAX_NAME || !name.codePoints().allMatch(c -> !Character.isISOControl(c))) {
      return Result.invalid(
          "name must be at most " + MAX_NAME + " characters without control characters");
    }
    JsonNode mccNode = n.path("mcc");
    if (!mccNode.isTextual() || !mccNode.asText().matches("\\d{4}"))
      return Result.invalid("mcc must be a string of 4 digits");
    JsonNode statusNode = n.path("status");
    MerchantEntity.Status status = MerchantEntity.Status.ACTIVE;
    if (!statusNode.isMissingNode()) {
      status =
          statusNode.isTextual()
              ? Arrays.stream(MerchantEntity.Status.values())
                  .filter(v -> v.name().equals(statusNode.asText()))
                  .findFirst()
                  .orElse(null)
              : null;
      if (status == null)
        return Result.invalid(
            "status must be one of " + Arrays.toString(MerchantEntity.Status.values()));
    }
    long[] limits = new long[2];
    String[] names = {"singleLimitFen", "dailyLimitFen"};
    for (int i = 0; i < 2; i++) {
      JsonNode l = n.path(names[i]);
      if (l.isMissingNode()) continue;
      if (!l.isIntegralNumber() || !l.canConvertToLong() || l.asLong() < 0) {
        return Result.invalid(
            names[i]
                + " must be a JSON integer from 0 (no limit) to "
                + Long.MAX_VALUE
                + " fen, got "
                + abbreviated(l));
      }
      limits[i] = l.asLong();
    }
    Set<String> allowed = new TreeSet<>();
    JsonNode types = n.path("allowedTypes");
    if (!types.isMissingNode()) {
      if (!types.isArray())
        return Result.invalid("allowedTypes must be an array of transaction type names");
      for (JsonNode t : types) {
        if (!t.isTextual()
            || Arrays.stream(TransactionType.values())
                .noneMatch(v -> v.name().equals(t.asText()))) {
          return Result.invalid(
              "allowedTypes: unknown transaction type "
                  + abbreviated(t)
                  + "; known: "
                  + Arrays.toString(TransactionType.values()));
        }
        allowed.add(t.asText());
      }
    }
    var profile =
        new MerchantEntity.Profile(
            mid, name, mccNode.asText(), status, limits[0], limits[1], allowed);
    var ref = sharding.entityRefFor(MerchantEntity.TYPE_KEY, mid);
    String change =
        "register merchant "
            + mid
            + ": name=\""
            + name
            + "\" mcc="
            + profile.mcc()
            + " status="
            + status
            + " singleLimitFen="
            + limits[0]
            + " dailyLimitFen="
            + limits[1]
            + " allowedTypes="
            + (allowed.isEmpty() ? "all" : allowed);
    return new Result(
        null,
        retrying(() -> ref.ask(r -> new MerchantEntity.Register(profile, r), ATTEMPT)),
        change);
  }

  /**
   * The route table of a {@code PUT /admin/routes} document, which must be complete: an object with
   * exactly {@code bins} (an object of BIN prefix to endpoint name), {@code transferEndpoint} and
   * {@code defaultEndpoint} (an endpoint name, or null for none; never left out), routing at least
   * something (a BIN prefix or a default endpoint). Endpoint names are letters, digits and {@code
   * _.-}. Throws IllegalArgumentException with the reason; whether the endpoints exist is the card
   * bus's check.
   */
  RouteTable routeTable(String body) {
    JsonNode n;
    try {
      n = json.readTree(body);
    } catch (Exception e) {
      throw new IllegalArgumentException(notJson(e));
    }
    Set<String> fields = Set.of("bins", "transferEndpoint", "defaultEndpoint");
    String shape = objectWith(n, fields, "the route table");
    if (shape != null) throw new IllegalArgumentException(shape);
    List<String> missing = fields.stream().filter(f -> !n.has(f)).sorted().toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "the route table is replaced as a whole: "
              + missing
              + " missing (send "
              + "null for no transfer or default endpoint; GET /admin/routes gives the table in force)");
    }
    JsonNode bins = n.get("bins");
    if (!bins.isObject())
      throw new IllegalArgumentException("bins must be an object of BIN prefix to endpoint name");
    Map<String, String> table = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = bins.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().matches("\\d{1,19}")) {
        throw new IllegalArgumentException(
            "bins: a BIN prefix is 1..19 digits, got " + abbreviated(new TextNode(e.getKey())));
      }
      table.put(e.getKey(), endpointName(e.getValue(), "bins." + e.getKey(), false));
    }
    String transfer = endpointName(n.get("transferEndpoint"), "transferEndpoint", true);
    String deflt = endpointName(n.get("defaultEndpoint"), "defaultEndpoint", true);
    if (table.isEmpty() && deflt == null) {
      throw new IllegalArgumentException(
          "the route table routes nothing: give bins or a defaultEndpoint");
    }
    return new RouteTable(table, transfer, deflt);
  }

  private static String endpointName(JsonNode v, String field, boolean nullable) {
    if (nullable && v.isNull()) return null;
    if (!v.isTextual() || !v.asText().matches(ENDPOINT_NAME)) {
      throw new IllegalArgumentException(
          field
              + " must be an endpoint name (letters, digits, _.-; at most 32)"
              + (nullable ? " or null" : "")
              + ", got "
              + abbreviated(v));
    }
    return v.asText();
  }

  /** A route table in one line for the audit trail (the BIN prefixes abbreviated). */
  static String summary(RouteTable t) {
    String bins = t.bins().toString();
    return t.bins().size()
        + " BIN prefixes "
        + (bins.length() > 200 ? bins.substring(0, 200) + "...}" : bins)
        + ", transfer="
        + t.transferEndpoint()
        + ", default="
        + t.defaultEndpoint();
  }

  /** Null when {@code n} is a JSON object with only {@code allowed} fields, else why not. */
  static String objectWith(JsonNode n, Set<String> allowed, String what) {
    if (!n.isObject()) return what + " must be a JSON object";
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) unknown.add(f);
    }
    return unknown.isEmpty()
        ? null
        : what
            + " has unknown fields "
            + AdminAudit.printable(unknown.toString())
            + " (known: "
            + new TreeSet<>(allowed)
            + ")";
  }

  static String notJson(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int cut = m.indexOf('\n');
    return "body is not valid JSON: " + AdminAudit.printable(cut > 0 ? m.substring(0, cut) : m);
  }

  private static String abbreviated(JsonNode n) {
    String s = n.isMissingNode() ? "nothing" : n.toString();
    return AdminAudit.printable(s.length() > 40 ? s.substring(0, 40) + "..." : s);
  }
}
