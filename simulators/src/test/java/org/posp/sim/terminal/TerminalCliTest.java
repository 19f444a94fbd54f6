package org.posp.sim.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CLI parsing, usage errors and whole invocations against {@link FakeSwitch}. */
@Timeout(60)
class TerminalCliTest {
  private static final String MID = TerminalClientTest.MID;
  private static final String TID = TerminalClientTest.TID;

  @TempDir Path stateDir;
  private FakeSwitch fake;

  record Run(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  @BeforeEach
  void start() throws Exception {
    fake = new FakeSwitch("003");
  }

  @AfterEach
  void stop() throws Exception {
    fake.close();
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        TerminalCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Run terminal(String... command) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(fake.address().getPort()),
                "--mid",
                MID,
                "--tid",
                TID,
                "--tmk",
                TestKeys.TMK_003,
                "--timeout",
                "2",
                "--state-dir",
                stateDir.toString()));
    args.addAll(List.of(command));
    return run(args.toArray(String[]::new));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 fly",
        "--port 5000 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 echo",
        "--mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 echo",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 sale --amount 1",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 sale --pan 6222020600000001 --amount 12.345",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 sale --pan 62220 --amount 1",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEF echo",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 --scheme 006 echo",
        "--port http --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 echo",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 echo --foo 1",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 settle --keyed",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 refund --rrn 1 --date 1399 --amount 1 --pan 6222020600000001",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 echo echo",
        "--port 5000 --mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 echo --timeout",
      })
  void usageErrorsExitWith2AndPrintUsage(String line) {
    Run r = run(line.isEmpty() ? new String[0] : line.split(" "));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertTrue(r.err().contains("usage: TerminalCli"), r.err());
    assertTrue(r.out().isEmpty());
    assertFalse(r.err().contains("0123456789ABCDEFFEDCBA9876543210"), "the TMK is never echoed");
  }

  @Test
  void parsesOptionsAndAmounts() throws Exception {
    CliArguments a =
        CliArguments.parse(
            ("--host 127.0.0.1 --port 5000 --node 127.0.0.2:6000 --trust-all "
                    + "--mid 898100012340001 --tid 10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 --timeout 2.5 "
                    + "sale --pan 6222020600000001 --amount 12.3 --pin 123456 --keyed")
                .split(" "));
    assertEquals("sale", a.command());
    assertEquals(1230, a.amountFen());
    assertEquals(2, a.config().nodes().size());
    assertEquals(6000, a.config().nodes().get(1).getPort());
    assertTrue(a.config().tls() && a.config().trustAll());
    assertEquals("003", a.config().keyScheme());
    assertEquals(2500, a.config().replyTimeout().toMillis());
    Card card = a.card(null);
    assertTrue(card.keyed() && card.withPin());
    assertEquals("011", card.entryMode());
    assertEquals(Path.of(System.getProperty("java.io.tmpdir")), a.stateDir());
    CliArguments b =
        CliArguments.parse(
            ("--port 5000 --mid 898100012340001 --tid 10000001 "
                    + "--tmk 0123456789ABCDEF --scheme 001 void --stan 7")
                .split(" "));
    assertEquals("000007", b.stan());
    assertEquals("001", b.config().keyScheme());
    assertFalse(b.config().tls());
    assertEquals(
        1200,
        CliArguments.parse(
                ("--port 1 --mid 898100012340001 --tid 10000001 --tmk "
                        + "0123456789ABCDEFFEDCBA9876543210 sale --pan 6222020600000001 --amount 12")
                    .split(" "))
            .amountFen());
    assertThrows(
        CliArguments.UsageException.class,
        () ->
            CliArguments.parse(
                ("--port 1 --mid 8981000 --tid "
                        + "10000001 --tmk 0123456789ABCDEFFEDCBA9876543210 echo")
                    .split(" ")));
    assertEquals(TerminalConfig.CUP_ECB, b.config().macAlgorithm(), "the §5.2 MAC by default");
    assertEquals(
        TerminalConfig.X919,
        CliArguments.parse(
                ("--port 1 --mid 898100012340001 --tid 10000001 --tmk "
                        + "0123456789ABCDEFFEDCBA9876543210 --mac X919 echo")
                    .split(" "))
            .config()
            .macAlgorithm());
    assertThrows(
        CliArguments.UsageException.class,
        () ->
            CliArguments.parse(
                ("--port 1 --mid 898100012340001 "
                        + "--tid 10000001 --tmk 0123456789ABCDEF --scheme 001 --mac X919 echo")
                    .split(" ")));
  }

  @Test
  void demoRunsEveryStepAndSettlesBalanced() throws Exception {
    Run r = terminal("demo");
    assertEquals(0, r.code(), r.out() + r.err());
    List<String> lines = r.lines();
    assertEquals(7, lines.size(), r.out());
    assertTrue(lines.get(0).startsWith("signon -> 00 approved batch=000001"), lines.get(0));
    assertTrue(
        lines.get(1).startsWith("balance card 622202****0001 -> 00 approved balance=123.45"),
        lines.get(1));
    assertTrue(
        lines
            .get(2)
            .matches(
                "sale 12\\.34 card 622202\\*\\*\\*\\*0001 -> 00 approved rrn=\\d{12} "
                    + "auth=\\w{6} stan=000003 batch=000001 \\(\\d+ ms\\)"),
        lines.get(2));
    assertTrue(lines.get(3).startsWith("void 12.34"), lines.get(3));
    assertTrue(lines.get(5).startsWith("refund 10.00"), lines.get(5));
    assertTrue(
        lines
            .get(6)
            .startsWith(
                "settle batch=000001 debit 69.12/2 credit 22.34/2 -> 00 approved balanced (1)"
                    + ", uploaded 4 records, end 207, new batch 000002"),
        lines.get(6));
    assertFalse(r.out().contains(TerminalCli.DEMO_PAN));
    Path state = stateDir.resolve("posp-terminal-" + MID + "-" + TID + ".json");
    String json = Files.readString(state);
    assertTrue(json.contains("\"batch\" : \"000002\""), json);
    assertFalse(
        json.contains(TestKeys.TMK_003)
            || json.contains(TestKeys.MAK_8)
            || json.contains(TestKeys.PIK_16));
  }

  @Test
  void voidAndSettleWorkAcrossInvocationsThroughTheStateFile() {
    Run sale =
        terminal("sale", "--pan", TerminalCli.DEMO_PAN, "--amount", "20.00", "--pin", "123456");
    assertEquals(0, sale.code(), sale.out());
    String stan = sale.lines().get(1).replaceAll(".* stan=(\\d{6}) .*", "$1");
    Run v = terminal("void", "--stan", stan);
    assertEquals(0, v.code(), v.out() + v.err());
    TerminalMessage voidReq = fake.receivedWithMti("0200").get(1);
    assertEquals("000001" + stan, voidReq.get(61));
    assertEquals("000000002000", voidReq.get(4));
    assertTrue(
        Integer.parseInt(voidReq.get(11)) > Integer.parseInt(stan),
        "the STAN continues across runs");
    Run s = terminal("settle");
    assertEquals(0, s.code(), s.out());
    assertTrue(
        s.lines().get(1).contains("debit 20.00/1 credit 20.00/1 -> 00 approved balanced"), s.out());
    Run unknown = terminal("void", "--stan", "999");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("no approved sale with STAN 000999"), unknown.err());
  }

  @Test
  void lostSaleIsReversedByTheNextInvocation() {
    fake.behaviour =
        m -> m.mti().equals("0200") ? FakeSwitch.Behaviour.IGNORE : FakeSwitch.Behaviour.REPLY;
    Run lost = terminal("sale", "--pan", TerminalCli.DEMO_PAN, "--amount", "1.00");
    assertEquals(1, lost.code());
    assertTrue(lost.lines().get(1).contains("failed: no reply within 2000 ms"), lost.out());
    assertTrue(lost.lines().get(1).contains("reversal pending (98)"), lost.out());
    fake.behaviour = m -> FakeSwitch.Behaviour.REPLY;
    Run rev = terminal("reverse");
    assertEquals(0, rev.code(), rev.out());
    assertTrue(
        rev.lines()
            .get(1)
            .startsWith("reverse sale 1.00 stan=000002 batch=000001 reason 98 -> 00 approved"),
        rev.out());
    assertEquals(1, fake.receivedWithMti("0400").size());
    Run nothing = terminal("reverse");
    assertEquals("reverse -> nothing pending", nothing.lines().get(1));
  }

  @Test
  void declinedTransactionExitsWith1() {
    fake.decision = m -> "51";
    Run r = terminal("sale", "--pan", TerminalCli.DEMO_PAN, "--amount", "1.00");
    assertEquals(1, r.code());
    assertTrue(r.lines().get(1).contains("-> 51 insufficient funds"), r.out());
  }

  @Test
  void unreachableSwitchExitsWith1() throws Exception {
    int port = fake.address().getPort();
    fake.close();
    Run r =
        run(
            "--port",
            String.valueOf(port),
            "--mid",
            MID,
            "--tid",
            TID,
            "--tmk",
            TestKeys.TMK_003,
            "--state-dir",
            stateDir.toString(),
            "echo");
    assertEquals(1, r.code());
    assertTrue(
        r.out().startsWith("signon -> -- failed: not sent: no switch node reachable"), r.out());
  }
}
