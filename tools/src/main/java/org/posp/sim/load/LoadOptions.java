package org.posp.sim.load;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.posp.sim.terminal.Card;
import org.posp.sim.terminal.TerminalConfig;

/**
 * The load generator's command line, validated. Terminals are {@code mid} with terminal ids {@code
 * firstTid .. firstTid + terminals - 1} (8 digits); terminal {@code i} lists every node, starting
 * with node {@code i mod nodes} so that first connections spread round robin. Every terminal uses
 * its own test card (see {@link TestCards}).
 *
 * @param duration measured time, after the warm-up
 * @param warmup time before the measurement whose results are not recorded
 * @param amountFen amount of every sale
 * @param pin PIN entered with every card, or null (entry mode 022)
 * @param report JSON report file, or null
 * @param provisionUrl base URL of the switch's admin API ({@code http://host:8080}), or null
 * @param signOnParallelism how many sign-ons (and, in sign-on-only mode, connections) at once
 * @param settle every terminal settles its batch after the run (not measured)
 */
public record LoadOptions(
    List<InetSocketAddress> nodes,
    String merchantId,
    int firstTid,
    int terminals,
    String tmkHex,
    String keyScheme,
    LoadMode mode,
    Mix mix,
    Duration duration,
    Duration warmup,
    Duration progress,
    Duration replyTimeout,
    Duration connectTimeout,
    long amountFen,
    String pin,
    Path report,
    URI provisionUrl,
    String adminToken,
    int provisionParallelism,
    int signOnParallelism,
    boolean settle) {

  /** A mistake on the command line: exit code 2 with the message and the usage text. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }

  public static final String DEMO_MID = "898100012340001";
  public static final String DEMO_TMK = "0123456789ABCDEFFEDCBA9876543210";
  public static final String DEMO_ADMIN_TOKEN = "demo-admin-token";
  public static final int DEFAULT_MAX_CONCURRENCY = 256;
  public static final int DEFAULT_CLOSED_CONCURRENCY = 64;

  public static final String USAGE =
      String.join(
          "\n",
          "usage: LoadGenerator --nodes HOST:PORT[,HOST:PORT...] [--mid MID(15)] [--first-tid TID(8)]",
          "         [--terminals N] [--tmk HEX] [--scheme 001|003|004]",
          "         [--concurrency C | --rate R [--max-concurrency M]] [--duration 60s] [--warmup 10s]",
          "         [--mix " + Mix.DEFAULT + "] [--progress 5s] [--report FILE.json]",
          "         [--timeout 60s] [--connect-timeout 5s] [--amount 1.00] [--pin 123456 | --no-pin]",
          "         [--provision http://HOST:8080 [--admin-token T]] [--sign-on-parallelism 32]",
          "         [--sign-on-only] [--no-settle]",
          "Defaults: the demo merchant "
              + DEMO_MID
              + ", terminals from 10000001, 100 terminals, the demo TMK,",
          "scheme 003, closed loop with concurrency min(N, "
              + DEFAULT_CLOSED_CONCURRENCY
              + "), max concurrency "
              + DEFAULT_MAX_CONCURRENCY
              + ",",
          "PIN 123456, amount 1.00 yuan. Durations: 500ms, 10s, 2m, or seconds. --duration is measured after",
          "--warmup. Closed loop: C terminals busy at once (C <= N). Open loop: R requests/s at fixed",
          "intervals, latency from the intended send time (queueing included). --provision PUTs every",
          "terminal to /admin/terminals/{mid}/{tid} (token: --admin-token, else $POSP_ADMIN_TOKEN, else",
          "the demo token). After the run every terminal settles its batch (not measured), so that the next run's",
          "STANs are new transactions; --no-settle skips it. --sign-on-only: provision + sign on all N terminals once (connections closed",
          "after each sign-on), print the time taken, exit.",
          "Exit code: 0 run completed, 1 nothing could connect / provisioning or sign-on failed, 2 usage.");

  private static final Set<String> VALUED =
      Set.of(
          "nodes",
          "mid",
          "first-tid",
          "terminals",
          "tmk",
          "scheme",
          "concurrency",
          "rate",
          "max-concurrency",
          "duration",
          "warmup",
          "mix",
          "progress",
          "report",
          "timeout",
          "connect-timeout",
          "amount",
          "pin",
          "provision",
          "admin-token",
          "sign-on-parallelism",
          "provision-parallelism");
  private static final Set<String> FLAGS = Set.of("sign-on-only", "no-pin", "no-settle");
  private static final Set<String> LOAD_ONLY =
      Set.of("concurrency", "rate", "max-concurrency", "duration", "warmup", "mix");

  public LoadOptions {
    nodes = List.copyOf(nodes);
  }

  /** Parses the command line; {@code env} supplies POSP_ADMIN_TOKEN. */
  public static LoadOptions parse(String[] args, Map<String, String> env) throws UsageException {
    Map<String, String> o = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      if (FLAGS.contains(name)) {
        flags.add(name);
        continue;
      }
      if (!VALUED.contains(name)) {
        throw new UsageException("unknown option " + a);
      }
      if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
        throw new UsageException("option " + a + " needs a value");
      }
      if (o.put(name, args[++i]) != null) {
        throw new UsageException("option " + a + " given twice");
      }
    }
    if (!o.containsKey("nodes")) {
      throw new UsageException("missing --nodes HOST:PORT[,HOST:PORT...]");
    }
    List<InetSocketAddress> nodes = nodes(o.get("nodes"));
    String mid = o.getOrDefault("mid", DEMO_MID);
    if (mid.length() != 15) {
      throw new UsageException("--mid must be 15 characters (field 42)");
    }
    String firstTidText = o.getOrDefault("first-tid", "10000001");
    if (!firstTidText.matches("\\d{8}")) {
      throw new UsageException("--first-tid must be 8 digits, was '" + firstTidText + "'");
    }
    int firstTid = Integer.parseInt(firstTidText);
    int terminals = intOption(o, "terminals", 100, 1);
    if ((long) firstTid + terminals - 1 > 99_999_999L) {
      throw new UsageException(
          "--first-tid "
              + firstTidText
              + " + --terminals "
              + terminals
              + " runs past terminal id 99999999");
    }
    String tmk = o.getOrDefault("tmk", DEMO_TMK);
    String scheme = o.getOrDefault("scheme", "003");
    boolean signOnOnly = flags.contains("sign-on-only");
    LoadMode mode = mode(o, signOnOnly, terminals);
    Mix mix;
    try {
      mix = Mix.parse(o.getOrDefault("mix", Mix.DEFAULT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--mix: " + e.getMessage());
    }
    Duration duration = duration(o, "duration", "60s", false);
    Duration warmup = duration(o, "warmup", "10s", true);
    if (signOnOnly) {
      duration = Duration.ZERO;
      warmup = Duration.ZERO;
    }
    Duration progress = duration(o, "progress", "5s", false);
    Duration timeout = duration(o, "timeout", "60s", false);
    Duration connectTimeout = duration(o, "connect-timeout", "5s", false);
    long amount = amountFen(o.getOrDefault("amount", "1.00"));
    String pin = o.getOrDefault("pin", "123456");
    if (flags.contains("no-pin")) {
      if (o.containsKey("pin")) {
        throw new UsageException("--pin and --no-pin exclude each other");
      }
      pin = null;
    } else if (!pin.matches("\\d{4,12}")) {
      throw new UsageException("--pin must be 4 to 12 digits");
    }
    Path report = o.containsKey("report") ? Path.of(o.get("report")) : null;
    URI provision = o.containsKey("provision") ? provisionUrl(o.get("provision")) : null;
    if (provision == null && o.containsKey("admin-token")) {
      throw new UsageException("--admin-token applies to --provision only");
    }
    String token =
        o.getOrDefault("admin-token", env.getOrDefault("POSP_ADMIN_TOKEN", DEMO_ADMIN_TOKEN));
    if (token.isBlank()) {
      token = DEMO_ADMIN_TOKEN;
    }
    int provisionParallelism = intOption(o, "provision-parallelism", 32, 1);
    int signOnParallelism = intOption(o, "sign-on-parallelism", 32, 1);
    try {
      LoadOptions parsed =
          new LoadOptions(
              nodes,
              mid,
              firstTid,
              terminals,
              tmk,
              scheme,
              mode,
              mix,
              duration,
              warmup,
              progress,
              timeout,
              connectTimeout,
              amount,
              pin,
              report,
              provision,
              token,
              provisionParallelism,
              signOnParallelism,
              !flags.contains("no-settle"));
      parsed.terminalConfig(0); // validates TMK, scheme and timeouts as a terminal would
      return parsed;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static LoadMode mode(Map<String, String> o, boolean signOnOnly, int terminals)
      throws UsageException {
    if (signOnOnly) {
      for (String n : LOAD_ONLY) {
        if (o.containsKey(n)) {
          throw new UsageException("--" + n + " does not apply to --sign-on-only");
        }
      }
      return new LoadMode.SignOnOnly();
    }
    if (o.containsKey("rate") && o.containsKey("concurrency")) {
      throw new UsageException(
          "--rate (open loop) and --concurrency (closed loop) exclude each other");
    }
    if (o.containsKey("rate")) {
      double rate;
      try {
        rate = Double.parseDouble(o.get("rate"));
      } catch (NumberFormatException e) {
        throw new UsageException(
            "--rate must be a number of requests per second, was '" + o.get("rate") + "'");
      }
      if (!(rate > 0) || Double.isInfinite(rate) || rate > 1_000_000) {
        throw new UsageException(
            "--rate must be more than 0 and at most 1000000 requests per second");
      }
      return new LoadMode.Open(rate, intOption(o, "max-concurrency", DEFAULT_MAX_CONCURRENCY, 1));
    }
    if (o.containsKey("max-concurrency")) {
      throw new UsageException("--max-concurrency applies to the open loop (--rate) only");
    }
    int c = intOption(o, "concurrency", Math.min(terminals, DEFAULT_CLOSED_CONCURRENCY), 1);
    if (c > terminals) {
      throw new UsageException(
          "--concurrency "
              + c
              + " is more than --terminals "
              + terminals
              + ": a terminal has one request outstanding at a time");
    }
    return new LoadMode.Closed(c);
  }

  private static List<InetSocketAddress> nodes(String text) throws UsageException {
    List<InetSocketAddress> nodes = new ArrayList<>();
    for (String part : text.split(",")) {
      String n = part.strip();
      int colon = n.lastIndexOf(':');
      if (colon <= 0) {
        throw new UsageException("--nodes entry '" + n + "' is not HOST:PORT");
      }
      int port;
      try {
        port = Integer.parseInt(n.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new UsageException("--nodes entry '" + n + "': port must be 1..65535");
      }
      String host = n.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      InetSocketAddress address =
          new InetSocketAddress(host, port); // resolved once, not per terminal
      if (address.isUnresolved()) {
        throw new UsageException("--nodes entry '" + n + "': cannot resolve host " + host);
      }
      nodes.add(address);
    }
    return nodes;
  }

  private static URI provisionUrl(String text) throws UsageException {
    try {
      URI u = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new UsageException(
            "--provision must be an http(s)://HOST:PORT URL, was '" + text + "'");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new UsageException("--provision is not a URL: " + e.getMessage());
    }
  }

  private static int intOption(Map<String, String> o, String name, int dflt, int min)
      throws UsageException {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, was '" + v + "'");
    }
    if (n < min) {
      throw new UsageException("--" + name + " must be at least " + min + ", was " + n);
    }
    return n;
  }

  private static Duration duration(
      Map<String, String> o, String name, String dflt, boolean zeroAllowed) throws UsageException {
    String v = o.getOrDefault(name, dflt);
    Duration d = parseDuration(v);
    if (d == null) {
      throw new UsageException(
          "--"
              + name
              + " must be a duration like 500ms, 10s, 2m or a number of seconds, was '"
              + v
              + "'");
    }
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new UsageException(
          "--" + name + " must be " + (zeroAllowed ? "zero or more" : "more than zero"));
    }
    return d;
  }

  /** {@code 500ms}, {@code 1.5s}, {@code 2m}, {@code 1h} or plain seconds; null when malformed. */
  static Duration parseDuration(String text) {
    var m = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,3})?)(ms|s|m|h)?").matcher(text.strip());
    if (!m.matches()) {
      return null;
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis =
        switch (unit) {
          case "ms" -> value;
          case "s" -> value * 1_000;
          case "m" -> value * 60_000;
          default -> value * 3_600_000;
        };
    return Duration.ofMillis(Math.round(millis));
  }

  private static long amountFen(String a) throws UsageException {
    if (!a.matches("\\d{1,10}(\\.\\d{1,2})?")) {
      throw new UsageException("--amount must be yuan with at most 2 decimals, e.g. 1.00");
    }
    int dot = a.indexOf('.');
    long fen =
        dot < 0
            ? Long.parseLong(a) * 100
            : Long.parseLong(a.substring(0, dot)) * 100
                + Integer.parseInt((a.substring(dot + 1) + "0").substring(0, 2));
    if (fen <= 0) {
      throw new UsageException("--amount must be more than 0");
    }
    return fen;
  }

  // ---------------------------------------------------------------- the fleet

  /** Terminal id (field 41) of terminal {@code index} (0-based). */
  public String terminalId(int index) {
    return String.format("%08d", firstTid + index);
  }

  /**
   * Terminal {@code index}'s configuration: every node, starting at node {@code index mod nodes}.
   */
  public TerminalConfig terminalConfig(int index) {
    List<InetSocketAddress> rotated = new ArrayList<>(nodes.size());
    for (int k = 0; k < nodes.size(); k++) {
      rotated.add(nodes.get((index + k) % nodes.size()));
    }
    // One reversal attempt per flush: a lost 0400 is re-sent before the terminal's next
    // transaction, so one recorded request is one round trip, not up to three timeouts.
    return new TerminalConfig(
        rotated,
        merchantId,
        terminalId(index),
        tmkHex,
        keyScheme,
        false,
        false,
        replyTimeout,
        connectTimeout,
        "0003",
        "0000",
        TerminalConfig.DEFAULT_HEADER,
        "01 ",
        1,
        true,
        TerminalConfig.CUP_ECB);
  }

  /** The test card of terminal {@code index}. */
  public Card card(int index) {
    return Card.swiped(TestCards.pan(firstTid + index), TestCards.EXPIRY, pin);
  }

  /** Node addresses as given ({@code host:port}). */
  public List<String> nodeNames() {
    return nodes.stream().map(n -> n.getHostString() + ":" + n.getPort()).toList();
  }

  @Override
  public String toString() {
    // no TMK, no admin token, no PIN
    return "LoadOptions[nodes="
        + nodeNames()
        + ", mid="
        + merchantId
        + ", tids="
        + terminalId(0)
        + ".."
        + terminalId(terminals - 1)
        + ", mode="
        + mode
        + ", mix="
        + mix
        + ", duration="
        + duration
        + ", warmup="
        + warmup
        + ", scheme="
        + keyScheme
        + ", provision="
        + provisionUrl
        + "]";
  }
}
