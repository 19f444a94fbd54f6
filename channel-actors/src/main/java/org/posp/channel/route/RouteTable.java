package org.posp.channel.route;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardOperation;

/**
 * The card-bus route table (路由表, docs/protocol/card-bus.md §4): an immutable value that maps a
 * request to an endpoint name. Transfers go to the transfer endpoint (CNAPS, 二代支付) when one is
 * configured; every other card message goes to the endpoint of the longest BIN prefix of its PAN
 * that is in {@code bins}, else to the default endpoint. Voids and reversals are routed as the
 * operation they refer to, so they reach the host that saw the original.
 *
 * @param bins BIN prefix (1..19 digits) to endpoint name
 * @param transferEndpoint endpoint for TRANSFER, or null to route transfers like any card message
 * @param defaultEndpoint endpoint when no BIN prefix matches, or null (such requests get "no
 *     route")
 */
public record RouteTable(
    Map<String, String> bins, String transferEndpoint, String defaultEndpoint) {

  public RouteTable {
    TreeMap<String, String> copy = new TreeMap<>();
    if (bins != null) {
      for (Map.Entry<String, String> e : bins.entrySet()) {
        String bin = e.getKey();
        if (bin == null || !bin.matches("\\d{1,19}")) {
          throw new IllegalArgumentException(
              "route table: BIN prefix must be 1..19 digits, got '" + bin + "'");
        }
        copy.put(bin, requireName(e.getValue(), "endpoint of BIN " + bin));
      }
    }
    bins = Collections.unmodifiableMap(copy);
    transferEndpoint = blankToNull(transferEndpoint, "transfer endpoint");
    defaultEndpoint = blankToNull(defaultEndpoint, "default endpoint");
  }

  /** A table that sends everything to one endpoint (a single BEAI bus). */
  public static RouteTable single(String endpoint) {
    return new RouteTable(Map.of(), endpoint, endpoint);
  }

  /**
   * Reads {@code bins { "622202" = core }, transfer = cnaps, default = cups} (transfer and default
   * may be empty strings or null for none).
   */
  public static RouteTable fromConfig(Config routes) {
    Map<String, String> bins = new TreeMap<>();
    if (routes.hasPath("bins")) {
      routes
          .getObject("bins")
          .forEach(
              (bin, value) -> {
                if (value.valueType() != ConfigValueType.STRING) {
                  throw new IllegalArgumentException(
                      "routes.bins." + bin + " must be an endpoint name");
                }
                bins.put(bin, (String) value.unwrapped());
              });
    }
    String transfer = routes.hasPath("transfer") ? routes.getString("transfer") : null;
    String deflt = routes.hasPath("default") ? routes.getString("default") : null;
    return new RouteTable(bins, transfer, deflt);
  }

  /** The endpoint for a request, or empty when no route exists. */
  public Optional<String> route(CardBusRequest request) {
    return route(request.operation(), request.originalOperation(), request.effectivePan());
  }

  /** The endpoint for an operation (for VOID and REVERSAL: the referred operation) and a PAN. */
  public Optional<String> route(
      CardOperation operation, CardOperation originalOperation, String pan) {
    CardOperation effective = operation;
    if ((operation == CardOperation.VOID || operation == CardOperation.REVERSAL)
        && originalOperation != null) {
      effective = originalOperation;
    }
    if (effective == CardOperation.TRANSFER && transferEndpoint != null) {
      return Optional.of(transferEndpoint);
    }
    if (pan != null) {
      for (int len = Math.min(pan.length(), 19); len > 0; len--) {
        String endpoint = bins.get(pan.substring(0, len));
        if (endpoint != null) return Optional.of(endpoint);
      }
    }
    return Optional.ofNullable(defaultEndpoint);
  }

  /** Every endpoint name the table refers to (to check them against the configured endpoints). */
  public Set<String> endpoints() {
    Set<String> names = new TreeSet<>(bins.values());
    if (transferEndpoint != null) names.add(transferEndpoint);
    if (defaultEndpoint != null) names.add(defaultEndpoint);
    return names;
  }

  private static String requireName(String name, String what) {
    if (name == null || name.isBlank())
      throw new IllegalArgumentException("route table: " + what + " is empty");
    return name.strip();
  }

  private static String blankToNull(String name, String what) {
    return name == null || name.isBlank() ? null : requireName(name, what);
  }
}
