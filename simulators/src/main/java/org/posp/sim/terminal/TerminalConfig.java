package org.posp.sim.terminal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How one simulated terminal reaches the switch and who it is.
 *
 * @param nodes switch nodes; {@code connect()} uses the first reachable one, reconnections go round
 *     robin
 * @param merchantId field 42 (15 characters)
 * @param terminalId field 41 (8 characters)
 * @param tmkHex clear terminal master key (主密钥): 16 hex digits for scheme 001, 32 for 003/004
 * @param keyScheme 60.3 of the sign-on: "001", "003" or "004"
 * @param tls wrap the socket in TLS
 * @param trustAll DEMO ONLY: accept any server certificate and host name (the demo's self-signed
 *     certificate); never use against a real switch
 * @param replyTimeout how long to wait for a reply before treating it as lost (default 60 s)
 * @param connectTimeout TCP connect timeout per node
 * @param tpduDestination TPDU destination address, 4 hex digits (default "0003")
 * @param tpduSource TPDU source address, 4 hex digits (default "0000")
 * @param headerHex request header, 12 hex digits (default {@code 603200000000}: magstripe app,
 *     version 32, status normal, R = 0)
 * @param operatorCode 63.1 operator code, 3 characters (default "01 ")
 * @param maxReversalAttempts how many times one flush sends a pending reversal before giving up for
 *     now
 * @param autoSignOn sign on again by itself before the next transaction when the switch asked for
 *     it (header R = 3 or 39 = 77), as a real terminal prompts its operator to
 * @param macAlgorithm {@link #CUP_ECB} (docs/protocol/terminal.md §11.2, default) or {@link #X919}
 *     (ANSI X9.19 retail MAC; the sign-on's MAK slot then holds a double-length MAK); as the
 *     terminal was provisioned
 */
public record TerminalConfig(
    List<InetSocketAddress> nodes,
    String merchantId,
    String terminalId,
    String tmkHex,
    String keyScheme,
    boolean tls,
    boolean trustAll,
    Duration replyTimeout,
    Duration connectTimeout,
    String tpduDestination,
    String tpduSource,
    String headerHex,
    String operatorCode,
    int maxReversalAttempts,
    boolean autoSignOn,
    String macAlgorithm) {

  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(60);
  public static final String DEFAULT_HEADER = "603200000000";

  /** The MAC of docs/protocol/terminal.md §11.2 (the default). */
  public static final String CUP_ECB = "CUP_ECB";

  /**
   * ANSI X9.19 retail MAC under a double-length MAK (scheme 003/004), for terminals provisioned
   * with it.
   */
  public static final String X919 = "X919";

  public TerminalConfig {
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("at least one switch node is needed");
    }
    if (merchantId == null || merchantId.length() != 15) {
      throw new IllegalArgumentException("merchant id (42) must be 15 characters");
    }
    if (terminalId == null || terminalId.length() != 8) {
      throw new IllegalArgumentException("terminal id (41) must be 8 characters");
    }
    if (!"001".equals(keyScheme) && !"003".equals(keyScheme) && !"004".equals(keyScheme)) {
      throw new IllegalArgumentException("key scheme must be 001, 003 or 004");
    }
    int tmkDigits = SignOnKeyBlock.tmkLengthOf(keyScheme) * 2;
    if (tmkHex == null || !tmkHex.matches("[0-9A-Fa-f]{" + tmkDigits + "}")) {
      throw new IllegalArgumentException(
          "TMK must be " + tmkDigits + " hex digits for scheme " + keyScheme);
    }
    Frame.tpdu(tpduDestination, tpduSource); // validates
    if (headerHex == null || !headerHex.matches("\\d{12}")) {
      throw new IllegalArgumentException("header must be 12 BCD digits");
    }
    if (operatorCode == null || operatorCode.length() != 3) {
      throw new IllegalArgumentException("operator code (63.1) must be 3 characters");
    }
    if (replyTimeout == null
        || replyTimeout.isNegative()
        || replyTimeout.isZero()
        || connectTimeout == null
        || connectTimeout.isNegative()
        || connectTimeout.isZero()) {
      throw new IllegalArgumentException("reply and connect timeouts must be positive");
    }
    if (!CUP_ECB.equals(macAlgorithm) && !X919.equals(macAlgorithm)) {
      throw new IllegalArgumentException("MAC algorithm must be " + CUP_ECB + " or " + X919);
    }
    if (X919.equals(macAlgorithm) && "001".equals(keyScheme)) {
      throw new IllegalArgumentException(
          "the X919 MAC needs key scheme 003 or 004 (a double-length MAK)");
    }
    if (maxReversalAttempts < 1) {
      throw new IllegalArgumentException("maxReversalAttempts must be at least 1");
    }
  }

  /** Defaults: scheme 003, plain TCP, 60 s reply timeout, TPDU 60 0003 0000, operator "01 ". */
  public static TerminalConfig of(
      List<InetSocketAddress> nodes, String merchantId, String terminalId, String tmkHex) {
    return of(nodes, merchantId, terminalId, tmkHex, "003");
  }

  /** Defaults as {@link #of(List, String, String, String)} with the given key scheme. */
  public static TerminalConfig of(
      List<InetSocketAddress> nodes,
      String merchantId,
      String terminalId,
      String tmkHex,
      String keyScheme) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        false,
        false,
        DEFAULT_REPLY_TIMEOUT,
        Duration.ofSeconds(5),
        "0003",
        "0000",
        DEFAULT_HEADER,
        "01 ",
        3,
        true,
        CUP_ECB);
  }

  public TerminalConfig withKeyScheme(String scheme, String tmk) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmk,
        scheme,
        tls,
        trustAll,
        replyTimeout,
        connectTimeout,
        tpduDestination,
        tpduSource,
        headerHex,
        operatorCode,
        maxReversalAttempts,
        autoSignOn,
        macAlgorithm);
  }

  /** TLS on; {@code trustAllDemoOnly} accepts any certificate (the demo's self-signed one). */
  public TerminalConfig withTls(boolean trustAllDemoOnly) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        true,
        trustAllDemoOnly,
        replyTimeout,
        connectTimeout,
        tpduDestination,
        tpduSource,
        headerHex,
        operatorCode,
        maxReversalAttempts,
        autoSignOn,
        macAlgorithm);
  }

  public TerminalConfig withReplyTimeout(Duration timeout) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        tls,
        trustAll,
        timeout,
        connectTimeout,
        tpduDestination,
        tpduSource,
        headerHex,
        operatorCode,
        maxReversalAttempts,
        autoSignOn,
        macAlgorithm);
  }

  public TerminalConfig withTpdu(String destination, String source) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        tls,
        trustAll,
        replyTimeout,
        connectTimeout,
        destination,
        source,
        headerHex,
        operatorCode,
        maxReversalAttempts,
        autoSignOn,
        macAlgorithm);
  }

  public TerminalConfig withHeader(String header) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        tls,
        trustAll,
        replyTimeout,
        connectTimeout,
        tpduDestination,
        tpduSource,
        header,
        operatorCode,
        maxReversalAttempts,
        autoSignOn,
        macAlgorithm);
  }

  public TerminalConfig withOperatorCode(String code) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        tls,
        trustAll,
        replyTimeout,
        connectTimeout,
        tpduDestination,
        tpduSource,
        headerHex,
        code,
        maxReversalAttempts,
        autoSignOn,
        macAlgorithm);
  }

  public TerminalConfig withMaxReversalAttempts(int attempts) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        tls,
        trustAll,
        replyTimeout,
        connectTimeout,
        tpduDestination,
        tpduSource,
        headerHex,
        operatorCode,
        attempts,
        autoSignOn,
        macAlgorithm);
  }

  public TerminalConfig withAutoSignOn(boolean auto) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        tls,
        trustAll,
        replyTimeout,
        connectTimeout,
        tpduDestination,
        tpduSource,
        headerHex,
        operatorCode,
        maxReversalAttempts,
        auto,
        macAlgorithm);
  }

  /** The MAC algorithm the terminal was provisioned with: {@link #CUP_ECB} or {@link #X919}. */
  public TerminalConfig withMacAlgorithm(String algorithm) {
    return new TerminalConfig(
        nodes,
        merchantId,
        terminalId,
        tmkHex,
        keyScheme,
        tls,
        trustAll,
        replyTimeout,
        connectTimeout,
        tpduDestination,
        tpduSource,
        headerHex,
        operatorCode,
        maxReversalAttempts,
        autoSignOn,
        algorithm);
  }

  byte[] tmk() {
    return Hex.parse(tmkHex, "TMK");
  }

  @Override
  public String toString() {
    return "TerminalConfig[nodes="
        + nodes
        + ", mid="
        + merchantId
        + ", tid="
        + terminalId
        + ", scheme="
        + keyScheme
        + ", mac="
        + macAlgorithm
        + ", tls="
        + tls
        + (trustAll ? " (trust-all, demo only)" : "")
        + ", replyTimeout="
        + replyTimeout
        + ", tpdu=60"
        + tpduDestination
        + tpduSource
        + ", header="
        + headerHex
        + "]";
  }
}
