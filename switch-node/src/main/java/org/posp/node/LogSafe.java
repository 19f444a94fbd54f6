package org.posp.node;

/**
 * Text from the network made safe for a log line: printable ASCII only (anything else, control
 * bytes and line breaks included, becomes {@code ?}), at most 64 characters, so that a hostile
 * frame can neither forge log lines nor flood them.
 */
final class LogSafe {
  private static final int MAX = 64;

  private LogSafe() {}

  static String of(String text) {
    if (text == null) return "-";
    int n = Math.min(text.length(), MAX);
    StringBuilder b = new StringBuilder(n + 3);
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (text.length() > MAX) b.append("...");
    return b.toString();
  }
}
