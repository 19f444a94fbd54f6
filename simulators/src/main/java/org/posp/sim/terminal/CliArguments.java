package org.posp.sim.terminal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed command line of {@link TerminalCli}: the terminal's configuration, the state directory,
 * the command and its options. Every mistake raises {@link UsageException} with a message naming
 * it.
 */
public record CliArguments(
    TerminalConfig config,
    Path stateDir,
    String command,
    Map<String, String> options,
    Set<String> flags) {

  /** A usage error: exit code 2 and the usage text. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }

  public static final String USAGE =
      String.join(
          "\n",
          "usage: TerminalCli --host HOST --port PORT [--node HOST:PORT]... [--tls | --trust-all]",
          "                   --mid MERCHANT_ID(15) --tid TERMINAL_ID(8) --tmk HEX [--scheme 001|003|004]",
          "                   [--mac CUP_ECB|X919]   (X919: ANSI X9.19 retail MAC, scheme 003/004)",
          "                   [--timeout SECONDS] [--state-dir DIR] <command> [options]",
          "commands:",
          "  signon | signoff | echo",
          "  balance --pan PAN [--pin PIN] [--expiry YYMM] [--keyed]",
          "  sale    --pan PAN --amount 12.34 [--pin PIN] [--expiry YYMM] [--keyed]",
          "  void    --stan STAN [--pan PAN] [--pin PIN] [--rrn RRN --amount A]   (original from the state file)",
          "  refund  --rrn RRN --date MMDD --amount A --pan PAN [--pin PIN] [--expiry YYMM] [--keyed]",
          "  reverse [--stan STAN]        (pending reversals, or reverse that sale of the current batch)",
          "  settle                       (settlement + batch upload)",
          "  demo    [--pan PAN] [--pin PIN]  (sign-on, balance, sale, void, sale, refund, settle)",
          "--trust-all: DEMO ONLY, TLS accepting any server certificate (the demo's self-signed one).",
          "Every invocation signs on first. State (batch, STAN, journal of the batch; no keys) is kept in",
          "<state-dir>/posp-terminal-<mid>-<tid>.json (default state-dir: java.io.tmpdir).",
          "Exit code: 0 when the last step's 39 is 00, 1 otherwise, 2 on usage errors.");

  private static final Set<String> GLOBAL =
      Set.of("host", "port", "node", "mid", "tid", "tmk", "scheme", "mac", "timeout", "state-dir");
  private static final Set<String> GLOBAL_FLAGS = Set.of("tls", "trust-all");
  private static final Set<String> FLAGS = Set.of("tls", "trust-all", "keyed");
  private static final Map<String, Set<String>> COMMAND_OPTIONS =
      Map.of(
          "signon",
          Set.of(),
          "signoff",
          Set.of(),
          "echo",
          Set.of(),
          "settle",
          Set.of(),
          "balance",
          Set.of("pan", "pin", "expiry", "keyed"),
          "sale",
          Set.of("pan", "amount", "pin", "expiry", "keyed"),
          "void",
          Set.of("stan", "pan", "pin", "rrn", "amount", "expiry"),
          "refund",
          Set.of("rrn", "date", "amount", "pan", "pin", "expiry", "keyed"),
          "reverse",
          Set.of("stan"),
          "demo",
          Set.of("pan", "pin"));
  private static final Map<String, Set<String>> REQUIRED =
      Map.of(
          "balance",
          Set.of("pan"),
          "sale",
          Set.of("pan", "amount"),
          "void",
          Set.of("stan"),
          "refund",
          Set.of("rrn", "date", "amount", "pan"));

  public static CliArguments parse(String[] args) throws UsageException {
    Map<String, String> options = new HashMap<>();
    Set<String> flags = new HashSet<>();
    List<String> nodes = new ArrayList<>();
    String command = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--")) {
        String name = a.substring(2);
        if (FLAGS.contains(name)) {
          flags.add(name);
          continue;
        }
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new UsageException("option --" + name + " needs a value");
        }
        String value = args[++i];
        if (name.equals("node")) {
          nodes.add(value);
        } else if (options.put(name, value) != null) {
          throw new UsageException("option --" + name + " given twice");
        }
      } else if (command == null) {
        command = a;
      } else {
        throw new UsageException("unexpected argument '" + a + "'");
      }
    }
    if (command == null) {
      throw new UsageException("no command given");
    }
    Set<String> allowed = COMMAND_OPTIONS.get(command);
    if (allowed == null) {
      throw new UsageException("unknown command '" + command + "'");
    }
    for (String o : options.keySet()) {
      if (!GLOBAL.contains(o) && !allowed.contains(o)) {
        throw new UsageException(
            "unknown option --" + o + (GLOBAL.contains(o) ? "" : " for " + command));
      }
    }
    for (String f : flags) {
      if (!GLOBAL_FLAGS.contains(f) && !allowed.contains(f)) {
        throw new UsageException("option --" + f + " does not apply to " + command);
      }
    }
    for (String r : REQUIRED.getOrDefault(command, Set.of())) {
      if (!options.containsKey(r)) {
        throw new UsageException(command + " needs --" + r);
      }
    }
    TerminalConfig config = config(options, flags, nodes);
    Path stateDir =
        Path.of(options.getOrDefault("state-dir", System.getProperty("java.io.tmpdir")));
    Map<String, String> commandOptions = new HashMap<>(options);
    commandOptions.keySet().removeAll(GLOBAL);
    CliArguments parsed =
        new CliArguments(config, stateDir, command, Map.copyOf(commandOptions), Set.copyOf(flags));
    parsed.validateValues();
    return parsed;
  }

  private static TerminalConfig config(
      Map<String, String> o, Set<String> flags, List<String> extraNodes) throws UsageException {
    List<InetSocketAddress> nodes = new ArrayList<>();
    if (o.containsKey("port")) {
      nodes.add(address(o.getOrDefault("host", "127.0.0.1"), o.get("port")));
    } else if (o.containsKey("host")) {
      throw new UsageException("--host needs --port");
    }
    for (String n : extraNodes) {
      int colon = n.lastIndexOf(':');
      if (colon <= 0) {
        throw new UsageException("--node must be HOST:PORT, was '" + n + "'");
      }
      nodes.add(address(n.substring(0, colon), n.substring(colon + 1)));
    }
    if (nodes.isEmpty()) {
      throw new UsageException("give the switch with --host/--port (or --node HOST:PORT)");
    }
    for (String r : List.of("mid", "tid", "tmk")) {
      if (!o.containsKey(r)) {
        throw new UsageException("missing --" + r);
      }
    }
    String scheme = o.getOrDefault("scheme", "003");
    Duration timeout = TerminalConfig.DEFAULT_REPLY_TIMEOUT;
    if (o.containsKey("timeout")) {
      try {
        timeout = Duration.ofMillis(Math.round(Double.parseDouble(o.get("timeout")) * 1000));
      } catch (NumberFormatException e) {
        throw new UsageException("--timeout must be a number of seconds");
      }
    }
    try {
      TerminalConfig c =
          TerminalConfig.of(nodes, o.get("mid"), o.get("tid"), o.get("tmk"), scheme)
              .withReplyTimeout(timeout)
              .withMacAlgorithm(o.getOrDefault("mac", TerminalConfig.CUP_ECB));
      boolean trustAll = flags.contains("trust-all");
      return trustAll || flags.contains("tls") ? c.withTls(trustAll) : c;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static InetSocketAddress address(String host, String port) throws UsageException {
    try {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(host, p);
    } catch (NumberFormatException e) {
      throw new UsageException("port must be 1..65535, was '" + port + "'");
    }
  }

  private void validateValues() throws UsageException {
    if (options.containsKey("amount")) {
      amountFen();
    }
    check("pan", "\\d{13,19}", "13 to 19 digits");
    check("pin", "\\d{4,12}", "4 to 12 digits");
    check("expiry", "\\d{2}(0[1-9]|1[0-2])", "YYMM");
    check("stan", "\\d{1,6}", "at most 6 digits");
    check("rrn", ".{1,12}", "at most 12 characters");
    check("date", "(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])", "MMDD");
  }

  private void check(String option, String regex, String what) throws UsageException {
    String v = options.get(option);
    if (v != null && !v.matches(regex)) {
      throw new UsageException("--" + option + " must be " + what);
    }
  }

  public String option(String name) {
    return options.get(name);
  }

  public boolean flag(String name) {
    return flags.contains(name);
  }

  /** --amount in yuan with at most 2 decimals ("12.34") as fen. */
  public long amountFen() throws UsageException {
    String a = options.get("amount");
    if (a == null || !a.matches("\\d{1,10}(\\.\\d{1,2})?")) {
      throw new UsageException("--amount must be yuan with at most 2 decimals, e.g. 12.34");
    }
    int dot = a.indexOf('.');
    if (dot < 0) {
      return Long.parseLong(a) * 100;
    }
    String fen = (a.substring(dot + 1) + "0").substring(0, 2);
    return Long.parseLong(a.substring(0, dot)) * 100 + Integer.parseInt(fen);
  }

  /** --stan as 6 digits. */
  public String stan() {
    String s = options.get("stan");
    return s == null ? null : String.format("%06d", Integer.parseInt(s));
  }

  /** The card of --pan / --expiry / --pin / --keyed. */
  public Card card(String defaultPan) {
    String pan = options.getOrDefault("pan", defaultPan);
    String expiry = options.getOrDefault("expiry", "3012");
    String pin = options.get("pin");
    return flag("keyed") ? Card.keyed(pan, expiry, pin) : Card.swiped(pan, expiry, pin);
  }
}
