package org.posp.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.posp.security.Hsm;
import org.posp.security.HsmException;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.MacAlgorithm;
import org.posp.terminal.MerchantEntity;
import org.posp.terminal.TerminalEntity;
import org.posp.terminal.codec.TransactionType;

/**
 * Admin provisioning of merchants and terminals from JSON documents. A terminal's TMK arrives under the
 * LMK with its check value ({@code {"tmk": {"underLmk": "...", "checkValue": "..."}}}); a clear TMK
 * ({@code {"tmk": {"clear": "..."}}}) is accepted in demo mode only. An optional {@code "macAlgorithm"}
 * ({@code CUP_ECB}, the default, or {@code X919}) chooses the terminal's MAC; a single DES TMK is refused
 * unless single DES is allowed, and X919 needs a double-length TMK.
 */
final class Provisioning {
  /** One attempt; {@link #ATTEMPTS} of them (with a short pause) make the admin request's 10 s. */
  private static final Duration ATTEMPT = Duration.ofMillis(3000);
  private static final int ATTEMPTS = 3;

  /**
   * Sharding delivers at most once: a message to a shard being allocated or handed over (a node just
   * started or left) can be lost. Provisioning and registration are idempotent, so they are asked again.
   */
  private <T> CompletionStage<T> retrying(java.util.concurrent.Callable<CompletionStage<T>> ask) {
    return org.apache.pekko.pattern.Patterns.retry(ask, ATTEMPTS, Duration.ofMillis(200), system);
  }

  /** Either a validation error (nothing was sent) or the entity's answer. */
  record Result(String error, CompletionStage<StatusReply<Done>> done) {
    static Result invalid(String error) {
      return new Result(error, null);
    }
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Hsm hsm;
  private final boolean demo;
  private final boolean singleDesAllowed;
  private final ObjectMapper json = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Provisioning.class);

  /** {@code singleDesAllowed}: an 8-byte TMK is accepted (demo mode or posp.security.allow-single-des). */
  Provisioning(ActorSystem<?> system, Hsm hsm, boolean demo, boolean singleDesAllowed) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.hsm = hsm;
    this.demo = demo;
    this.singleDesAllowed = singleDesAllowed;
  }

  Result terminal(String mid, String tid, String body) {
    if (!mid.matches("[0-9A-Za-z]{15}")) return Result.invalid("merchant id must be 15 characters (field 42)");
    if (!tid.matches("[0-9A-Za-z]{8}")) return Result.invalid("terminal id must be 8 characters (field 41)");
    JsonNode tmkNode;
    MacAlgorithm mac;
    try {
      JsonNode root = json.readTree(body);
      tmkNode = root.path("tmk");
      mac = MacAlgorithm.parse(root.path("macAlgorithm").asText("CUP_ECB"));
    } catch (IllegalArgumentException e) {
      return Result.invalid("macAlgorithm: " + e.getMessage());
    } catch (Exception e) {
      return Result.invalid("body is not JSON: " + e.getMessage());
    }
    LmkKey tmk;
    try {
      if (tmkNode.hasNonNull("underLmk")) {
        tmk = hsm.importLmkKey(KeyType.TMK, tmkNode.get("underLmk").asText(), tmkNode.path("checkValue").asText());
      } else if (tmkNode.hasNonNull("clear")) {
        if (!demo) return Result.invalid("a clear TMK is accepted in demo mode only: send tmk.underLmk and tmk.checkValue");
        String hex = tmkNode.get("clear").asText();
        if (!hex.matches("[0-9A-Fa-f]{16}|[0-9A-Fa-f]{32}")) return Result.invalid("tmk.clear must be 16 or 32 hex digits");
        tmk = hsm.importClearKey(KeyType.TMK, HexFormat.of().parseHex(hex));
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
    return new Result(null, retrying(() -> ref.ask(r -> new TerminalEntity.Provision(mid, tid, key, mac, r), ATTEMPT)));
  }

  Result merchant(String mid, String body) {
    if (!mid.matches("[0-9A-Za-z]{15}")) return Result.invalid("merchant id must be 15 characters (field 42)");
    try {
      JsonNode n = json.readTree(body);
      String name = n.path("name").asText("");
      String mcc = n.path("mcc").asText("");
      if (!mcc.matches("\\d{4}")) return Result.invalid("mcc must be 4 digits");
      MerchantEntity.Status status = MerchantEntity.Status.valueOf(n.path("status").asText("ACTIVE").toUpperCase());
      long single = n.path("singleLimitFen").asLong(0);
      long daily = n.path("dailyLimitFen").asLong(0);
      if (single < 0 || daily < 0) return Result.invalid("limits must not be negative");
      Set<String> allowed = new HashSet<>();
      for (JsonNode t : n.path("allowedTypes")) {
        String type = t.asText();
        TransactionType.valueOf(type);
        allowed.add(type);
      }
      var profile = new MerchantEntity.Profile(mid, name, mcc, status, single, daily, allowed);
      var ref = sharding.entityRefFor(MerchantEntity.TYPE_KEY, mid);
      return new Result(null, retrying(() -> ref.ask(r -> new MerchantEntity.Register(profile, r), ATTEMPT)));
    } catch (IllegalArgumentException e) {
      return Result.invalid("unknown status or transaction type: " + e.getMessage());
    } catch (Exception e) {
      return Result.invalid("body is not JSON: " + e.getMessage());
    }
  }
}
