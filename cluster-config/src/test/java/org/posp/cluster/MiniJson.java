package org.posp.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) for the dashboard test: objects become {@code LinkedHashMap},
 * arrays {@code List}, numbers {@code Long} or {@code Double}, {@code null} Java null. Jackson is
 * not managed by the parent pom, and a dashboard is small, so the test reads it itself; a duplicate
 * key or trailing garbage is an error (Grafana would silently keep the last key and hide a
 * copy-paste mistake).
 */
final class MiniJson {
  private final String text;
  private int pos;

  private MiniJson(String text) {
    this.text = text;
  }

  static Object parse(String text) {
    MiniJson p = new MiniJson(text);
    Object value = p.value();
    p.skipWhitespace();
    if (p.pos != text.length()) {
      throw p.error("trailing characters after the JSON value");
    }
    return value;
  }

  private IllegalArgumentException error(String what) {
    return error(what, pos);
  }

  private IllegalArgumentException error(String what, int at) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(at, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new IllegalArgumentException("JSON line " + line + " column " + column + ": " + what);
  }

  private void skipWhitespace() {
    while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private char next() {
    skipWhitespace();
    if (pos >= text.length()) {
      throw error("unexpected end of input");
    }
    return text.charAt(pos);
  }

  private void expect(char c) {
    if (next() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private Object value() {
    char c = next();
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || Character.isDigit(c)) {
          yield number();
        }
        throw error("unexpected character '" + c + "'");
      }
    };
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("expected " + word);
    }
    pos += word.length();
    return value;
  }

  private Map<String, Object> object() {
    expect('{');
    Map<String, Object> map = new LinkedHashMap<>();
    if (next() == '}') {
      pos++;
      return map;
    }
    while (true) {
      if (next() != '"') {
        throw error("expected a member name");
      }
      int keyStart = pos;
      String key = string();
      if (map.containsKey(key)) {
        throw error("duplicate key \"" + key + "\"", keyStart);
      }
      expect(':');
      map.put(key, value());
      char c = next();
      pos++;
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array() {
    expect('[');
    List<Object> list = new ArrayList<>();
    if (next() == ']') {
      pos++;
      return list;
    }
    while (true) {
      list.add(value());
      char c = next();
      pos++;
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("unterminated escape");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length() || !text.substring(pos, pos + 4).matches("[0-9a-fA-F]{4}")) {
            throw error("bad \\u escape");
          }
          sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          pos += 4;
        }
        default -> {
          pos--;
          throw error("bad escape \\" + e);
        }
      }
    }
  }

  private Object number() {
    int start = pos;
    if (text.charAt(pos) == '-') {
      pos++;
    }
    int digits = pos;
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    if (pos == digits || (text.charAt(digits) == '0' && pos - digits > 1)) {
      throw error("bad number");
    }
    boolean integral = true;
    if (pos < text.length() && text.charAt(pos) == '.') {
      integral = false;
      pos++;
      int fraction = pos;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      if (pos == fraction) {
        throw error("bad number: no digit after '.'");
      }
    }
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        pos++;
      }
      int exponent = pos;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      if (pos == exponent) {
        throw error("bad number: no digit in the exponent");
      }
    }
    String n = text.substring(start, pos);
    if (!integral) {
      return Double.parseDouble(n);
    }
    try {
      return Long.parseLong(n);
    } catch (NumberFormatException e) {
      throw error("integer " + n + " out of range");
    }
  }
}
