package org.posp.sim.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.posp.sim.cardbus.CardData;
import org.posp.sim.terminal.TerminalConfig;

class LoadOptionsTest {

  private static LoadOptions parse(String... args) throws LoadOptions.UsageException {
    return LoadOptions.parse(args, Map.of());
  }

  @Test
  void defaultsAreTheDemoFleetInAClosedLoop() throws Exception {
    LoadOptions o = parse("--nodes", "127.0.0.1:5000");
    assertEquals(LoadOptions.DEMO_MID, o.merchantId());
    assertEquals(100, o.terminals());
    assertEquals("10000001", o.terminalId(0));
    assertEquals("10000100", o.terminalId(99));
    assertEquals(new LoadMode.Closed(64), o.mode());
    assertEquals(Mix.parse(Mix.DEFAULT), o.mix());
    assertEquals(Duration.ofSeconds(60), o.duration());
    assertEquals(Duration.ofSeconds(10), o.warmup());
    assertEquals(100, o.amountFen());
    assertEquals("123456", o.pin());
    assertEquals(LoadOptions.DEMO_ADMIN_TOKEN, o.adminToken());
    assertEquals(
        4,
        parse("--nodes", "127.0.0.1:1", "--terminals", "4").mode() instanceof LoadMode.Closed c
            ? c.concurrency()
            : -1,
        "concurrency defaults to min(N, 64)");
  }

  @Test
  void terminalsSpreadOverTheNodesRoundRobin() throws Exception {
    LoadOptions o =
        parse(
            "--nodes",
            "127.0.0.1:5001,127.0.0.1:5002,127.0.0.1:5003",
            "--first-tid",
            "20000001",
            "--terminals",
            "6",
            "--mid",
            "898100012349999",
            "--timeout",
            "3s");
    for (int i = 0; i < 6; i++) {
      TerminalConfig c = o.terminalConfig(i);
      assertEquals(3, c.nodes().size(), "every terminal knows every node");
      assertEquals(5001 + i % 3, c.nodes().get(0).getPort());
      assertEquals(5001 + (i + 1) % 3, c.nodes().get(1).getPort());
      assertEquals(String.valueOf(20_000_001 + i), c.terminalId());
      assertEquals("898100012349999", c.merchantId());
      assertEquals(Duration.ofSeconds(3), c.replyTimeout());
    }
    assertFalse(o.toString().contains(LoadOptions.DEMO_TMK), "no TMK in toString");
  }

  @Test
  void openLoopAndOtherValues() throws Exception {
    LoadOptions o =
        parse(
            "--nodes",
            "127.0.0.1:1",
            "--rate",
            "2500.5",
            "--duration",
            "1.5m",
            "--warmup",
            "0",
            "--progress",
            "250ms",
            "--amount",
            "12.3",
            "--no-pin",
            "--report",
            "x.json");
    assertEquals(new LoadMode.Open(2500.5, LoadOptions.DEFAULT_MAX_CONCURRENCY), o.mode());
    assertEquals(Duration.ofSeconds(90), o.duration());
    assertEquals(Duration.ZERO, o.warmup());
    assertEquals(Duration.ofMillis(250), o.progress());
    assertEquals(1230, o.amountFen());
    assertNull(o.pin());
    assertEquals("022", o.card(0).entryMode(), "swiped without PIN");
    assertEquals(
        new LoadMode.Open(10, 8),
        parse("--nodes", "127.0.0.1:1", "--rate", "10", "--max-concurrency", "8").mode());
    assertEquals(
        "env-token",
        LoadOptions.parse(
                new String[] {"--nodes", "127.0.0.1:1", "--provision", "http://127.0.0.1:8080"},
                Map.of("POSP_ADMIN_TOKEN", "env-token"))
            .adminToken());
    assertInstanceOf(
        LoadMode.SignOnOnly.class, parse("--nodes", "127.0.0.1:1", "--sign-on-only").mode());
  }

  @Test
  void durations() {
    assertEquals(Duration.ofMillis(500), LoadOptions.parseDuration("500ms"));
    assertEquals(Duration.ofMillis(1500), LoadOptions.parseDuration("1.5s"));
    assertEquals(Duration.ofSeconds(42), LoadOptions.parseDuration("42"));
    assertEquals(Duration.ofMinutes(2), LoadOptions.parseDuration("2m"));
    assertEquals(Duration.ofHours(1), LoadOptions.parseDuration("1h"));
    assertNull(LoadOptions.parseDuration("-1s"));
    assertNull(LoadOptions.parseDuration("10 s"));
    assertNull(LoadOptions.parseDuration("1d"));
  }

  @Test
  void mixPicksByPercentage() {
    Mix m = Mix.parse("sale=85, void=5,balance=8,reversal=2");
    assertEquals(LoadOperation.SALE, m.pick(0));
    assertEquals(LoadOperation.SALE, m.pick(84.99));
    assertEquals(LoadOperation.VOID, m.pick(85));
    assertEquals(LoadOperation.BALANCE, m.pick(90));
    assertEquals(LoadOperation.REVERSAL, m.pick(98));
    assertEquals(LoadOperation.REVERSAL, m.pick(100));
    assertEquals("sale=85,void=5,balance=8,reversal=2", m.toString());
    Mix saleOnly = Mix.parse("sale=100");
    assertEquals(LoadOperation.SALE, saleOnly.pick(99.999));
    assertEquals(0, saleOnly.percentages().get(LoadOperation.VOID));
    EnumMap<LoadOperation, Integer> tooMuch = new EnumMap<>(LoadOperation.class);
    tooMuch.put(LoadOperation.SALE, 101);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new Mix(tooMuch))
            .getMessage()
            .contains("0..100"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Mix.parse("sale=x"))
            .getMessage()
            .contains("not a whole number"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Mix.parse("sale=50,sale=50"))
            .getMessage()
            .contains("given twice"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Mix.parse("sale"))
            .getMessage()
            .contains("not name=percent"));
  }

  @Test
  void testCardsAreLuhnValidOrdinaryAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int n = 10_000_000; n < 10_030_000; n++) {
      String pan = TestCards.pan(n);
      assertEquals(16, pan.length());
      assertTrue(pan.startsWith("622202"), pan.substring(0, 6));
      assertTrue(CardData.isLuhnValid(pan), "the card-bus simulator's Luhn check refuses " + n);
      assertFalse(TestCards.special(pan), "special suffix for " + n);
      assertTrue(seen.add(pan), "duplicate PAN for " + n);
    }
    assertThrows(IllegalArgumentException.class, () -> TestCards.pan(-1));
  }
}
