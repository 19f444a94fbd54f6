package org.posp.terminal;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the terminal entities ({@code posp.terminal} in reference.conf). The snapshot
 * interval and the restart backoff are validated: a wrong value stops the start with a message
 * naming the key.
 *
 * @param acquirerId field 32 of replies and upstream messages
 * @param keyMaxAge working keys older than this make replies ask the terminal to sign on again (R =
 *     3)
 * @param idlePassivation an entity with no pending work stops after this long without messages
 * @param reversalMaxBackoff cap of the store-and-forward retry delay (docs/protocol/card-bus.md §8:
 *     60 s)
 * @param reversalFirstRetry first retry delay of a reversal whose first attempt failed
 * @param merchantAskTimeout how long a terminal waits for its merchant's checks
 * @param merchantCache when the merchant cannot be asked (its shard is moving after a node loss), a
 *     terminal whose merchant was found active this recently goes on without the check
 * @param refundRetentionDays how long approved sales stay refundable after settlement
 * @param snapshotEvery events between snapshots
 * @param singleDesAllowed single DES keys are accepted: an 8-byte TMK at provisioning and sign-on
 *     scheme 001 ({@code posp.security.allow-single-des}, always in demo mode); otherwise both are
 *     refused
 * @param signOnWindow a sign-on up to 1000 STANs behind the current keys' sign-on and within this
 *     time of it is a late delivery of an older sign-on (refused 94 rather than replacing the newer
 *     keys)
 * @param restartBackoff restart of an entity whose journal write or recovery failed
 */
public record TerminalSettings(
    String acquirerId,
    Duration keyMaxAge,
    Duration idlePassivation,
    Duration reversalMaxBackoff,
    Duration reversalFirstRetry,
    Duration merchantAskTimeout,
    Duration merchantCache,
    int refundRetentionDays,
    int snapshotEvery,
    boolean singleDesAllowed,
    Duration signOnWindow,
    RestartBackoff restartBackoff) {

  /** The defaults of reference.conf, for tools and tests. */
  public static TerminalSettings defaults(String acquirerId) {
    return new TerminalSettings(
        acquirerId,
        Duration.ofHours(24),
        Duration.ofMinutes(2),
        Duration.ofSeconds(60),
        Duration.ofSeconds(20),
        Duration.ofSeconds(2),
        Duration.ofMinutes(5),
        30,
        100,
        false,
        Duration.ofMinutes(2),
        new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(3), 0.2));
  }

  public TerminalSettings withSingleDesAllowed(boolean allowed) {
    return new TerminalSettings(
        acquirerId,
        keyMaxAge,
        idlePassivation,
        reversalMaxBackoff,
        reversalFirstRetry,
        merchantAskTimeout,
        merchantCache,
        refundRetentionDays,
        snapshotEvery,
        allowed,
        signOnWindow,
        restartBackoff);
  }

  public static TerminalSettings fromConfig(Config config) {
    Config c = config.getConfig("posp.terminal");
    return new TerminalSettings(
        config.getString("posp.card-bus.acquirer-id"),
        c.getDuration("key-max-age"),
        c.getDuration("idle-passivation"),
        c.getDuration("reversal-max-backoff"),
        c.getDuration("reversal-first-retry"),
        c.getDuration("merchant-ask-timeout"),
        c.getDuration("merchant-cache"),
        c.getInt("refund-retention-days"),
        atLeastOne(config, "posp.terminal.snapshot-every"),
        singleDesAllowed(config),
        c.getDuration("sign-on-window"),
        RestartBackoff.fromConfig(config, "posp.terminal.restart-backoff"));
  }

  static int atLeastOne(Config config, String key) {
    int v = config.getInt(key);
    if (v < 1) throw new IllegalArgumentException(key + " must be at least 1, got " + v);
    return v;
  }

  /** {@code posp.security.allow-single-des}, or demo mode ({@code posp.demo}). */
  public static boolean singleDesAllowed(Config config) {
    return config.getBoolean("posp.security.allow-single-des")
        || (config.hasPath("posp.demo") && config.getBoolean("posp.demo"));
  }
}
