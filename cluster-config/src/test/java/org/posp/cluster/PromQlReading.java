package org.posp.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a dashboard expression reads: its metric selectors (name, matcher text, the function
 * directly around it) and the functions and aggregations it calls. A tokenizer, not a PromQL
 * parser: enough to check that a dashboard only reads metrics the switch exports, in the form they
 * are exported in.
 */
record PromQlReading(List<Selector> selectors, Set<String> functions) {

  /**
   * One metric selector: {@code name{matchers}}; {@code enclosing} is the call it is an argument
   * of, or "".
   */
  record Selector(String metric, String matchers, String enclosing) {}

  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool",
          "and",
          "or",
          "unless");

  Set<String> metrics() {
    Set<String> names = new LinkedHashSet<>();
    selectors.forEach(s -> names.add(s.metric()));
    return names;
  }

  static PromQlReading of(String expr) {
    List<String> tokens = tokens(expr);
    List<Selector> selectors = new ArrayList<>();
    Set<String> functions = new LinkedHashSet<>();
    Deque<String> calls = new ArrayDeque<>();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
      if (t.equals("(")) {
        calls.push("");
      } else if (t.equals(")")) {
        if (calls.isEmpty()) {
          throw new IllegalArgumentException("unbalanced ')' in " + expr);
        }
        calls.pop();
      } else if (t.equals("[")) {
        i = skipTo(tokens, i, "]", expr);
      } else if ((t.equals("by") || t.equals("without")) && next.equals("(")) {
        i = skipTo(tokens, i + 1, ")", expr);
      } else if (isIdentifier(t) && (next.equals("by") || next.equals("without"))) {
        int list = skipTo(tokens, i + 1, ")", expr); // sum by (a, b) (expr)
        if (list + 1 >= tokens.size() || !tokens.get(list + 1).equals("(")) {
          throw new IllegalArgumentException(
              "expected '(' after " + t + " " + next + " (...) in " + expr);
        }
        functions.add(t);
        calls.push(t);
        i = list + 1;
      } else if (isIdentifier(t) && next.equals("(")) {
        functions.add(t);
        calls.push(t);
        i++;
      } else if (isIdentifier(t) && !KEYWORDS.contains(t)) {
        String matchers = "";
        if (next.equals("{")) {
          int end = skipTo(tokens, i + 1, "}", expr);
          matchers = String.join("", tokens.subList(i + 2, end));
          i = end;
        }
        selectors.add(new Selector(t, matchers, calls.isEmpty() ? "" : calls.peek()));
      }
    }
    if (!calls.isEmpty()) {
      throw new IllegalArgumentException("unbalanced '(' in " + expr);
    }
    return new PromQlReading(List.copyOf(selectors), Set.copyOf(functions));
  }

  private static int skipTo(List<String> tokens, int from, String close, String expr) {
    for (int j = from + 1; j < tokens.size(); j++) {
      if (tokens.get(j).equals(close)) {
        return j;
      }
    }
    throw new IllegalArgumentException("missing '" + close + "' in " + expr);
  }

  private static boolean isIdentifier(String t) {
    return t.matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
  }

  /** Identifiers, numbers and durations, string literals (quotes kept), operators and brackets. */
  static List<String> tokens(String expr) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < expr.length()) {
      char c = expr.charAt(i);
      int start = i;
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '"') {
        i++;
        while (i < expr.length() && expr.charAt(i) != '"') {
          i += expr.charAt(i) == '\\' ? 2 : 1;
        }
        if (i >= expr.length()) {
          throw new IllegalArgumentException("unterminated string in " + expr);
        }
        i++;
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == ':' || c == '.') {
        while (i < expr.length()
            && (Character.isLetterOrDigit(expr.charAt(i)) || "_:.".indexOf(expr.charAt(i)) >= 0)) {
          i++;
        }
      } else if (i + 1 < expr.length()
          && Set.of("=~", "!~", "!=", "==", ">=", "<=").contains(expr.substring(i, i + 2))) {
        i += 2;
      } else {
        i++;
      }
      out.add(expr.substring(start, i));
    }
    return out;
  }
}
