package org.posp.sim.cardbus;

import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Configuration of the card-bus host simulator (卡总线主机模拟器).
 *
 * @param bindHost address to listen on; tests use 127.0.0.1
 * @param tcpPort card-bus TCP port, 0 = ephemeral
 * @param httpPort ledger/control HTTP port, 0 = ephemeral, -1 = no HTTP server
 * @param zpkHex the zone PIN key in clear hex, 16 (DES) or 32 (3DES) hex digits
 * @param lateDelay how long replies for PANs ending 9998 are held back
 * @param startingBalanceFen balance of every test card when first seen, in fen (分)
 * @param clock "today" for expiry checks and field 15 (settlement date)
 */
public record CardBusHostConfig(
    String bindHost,
    int tcpPort,
    int httpPort,
    String zpkHex,
    Duration lateDelay,
    long startingBalanceFen,
    Clock clock) {

  /**
   * The demo zone PIN key (double length, odd parity, clear): {@code
   * 1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A}. For demos and tests only; the switch's demo configuration
   * must use the same ZPK for this endpoint.
   */
  public static final String DEMO_ZPK = "1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A";

  public static final String DEFAULT_BIND_HOST = "127.0.0.1";
  public static final Duration DEFAULT_LATE_DELAY = Duration.ofSeconds(25);

  /** 1,000,000.00 CNY in fen. */
  public static final long DEFAULT_STARTING_BALANCE_FEN = 100_000_000L;

  public CardBusHostConfig {
    Objects.requireNonNull(bindHost, "bindHost");
    Objects.requireNonNull(zpkHex, "zpkHex");
    Objects.requireNonNull(lateDelay, "lateDelay");
    Objects.requireNonNull(clock, "clock");
    if (tcpPort < 0 || tcpPort > 65535) {
      throw new IllegalArgumentException("tcpPort must be 0..65535, got " + tcpPort);
    }
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException("httpPort must be -1 (off) or 0..65535, got " + httpPort);
    }
    if (!zpkHex.matches("[0-9A-Fa-f]{16}|[0-9A-Fa-f]{32}")) {
      // Never echo the value: it is key material.
      throw new IllegalArgumentException(
          "zpkHex must be 16 or 32 hex digits, got " + zpkHex.length() + " characters");
    }
    if (lateDelay.isNegative()) {
      throw new IllegalArgumentException("lateDelay must not be negative, got " + lateDelay);
    }
    if (startingBalanceFen < 0) {
      throw new IllegalArgumentException(
          "startingBalanceFen must not be negative, got " + startingBalanceFen);
    }
  }

  /**
   * 127.0.0.1, ephemeral TCP and HTTP ports, {@link #DEMO_ZPK}, 25 s late delay, 1,000,000.00,
   * system clock.
   */
  public static CardBusHostConfig defaults() {
    return new CardBusHostConfig(
        DEFAULT_BIND_HOST,
        0,
        0,
        DEMO_ZPK,
        DEFAULT_LATE_DELAY,
        DEFAULT_STARTING_BALANCE_FEN,
        Clock.systemDefaultZone());
  }

  public CardBusHostConfig withBindHost(String value) {
    return new CardBusHostConfig(
        value, tcpPort, httpPort, zpkHex, lateDelay, startingBalanceFen, clock);
  }

  public CardBusHostConfig withTcpPort(int value) {
    return new CardBusHostConfig(
        bindHost, value, httpPort, zpkHex, lateDelay, startingBalanceFen, clock);
  }

  public CardBusHostConfig withHttpPort(int value) {
    return new CardBusHostConfig(
        bindHost, tcpPort, value, zpkHex, lateDelay, startingBalanceFen, clock);
  }

  public CardBusHostConfig withZpkHex(String value) {
    return new CardBusHostConfig(
        bindHost, tcpPort, httpPort, value, lateDelay, startingBalanceFen, clock);
  }

  public CardBusHostConfig withLateDelay(Duration value) {
    return new CardBusHostConfig(
        bindHost, tcpPort, httpPort, zpkHex, value, startingBalanceFen, clock);
  }

  public CardBusHostConfig withStartingBalanceFen(long value) {
    return new CardBusHostConfig(bindHost, tcpPort, httpPort, zpkHex, lateDelay, value, clock);
  }

  public CardBusHostConfig withClock(Clock value) {
    return new CardBusHostConfig(
        bindHost, tcpPort, httpPort, zpkHex, lateDelay, startingBalanceFen, value);
  }

  byte[] zpk() {
    return HexFormat.of().parseHex(zpkHex);
  }

  /** Hides the key: records print every component otherwise. */
  @Override
  public String toString() {
    return "CardBusHostConfig[bindHost="
        + bindHost
        + ", tcpPort="
        + tcpPort
        + ", httpPort="
        + httpPort
        + ", zpk=<"
        + zpkHex.length() / 2
        + " bytes hidden>, lateDelay="
        + lateDelay
        + ", startingBalanceFen="
        + startingBalanceFen
        + ", clock="
        + clock
        + "]";
  }
}
