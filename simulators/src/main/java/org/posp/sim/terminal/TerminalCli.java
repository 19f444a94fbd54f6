package org.posp.sim.terminal;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line POS terminal (see {@link CliArguments#USAGE}). Every invocation signs on, sends the
 * pending reversals of earlier invocations, runs the command and prints one line per step, e.g.
 * {@code sale 12.34 card 622202****0001 -> 00 approved rrn=... auth=... stan=000002 batch=000001
 * (23 ms)}. Exit code 0 when the last step's 39 is 00, 1 otherwise, 2 on usage errors.
 */
public final class TerminalCli {
  /** Luhn-valid test card used by {@code demo} when no --pan is given. */
  static final String DEMO_PAN = "6222020600000001";

  static final String DEMO_PIN = "123456";

  private final CliArguments args;
  private final PrintStream out;
  private final TerminalClient client;

  private TerminalCli(CliArguments args, PrintStream out, TerminalClient client) {
    this.args = args;
    this.out = out;
    this.client = client;
  }

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs one invocation and returns the exit code. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    CliArguments args;
    try {
      args = CliArguments.parse(argv);
    } catch (CliArguments.UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(CliArguments.USAGE);
      return 2;
    }
    quietLogging();
    CliStateStore store =
        new CliStateStore(args.stateDir(), args.config().merchantId(), args.config().terminalId());
    TerminalState state;
    try {
      state = store.load();
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    try (TerminalClient client = new TerminalClient(args.config())) {
      if (state != null) {
        client.restore(state);
      }
      try {
        return new TerminalCli(args, out, client).execute();
      } catch (CliArguments.UsageException e) {
        err.println("error: " + e.getMessage());
        err.println(CliArguments.USAGE);
        return 2;
      } finally {
        try {
          store.save(client.snapshot());
        } catch (IOException e) {
          err.println(
              "warning: cannot save the terminal state to " + store.file() + ": " + e.getMessage());
        }
      }
    }
  }

  /** The CLI prints its own lines: keep library logging to warnings unless configured otherwise. */
  private static void quietLogging() {
    if (System.getProperty("logback.configurationFile") == null
        && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)
            instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(Level.WARN);
    }
  }

  private int execute() throws CliArguments.UsageException {
    SignOnResult signOn = client.signOn();
    out.println(CliOutput.signOn(signOn));
    if (!signOn.approved() || "signon".equals(args.command())) {
      return exit(signOn);
    }
    if (!"reverse".equals(args.command()) && !client.pendingReversals().isEmpty()) {
      for (ReversalResult r : client.flushReversals()) {
        out.println(CliOutput.reversal(r));
      }
    }
    TerminalResult last =
        switch (args.command()) {
          case "signoff" -> print(client.signOff());
          case "echo" -> print(client.echo());
          case "balance" -> {
            Card card = args.card(null);
            yield txn("balance card " + card.maskedPan(), client.balance(card));
          }
          case "sale" -> {
            Card card = args.card(null);
            long amount = args.amountFen();
            yield txn(
                "sale " + CliOutput.yuan(amount) + " card " + card.maskedPan(),
                client.sale(card, amount));
          }
          case "void" -> voidSale();
          case "refund" -> {
            Card card = args.card(null);
            long amount = args.amountFen();
            yield txn(
                "refund "
                    + CliOutput.yuan(amount)
                    + " card "
                    + card.maskedPan()
                    + " of rrn="
                    + args.option("rrn"),
                client.refund(card, args.option("rrn"), args.option("date"), amount));
          }
          case "reverse" -> reverse();
          case "settle" -> settle();
          case "demo" -> demo();
          default ->
              throw new CliArguments.UsageException("unknown command '" + args.command() + "'");
        };
    return exit(last);
  }

  private static int exit(TerminalResult last) {
    return last == null || last.approved() ? 0 : 1;
  }

  private TerminalResult print(AdminResult r) {
    out.println(CliOutput.admin(r));
    return r;
  }

  private TxnResult txn(String step, TxnResult r) {
    out.println(CliOutput.txn(step, r));
    return r;
  }

  private TerminalResult settle() {
    SettlementResult r = client.settle();
    out.println(CliOutput.settlement(r));
    return r;
  }

  private Optional<TxnRecord> saleOfBatch(String stan) {
    return client.journal().ofBatch(client.config().terminalId(), client.batch()).stream()
        .filter(r -> r.type() == TxnType.SALE && r.stan().equals(stan))
        .reduce((a, b) -> b);
  }

  private TerminalResult voidSale() throws CliArguments.UsageException {
    String stan = args.stan();
    TxnRecord original = saleOfBatch(stan).filter(TxnRecord::approved).orElse(null);
    if (original == null) {
      if (args.option("rrn") == null
          || args.option("amount") == null
          || args.option("pan") == null) {
        throw new CliArguments.UsageException(
            "no approved sale with STAN "
                + stan
                + " in this terminal's current batch: give --rrn, --amount and --pan of the original");
      }
      original =
          new TxnRecord(
              client.config().terminalId(),
              TxnType.SALE,
              client.batch(),
              stan,
              args.amountFen(),
              args.option("pan"),
              args.option("expiry"),
              null,
              null,
              null,
              null,
              "00",
              args.option("rrn"),
              null,
              null,
              null,
              null,
              null,
              TxnRecord.ReversalState.NONE,
              null,
              0L);
    }
    Card card =
        args.option("pan") != null
            ? args.card(null)
            : Card.swiped(
                original.pan(),
                original.expiry() != null ? original.expiry() : "3012",
                args.option("pin"));
    return txn(
        "void "
            + CliOutput.yuan(original.amountFen())
            + " card "
            + card.maskedPan()
            + " of stan="
            + stan,
        client.voidSale(card, original));
  }

  private TerminalResult reverse() {
    if (args.stan() != null) {
      Optional<TxnRecord> sale = saleOfBatch(args.stan());
      if (sale.isEmpty()) {
        out.println(
            "reverse stan="
                + args.stan()
                + " -> -- failed: no sale with this STAN in batch "
                + client.batch());
        return new AdminResult("reverse", null, "sale not found", Duration.ZERO, null);
      }
      ReversalResult r = client.reversal(sale.get(), "96");
      out.println(CliOutput.reversal(r));
      return r;
    }
    List<ReversalResult> results = client.flushReversals();
    if (results.isEmpty()) {
      out.println("reverse -> nothing pending");
      return null;
    }
    results.forEach(r -> out.println(CliOutput.reversal(r)));
    return results.get(results.size() - 1);
  }

  /** sign-on (done), balance, sale, void, sale, refund, settle. */
  private TerminalResult demo() {
    String pan = args.option("pan") != null ? args.option("pan") : DEMO_PAN;
    String pin = args.option("pin") != null ? args.option("pin") : DEMO_PIN;
    Card card = Card.swiped(pan, "3012", pin);
    String masked = card.maskedPan();
    txn("balance card " + masked, client.balance(card));
    TxnResult first = txn("sale 12.34 card " + masked, client.sale(card, 1234));
    if (first.approved()) {
      txn(
          "void 12.34 card " + masked + " of stan=" + first.stan(),
          client.voidSale(card, first.record()));
    }
    TxnResult second = txn("sale 56.78 card " + masked, client.sale(card, 5678));
    if (second.approved()) {
      String date =
          second.localDate() != null
              ? second.localDate()
              : LocalDate.now().format(DateTimeFormatter.ofPattern("MMdd"));
      txn(
          "refund 10.00 card " + masked + " of rrn=" + second.rrn(),
          client.refund(card, second.rrn(), date, 1000));
    }
    return settle();
  }
}
