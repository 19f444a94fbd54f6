package org.posp.cluster;

import java.util.List;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting for the command lines the launcher prints and writes into restart scripts: an
 * operator copies them into a shell, so {@code slick.jdbc.PostgresProfile$} or a path with spaces
 * must arrive in the program exactly as the launcher passed it.
 */
final class Shell {
  private Shell() {}

  /**
   * One word: unchanged when it holds only characters no shell treats specially, else
   * single-quoted.
   */
  static String quote(String word) {
    if (!word.isEmpty() && word.chars().allMatch(Shell::plain)) return word;
    // inside single quotes nothing is special except the closing quote: end, escaped quote, reopen
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** The words quoted and joined with single spaces. */
  static String join(List<String> words) {
    return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
  }

  private static boolean plain(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-_./:=@,+%".indexOf(c) >= 0;
  }
}
