package org.posp.terminal;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the merchant entities ({@code posp.merchant} in reference.conf), validated: a wrong
 * value stops the start with a message naming the key.
 *
 * @param snapshotEvery events between snapshots (the last two are kept)
 * @param restartBackoff restart of an entity whose journal write or recovery failed
 */
public record MerchantSettings(int snapshotEvery, RestartBackoff restartBackoff) {

  /** The defaults of reference.conf, for tools and tests. */
  public static MerchantSettings defaults() {
    return new MerchantSettings(
        200, new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
  }

  public static MerchantSettings fromConfig(Config config) {
    return new MerchantSettings(
        TerminalSettings.atLeastOne(config, "posp.merchant.snapshot-every"),
        RestartBackoff.fromConfig(config, "posp.merchant.restart-backoff"));
  }
}
