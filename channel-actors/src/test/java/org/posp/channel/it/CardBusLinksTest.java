package org.posp.channel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.channel.it.CardBusFixture.await;
import static org.posp.channel.it.CardBusFixture.config;
import static org.posp.channel.it.CardBusFixture.eventually;
import static org.posp.channel.it.CardBusFixture.host;
import static org.posp.channel.it.CardBusFixture.pan;
import static org.posp.channel.it.CardBusFixture.sale;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posp.channel.CardBus.EndpointStatus;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardBusResult.NotSentReason;
import org.posp.channel.CardBusSystem;
import org.posp.security.SoftwareHsm;
import org.posp.sim.cardbus.CardBusHost;

/**
 * Links, MUX, timeouts, late replies, echo, reconnect and breaker against the real host simulator.
 */
class CardBusLinksTest {

  private static final String LMK = "0123456789ABCDEFFEDCBA9876543210";

  private static ActorTestKit testKit;
  private final List<CardBusHost> hosts = new ArrayList<>();
  private CardBusSystem cardBus;

  @BeforeAll
  static void startActorSystem() {
    testKit = ActorTestKit.create("card-bus-links");
  }

  @AfterAll
  static void stopActorSystem() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (cardBus != null) await(cardBus.stop());
    hosts.forEach(CardBusHost::close);
  }

  private CardBusHost startHost(int port, Duration lateDelay) throws Exception {
    CardBusHost h = host(port, lateDelay);
    hosts.add(h);
    return h;
  }

  private CardBusSystem start(CardBusHost h, String endpointExtra, String global) {
    return CardBusSystem.start(
        testKit.system(),
        config(Map.of("core", h.port()), endpointExtra, "default = core", global),
        SoftwareHsm.fromHex(LMK));
  }

  private EndpointStatus core() {
    return cardBus.status().get(0);
  }

  @Test
  void logonMakesEveryLinkReady() throws Exception {
    CardBusHost h = startHost(0, Duration.ofSeconds(1));
    cardBus = start(h, "links-per-address = 3", "");
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    eventually(Duration.ofSeconds(5), "3 ready links", () -> core().readyLinks() == 3);
    EndpointStatus s = core();
    assertEquals("core", s.name());
    assertEquals("closed", s.breaker());
    assertEquals(3, s.totalLinks());
    assertTrue(
        s.linkStates().stream().allMatch(l -> l.endsWith("READY")), s.linkStates().toString());
    assertTrue(h.ledger().networkMessagesReceived() >= 3, "one logon per link");
  }

  @Test
  void requestsSpreadOverLinksAndRunConcurrently() throws Exception {
    CardBusHost h = startHost(0, Duration.ofSeconds(1));
    cardBus = start(h, "links-per-address = 2", "");
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    eventually(Duration.ofSeconds(5), "2 ready links", () -> core().readyLinks() == 2);
    String pan = pan("622848", "0031", 16);
    List<CompletionStage<CardBusResult>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) all.add(cardBus.send(sale(pan, 10)));
    for (CompletionStage<CardBusResult> r : all) {
      assertEquals("0000", assertInstanceOf(CardBusResult.Answered.class, await(r)).actionCode());
    }
    assertEquals(100_000_000L - 400, h.ledger().card(pan).balanceFen());
  }

  @Test
  void noReplyTimesOutWithinTheEndpointTimeout() throws Exception {
    CardBusHost h = startHost(0, Duration.ofSeconds(1));
    cardBus = start(h, "timeout = 1s", "");
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    long t0 = System.nanoTime();
    CardBusResult r = await(cardBus.send(sale(pan("622848", "9999", 16), 100)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(new CardBusResult.TimedOut("core"), r);
    assertTrue(ms >= 950 && ms < 2500, "timed out after " + ms + " ms");
  }

  @Test
  void lateReplyIsReportedNotDelivered() throws Exception {
    CardBusHost h = startHost(0, Duration.ofMillis(1200));
    BlockingQueue<List<String>> late = new LinkedBlockingQueue<>();
    cardBus =
        CardBusSystem.start(
            testKit.system(),
            config(Map.of("core", h.port()), "timeout = 400ms", "default = core", ""),
            SoftwareHsm.fromHex(LMK),
            (endpoint, rrn, mti, code) -> late.add(List.of(endpoint, rrn, mti, code)));
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    CardBusRequest sale = sale(pan("622848", "9998", 16), 100);
    assertEquals(new CardBusResult.TimedOut("core"), await(cardBus.send(sale)));
    List<String> report = late.poll(5, TimeUnit.SECONDS);
    assertNotNull(report, "the late reply must reach the listener");
    assertEquals(List.of("core", sale.rrn(), "2210", "0000"), report);
    assertEquals(1, cardBus.lateReplies("core"));
  }

  @Test
  void linkBreakingWithRequestsOutstandingCompletesThemAsTimedOut() throws Exception {
    CardBusHost h = startHost(0, Duration.ofSeconds(1));
    cardBus = start(h, "timeout = 10s", "");
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    CompletionStage<CardBusResult> pending = cardBus.send(sale(pan("622848", "9999", 16), 100));
    eventually(
        Duration.ofSeconds(5),
        "the host received the request",
        () -> h.ledger().messages().size() == 1);
    long t0 = System.nanoTime();
    h.close();
    assertEquals(new CardBusResult.TimedOut("core"), await(pending));
    assertTrue(
        (System.nanoTime() - t0) / 1_000_000 < 5_000,
        "completed when the link broke, not at the timeout");
  }

  @Test
  void silentHostIsDetectedByEchoAndLinksComeBackWhenItAnswersAgain() throws Exception {
    CardBusHost h = startHost(0, Duration.ofSeconds(1));
    cardBus = start(h, "links-per-address = 2", "echo-interval = 200ms, max-missed-echoes = 3");
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    Thread.sleep(700); // idle links echo and stay up while the host answers
    assertEquals(2, core().readyLinks());
    int echoesBefore = h.ledger().networkMessagesReceived();
    assertTrue(echoesBefore > 2, "echoes were sent: " + echoesBefore);

    h.setResponding(false);
    eventually(Duration.ofSeconds(5), "links marked down", () -> core().readyLinks() == 0);
    CardBusResult.NotSent r =
        assertInstanceOf(
            CardBusResult.NotSent.class, await(cardBus.send(sale(pan("622848", "0032", 16), 100))));
    assertEquals(NotSentReason.NO_READY_LINK, r.reason());

    h.setResponding(true);
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    assertEquals(
        "0000",
        assertInstanceOf(
                CardBusResult.Answered.class,
                await(cardBus.send(sale(pan("622848", "0033", 16), 100))))
            .actionCode());
  }

  @Test
  void restartedHostGetsNewConnectionsAndLogons() throws Exception {
    // a port outside the kernel's ephemeral range: while the host is down the links keep connecting
    // to it, and a connect from an ephemeral port can take (and keep) the very port to be bound
    // again
    CardBusHost first =
        startHost(CardBusFixture.portOutsideEphemeralRange(), Duration.ofSeconds(1));
    int port = first.port();
    cardBus = start(first, "links-per-address = 2", "");
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    first.close();
    eventually(
        Duration.ofSeconds(5), "links down after the host closed", () -> core().readyLinks() == 0);

    CardBusHost second = startHost(port, Duration.ofSeconds(1));
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    eventually(Duration.ofSeconds(5), "both links back", () -> core().readyLinks() == 2);
    assertTrue(second.ledger().networkMessagesReceived() >= 2, "each link logged on again");
    CardBusRequest sale = sale(pan("622848", "0034", 16), 100);
    assertEquals("0000", ((CardBusResult.Answered) await(cardBus.send(sale))).actionCode());
    assertTrue(second.ledger().byRrn(sale.rrn()).isPresent());
  }

  @Test
  void breakerOpensAfterConsecutiveTimeoutsAndClosesAfterTheProbe() throws Exception {
    CardBusHost h = startHost(0, Duration.ofSeconds(1));
    cardBus = start(h, "timeout = 300ms, breaker { max-failures = 3, reset-timeout = 1s }", "");
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    String silent = pan("622848", "9999", 16);
    for (int i = 0; i < 3; i++) {
      assertEquals(new CardBusResult.TimedOut("core"), await(cardBus.send(sale(silent, 100))));
    }
    eventually(Duration.ofSeconds(2), "breaker open", () -> core().breaker().equals("open"));

    CardBusRequest blocked = sale(pan("622848", "0035", 16), 100);
    long t0 = System.nanoTime();
    CardBusResult r = await(cardBus.send(blocked));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(new CardBusResult.NotSent("core", NotSentReason.BREAKER_OPEN, "breaker open"), r);
    assertTrue(ms < 250, "answered at once, took " + ms + " ms");
    assertTrue(h.ledger().byRrn(blocked.rrn()).isEmpty());

    eventually(
        Duration.ofSeconds(3), "breaker half-open", () -> core().breaker().equals("half-open"));
    CardBusRequest probe = sale(pan("622848", "0036", 16), 100);
    assertEquals(
        "0000",
        assertInstanceOf(CardBusResult.Answered.class, await(cardBus.send(probe))).actionCode());
    eventually(Duration.ofSeconds(2), "breaker closed", () -> core().breaker().equals("closed"));
  }

  @Test
  void anUnreachableEndpointIsNotSentWithoutWaiting() throws Exception {
    CardBusHost h = startHost(0, Duration.ofSeconds(1));
    int port = h.port();
    h.close(); // nothing listens on this port any more
    cardBus =
        CardBusSystem.start(
            testKit.system(),
            config(Map.of("core", port), "", "default = core", ""),
            SoftwareHsm.fromHex(LMK));
    CardBusResult.NotSent r =
        assertInstanceOf(
            CardBusResult.NotSent.class, await(cardBus.send(sale(pan("622848", "0037", 16), 100))));
    assertEquals(NotSentReason.NO_READY_LINK, r.reason());
    assertEquals("no ready link", r.detail());
    assertTrue(core().linkStates().stream().noneMatch(l -> l.endsWith("READY")));
  }

  @Test
  void primarySecondaryUsesThePrimaryUntilItFails() throws Exception {
    CardBusHost primary = startHost(0, Duration.ofSeconds(1));
    CardBusHost secondary = startHost(0, Duration.ofSeconds(1));
    cardBus =
        CardBusSystem.start(
            testKit.system(),
            CardBusFixture.configWithEndpoints(
                "core { addresses = [\"127.0.0.1:"
                    + primary.port()
                    + "\", \"127.0.0.1:"
                    + secondary.port()
                    + "\"], links-per-address = 2, strategy = primary-secondary }",
                "default = core",
                ""),
            SoftwareHsm.fromHex(LMK));
    eventually(Duration.ofSeconds(10), "4 ready links", () -> core().readyLinks() == 4);
    String pan = pan("622848", "0038", 16);
    for (int i = 0; i < 6; i++) {
      assertEquals(
          "0000", ((CardBusResult.Answered) await(cardBus.send(sale(pan, 1)))).actionCode());
    }
    assertEquals(6, primary.ledger().messages().size());
    assertEquals(0, secondary.ledger().messages().size());

    primary.close();
    eventually(Duration.ofSeconds(5), "primary links down", () -> core().readyLinks() == 2);
    for (int i = 0; i < 3; i++) {
      assertEquals(
          "0000", ((CardBusResult.Answered) await(cardBus.send(sale(pan, 1)))).actionCode());
    }
    assertEquals(3, secondary.ledger().messages().size());
  }

  @Test
  void theSameExchangeTwiceInFlightIsRefused() throws Exception {
    CardBusHost h = startHost(0, Duration.ofSeconds(1));
    cardBus = start(h, "timeout = 1s", "");
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    CardBusRequest silent = sale(pan("622848", "9999", 16), 100);
    CompletionStage<CardBusResult> first = cardBus.send(silent);
    eventually(
        Duration.ofSeconds(5),
        "the host received the first",
        () -> h.ledger().messages().size() == 1);
    CardBusResult.NotSent second =
        assertInstanceOf(CardBusResult.NotSent.class, await(cardBus.send(silent)));
    assertEquals(NotSentReason.DUPLICATE_IN_FLIGHT, second.reason());
    assertEquals(new CardBusResult.TimedOut("core"), await(first));
    assertEquals(1, h.ledger().messages().size(), "the second copy never left the switch");
  }
}
