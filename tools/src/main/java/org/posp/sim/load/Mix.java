package org.posp.sim.load;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The transaction mix ({@code --mix sale=85,void=5,balance=8,reversal=2}): integer percentages that
 * add up to 100. Operations left out get 0 %.
 */
public record Mix(Map<LoadOperation, Integer> percentages) {

  public static final String DEFAULT = "sale=85,void=5,balance=8,reversal=2";

  public Mix {
    EnumMap<LoadOperation, Integer> copy = new EnumMap<>(LoadOperation.class);
    for (LoadOperation op : LoadOperation.values()) {
      int p = percentages.getOrDefault(op, 0);
      if (p < 0 || p > 100) {
        throw new IllegalArgumentException(
            "mix percentage of " + op.label() + " must be 0..100, was " + p);
      }
      copy.put(op, p);
    }
    int sum = copy.values().stream().mapToInt(Integer::intValue).sum();
    if (sum != 100) {
      throw new IllegalArgumentException(
          "mix percentages must add up to 100, they add up to " + sum);
    }
    percentages = Collections.unmodifiableMap(copy);
  }

  /** Parses {@code name=percent,...}; the exception names the faulty part. */
  public static Mix parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("mix is empty: give e.g. " + DEFAULT);
    }
    EnumMap<LoadOperation, Integer> p = new EnumMap<>(LoadOperation.class);
    for (String part : text.split(",")) {
      String item = part.strip();
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("mix item '" + item + "' is not name=percent");
      }
      String name = item.substring(0, eq).strip();
      LoadOperation op =
          LoadOperation.ofLabel(name)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown mix type '" + name + "' (known: " + labels() + ")"));
      int value;
      try {
        value = Integer.parseInt(item.substring(eq + 1).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "mix percentage of "
                + name
                + " is not a whole number: '"
                + item.substring(eq + 1).strip()
                + "'");
      }
      if (p.put(op, value) != null) {
        throw new IllegalArgumentException("mix type " + name + " given twice");
      }
    }
    return new Mix(p);
  }

  private static String labels() {
    return Arrays.stream(LoadOperation.values())
        .map(LoadOperation::label)
        .collect(Collectors.joining(", "));
  }

  /** The operation for a uniform random number in [0, 100). */
  public LoadOperation pick(double uniform0to100) {
    double acc = 0;
    LoadOperation last = null;
    for (Map.Entry<LoadOperation, Integer> e : percentages.entrySet()) {
      if (e.getValue() == 0) {
        continue;
      }
      acc += e.getValue();
      last = e.getKey();
      if (uniform0to100 < acc) {
        return last;
      }
    }
    return last; // uniform0to100 == 100 by rounding: the last non-zero type
  }

  /** Percentages by label, in declaration order (for the report). */
  public Map<String, Integer> byLabel() {
    Map<String, Integer> m = new LinkedHashMap<>();
    percentages.forEach((op, p) -> m.put(op.label(), p));
    return m;
  }

  @Override
  public String toString() {
    return percentages.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .map(e -> e.getKey().label() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
