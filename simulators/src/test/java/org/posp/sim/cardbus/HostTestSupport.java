package org.posp.sim.cardbus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts a host on an ephemeral loopback port and a client for each test; stops both after it. */
abstract class HostTestSupport {

  static final Duration REPLY = Duration.ofSeconds(5);
  static final Duration LATE_DELAY = Duration.ofMillis(400);
  static final long START = CardBusHostConfig.DEFAULT_STARTING_BALANCE_FEN;

  /** "Today" is 2025-06-15: cards expiring 2506 are still good, 2505 are expired. */
  static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-15T02:00:00Z"), ZoneOffset.UTC);

  CardBusHost host;
  CmfTestClient client;

  CardBusHostConfig config() {
    return CardBusHostConfig.defaults().withHttpPort(-1).withLateDelay(LATE_DELAY).withClock(CLOCK);
  }

  @BeforeEach
  void startHost() throws Exception {
    host = CardBusHost.start(config());
    client = CmfTestClient.connect(host.port());
  }

  @AfterEach
  void stopHost() throws Exception {
    if (client != null) {
      client.close();
    }
    if (host != null) {
      host.close();
    }
  }

  ISOMsg call(ISOMsg request) throws Exception {
    return client.request(request, REPLY);
  }

  long balance(String pan) {
    return host.ledger().card(pan).balanceFen();
  }

  long available(String pan) {
    return host.ledger().card(pan).availableFen();
  }
}
