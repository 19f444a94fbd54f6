package org.posp.channel;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.posp.channel.route.RouteTable;

/**
 * The {@code posp.card-bus} configuration (see this module's {@code reference.conf}, where every
 * key is documented), validated: a wrong value fails start-up with a message naming the key.
 */
public record CardBusSettings(
    String acquirerId,
    Duration echoInterval,
    int maxMissedEchoes,
    Duration logonTimeout,
    Duration connectTimeout,
    Duration minBackoff,
    Duration maxBackoff,
    double randomFactor,
    int maxFrameBytes,
    int sendQueueSize,
    List<EndpointSettings> endpoints,
    RouteTable routes) {

  /** How an endpoint spreads requests over its ready links. */
  public enum Strategy {
    /** every ready link in turn */
    ROUND_ROBIN,
    /** the first address with a ready link (its links in turn); later addresses are the fallback */
    PRIMARY_SECONDARY;

    static Strategy parse(String key, String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "round-robin" -> ROUND_ROBIN;
        case "primary-secondary" -> PRIMARY_SECONDARY;
        default ->
            throw new IllegalArgumentException(
                key + " must be round-robin or primary-secondary, got '" + value + "'");
      };
    }
  }

  /** A {@code host:port} of an endpoint, resolved at every connect (DNS may change). */
  public record Address(String host, int port) {
    static Address parse(String key, String hostPort) {
      int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw new IllegalArgumentException(
            key + ": address must be host:port, got '" + hostPort + "'");
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": port of '" + hostPort + "' is not a number");
      }
      if (port < 1 || port > 65535)
        throw new IllegalArgumentException(key + ": port of '" + hostPort + "' out of range");
      return new Address(host, port);
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** Where an endpoint's zone PIN key (ZPK) comes from. */
  public sealed interface ZpkSource {
    /** No ZPK: requests with a PIN cannot be sent to this endpoint. */
    record None() implements ZpkSource {}

    /** A clear key from configuration (demo and test only; logged as a warning, never printed). */
    record Clear(byte[] key) implements ZpkSource {
      @Override
      public String toString() {
        return "Clear[" + key.length + " bytes]";
      }
    }

    /** A key encrypted under the LMK, with its check value. */
    record UnderLmk(String cryptogramHex, String checkValue) implements ZpkSource {}
  }

  /** One endpoint (a named list of hosts speaking CMF). */
  public record EndpointSettings(
      String name,
      List<Address> addresses,
      int linksPerAddress,
      Strategy strategy,
      Duration timeout,
      int breakerMaxFailures,
      Duration breakerResetTimeout,
      ZpkSource zpk) {}

  /**
   * Reads {@code posp.card-bus} from a configuration that already has the module's reference.conf.
   */
  public static CardBusSettings fromConfig(Config root) {
    Config c = root.getConfig("posp.card-bus");
    String acquirerId = c.getString("acquirer-id").strip();
    Config defaults = c.getConfig("endpoint-defaults");
    List<EndpointSettings> endpoints = new ArrayList<>();
    // sorted: HOCON objects have no key order, status and logs should list endpoints the same way
    // each time
    for (String name : new TreeSet<>(c.getObject("endpoints").keySet())) {
      if (!name.matches("[A-Za-z0-9_-]{1,40}")) {
        throw new IllegalArgumentException(
            "posp.card-bus.endpoints: endpoint name '"
                + name
                + "' must be 1..40 letters, digits, '_' or '-'");
      }
      endpoints.add(
          endpoint(
              name, c.getConfig("endpoints").getConfig("\"" + name + "\"").withFallback(defaults)));
    }
    if (!endpoints.isEmpty() && !acquirerId.matches("\\d{1,11}")) {
      throw new IllegalArgumentException(
          "posp.card-bus.acquirer-id (field 32) must be 1..11 digits");
    }
    CardBusSettings s =
        new CardBusSettings(
            acquirerId,
            positive(c, "echo-interval"),
            atLeastOne(c, "max-missed-echoes"),
            positive(c, "logon-timeout"),
            positive(c, "connect-timeout"),
            positive(c, "reconnect.min-backoff"),
            positive(c, "reconnect.max-backoff"),
            c.getDouble("reconnect.random-factor"),
            atLeastOne(c, "max-frame-bytes"),
            atLeastOne(c, "send-queue-size"),
            List.copyOf(endpoints),
            RouteTable.fromConfig(c.getConfig("routes")));
    if (s.maxBackoff.compareTo(s.minBackoff) < 0) {
      throw new IllegalArgumentException(
          "posp.card-bus.reconnect.max-backoff is below min-backoff");
    }
    if (s.randomFactor < 0 || s.randomFactor > 1) {
      throw new IllegalArgumentException("posp.card-bus.reconnect.random-factor must be 0..1");
    }
    if (s.maxFrameBytes > 65535) {
      throw new IllegalArgumentException(
          "posp.card-bus.max-frame-bytes must fit the 2-byte length header (<= 65535)");
    }
    return s;
  }

  private static EndpointSettings endpoint(String name, Config e) {
    String key = "posp.card-bus.endpoints." + name;
    List<Address> addresses = new ArrayList<>();
    for (String a : e.getStringList("addresses"))
      addresses.add(Address.parse(key + ".addresses", a.strip()));
    if (addresses.isEmpty()) throw new IllegalArgumentException(key + ".addresses is empty");
    int breakerMax = atLeastOne(e, "breaker.max-failures");
    return new EndpointSettings(
        name,
        List.copyOf(addresses),
        atLeastOne(e, "links-per-address"),
        Strategy.parse(key + ".strategy", e.getString("strategy")),
        positive(e, "timeout"),
        breakerMax,
        positive(e, "breaker.reset-timeout"),
        zpk(key + ".zpk", e.getConfig("zpk")));
  }

  private static ZpkSource zpk(String key, Config z) {
    boolean clear = z.hasPath("clear") && !z.getString("clear").isBlank();
    boolean lmk = z.hasPath("under-lmk") && !z.getString("under-lmk").isBlank();
    if (clear && lmk)
      throw new IllegalArgumentException(key + ": set either clear or under-lmk, not both");
    if (clear) {
      String hex = z.getString("clear").strip();
      if (!(hex.length() == 16 || hex.length() == 32) || !hex.matches("[0-9A-Fa-f]+")) {
        // never echo the value: it is a key
        throw new IllegalArgumentException(key + ".clear must be 16 or 32 hex digits");
      }
      return new ZpkSource.Clear(HexFormat.of().parseHex(hex));
    }
    if (lmk) {
      if (!z.hasPath("check-value") || z.getString("check-value").isBlank()) {
        throw new IllegalArgumentException(key + ".check-value is required with under-lmk");
      }
      return new ZpkSource.UnderLmk(
          z.getString("under-lmk").strip(), z.getString("check-value").strip());
    }
    return new ZpkSource.None();
  }

  private static Duration positive(Config c, String path) {
    Duration d = c.getDuration(path);
    if (d.isNegative() || d.isZero())
      throw new IllegalArgumentException("posp.card-bus " + path + " must be positive");
    return d;
  }

  private static int atLeastOne(Config c, String path) {
    int v = c.getInt(path);
    if (v < 1) throw new IllegalArgumentException("posp.card-bus " + path + " must be at least 1");
    return v;
  }
}
