package org.posp.channel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.posp.channel.it.CardBusFixture.await;
import static org.posp.channel.it.CardBusFixture.config;
import static org.posp.channel.it.CardBusFixture.host;
import static org.posp.channel.it.CardBusFixture.pan;
import static org.posp.channel.it.CardBusFixture.reversal;
import static org.posp.channel.it.CardBusFixture.sale;
import static org.posp.channel.it.CardBusFixture.voidOf;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardBusResult.NotSentReason;
import org.posp.channel.CardBusSystem;
import org.posp.channel.CardOperation;
import org.posp.channel.route.RouteTable;
import org.posp.security.CupCrypto;
import org.posp.security.KeyType;
import org.posp.security.LmkKey;
import org.posp.security.SoftwareHsm;
import org.posp.sim.cardbus.CardBusHost;
import org.posp.sim.cardbus.HostMessage;
import org.slf4j.LoggerFactory;

/**
 * Messages of docs/protocol/card-bus.md §5 against the real card-bus host simulator over loopback
 * TCP.
 */
class CardBusMessagesTest {

  private static final long START_BALANCE = 100_000_000L;

  /** A test LMK for the software HSM (two different, non-weak halves). */
  private static final String LMK = "0123456789ABCDEFFEDCBA9876543210";

  private static final byte[] PIK_CLEAR =
      CupCrypto.adjustOddParity(HexFormat.of().parseHex("3B2A19087F6E5D4C4C5D6E7F08192A3B"));

  private static ActorTestKit testKit;
  private final List<CardBusHost> hosts = new ArrayList<>();
  private CardBusSystem cardBus;
  private SoftwareHsm hsm;

  @BeforeAll
  static void startActorSystem() {
    testKit = ActorTestKit.create("card-bus-messages");
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

  private CardBusHost startHost() throws Exception {
    CardBusHost h = host(0, Duration.ofSeconds(1));
    hosts.add(h);
    return h;
  }

  /** One host as endpoint "core", default route. */
  private CardBusHost singleHost() throws Exception {
    CardBusHost h = startHost();
    hsm = SoftwareHsm.fromHex(LMK);
    cardBus =
        CardBusSystem.start(
            testKit.system(),
            config(Map.of("core", h.port()), "timeout = 1500ms", "default = core", ""),
            hsm);
    await(cardBus.awaitReady(Duration.ofSeconds(10)));
    return h;
  }

  @Test
  void saleIsApprovedAndDebitsTheCard() throws Exception {
    CardBusHost h = singleHost();
    String pan = pan("622848", "0011", 19);
    CardBusResult r = await(cardBus.send(sale(pan, 12_345)));
    CardBusResult.Answered a = assertInstanceOf(CardBusResult.Answered.class, r);
    assertEquals("core", a.endpoint());
    assertEquals("0000", a.actionCode());
    assertTrue(a.approved());
    assertNotNull(a.approvalCode());
    assertEquals(LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE), a.settlementDate());
    assertEquals(START_BALANCE - 12_345, h.ledger().card(pan).balanceFen());
  }

  @Test
  void declinesCarryTheHostsActionCode() throws Exception {
    singleHost();
    CardBusResult.Answered declined =
        assertInstanceOf(
            CardBusResult.Answered.class,
            await(cardBus.send(sale(pan("622848", "9997", 16), 100))));
    assertEquals("1000", declined.actionCode());
    assertFalse(declined.approved());

    // not Luhn-valid: the host answers 1011 invalid card number
    String bad = pan("622848", "0012", 16);
    String notLuhn = bad.substring(0, 15) + (char) ('0' + (bad.charAt(15) - '0' + 1) % 10);
    CardBusResult.Answered invalid =
        assertInstanceOf(CardBusResult.Answered.class, await(cardBus.send(sale(notLuhn, 100))));
    assertEquals("1011", invalid.actionCode());
    assertFalse(invalid.approved());
  }

  @Test
  void balanceInquiryReturnsField54() throws Exception {
    singleHost();
    String pan = pan("622848", "0013", 16);
    CardBusRequest inquiry =
        new CardBusRequest(
            CardOperation.BALANCE,
            null,
            CardBusFixture.nextRrn(),
            CardBusFixture.nextStan(),
            CardBusFixture.now(),
            0,
            pan,
            null,
            null,
            null,
            null,
            CardBusFixture.TID,
            CardBusFixture.MID,
            null,
            false,
            null);
    CardBusResult.Answered a =
        assertInstanceOf(CardBusResult.Answered.class, await(cardBus.send(inquiry)));
    assertTrue(a.approved());
    assertNotNull(a.balance());
    assertTrue(a.balance().endsWith(String.format("%012d", START_BALANCE)), a.balance());
  }

  @Test
  void pinIsTranslatedToTheEndpointZpkInsideTheHsm() throws Exception {
    CardBusHost h = singleHost();
    LmkKey pik = hsm.importClearKey(KeyType.PIK, PIK_CLEAR);
    String pan = pan("622848", "0014", 16);

    byte[] rightPin = CupCrypto.ecbEncrypt(PIK_CLEAR, CupCrypto.pinBlockFormat0("123456", pan));
    CardBusResult.Answered ok =
        assertInstanceOf(
            CardBusResult.Answered.class,
            await(cardBus.send(sale(pan, 500, new CardBusRequest.PinData(rightPin, pik)))));
    assertEquals("0000", ok.actionCode());

    byte[] wrongPin = CupCrypto.ecbEncrypt(PIK_CLEAR, CupCrypto.pinBlockFormat0("654321", pan));
    CardBusResult.Answered wrong =
        assertInstanceOf(
            CardBusResult.Answered.class,
            await(cardBus.send(sale(pan, 500, new CardBusRequest.PinData(wrongPin, pik)))));
    assertEquals("1017", wrong.actionCode());
    assertFalse(wrong.approved());

    // a block that does not decrypt to format 0 for this PAN never leaves the switch
    byte[] garbage = HexFormat.of().parseHex("00112233445566FF");
    CardBusRequest garbled = sale(pan, 500, new CardBusRequest.PinData(garbage, pik));
    CardBusResult.NotSent refused =
        assertInstanceOf(CardBusResult.NotSent.class, await(cardBus.send(garbled)));
    assertEquals(NotSentReason.PIN_REFUSED, refused.reason());
    assertEquals("core", refused.endpoint());
    assertTrue(h.ledger().byRrn(garbled.rrn()).isEmpty(), "the host must not have seen it");
    assertEquals(START_BALANCE - 500, h.ledger().card(pan).balanceFen());
  }

  @Test
  void reversalThenRepeatKeepStanAndRrnAndUndoTheSale() throws Exception {
    CardBusHost h = singleHost();
    String pan = pan("622848", "9999", 16); // the host decides but never answers
    CardBusRequest sale = sale(pan, 7_000);
    assertInstanceOf(CardBusResult.TimedOut.class, await(cardBus.send(sale)));
    assertEquals(START_BALANCE - 7_000, h.ledger().card(pan).balanceFen());

    String reversalStan = CardBusFixture.nextStan();
    CardBusResult.Answered first =
        assertInstanceOf(
            CardBusResult.Answered.class, await(cardBus.send(reversal(sale, reversalStan, false))));
    assertEquals("4000", first.actionCode());
    CardBusResult.Answered repeat =
        assertInstanceOf(
            CardBusResult.Answered.class, await(cardBus.send(reversal(sale, reversalStan, true))));
    assertEquals("4000", repeat.actionCode());

    List<HostMessage> byRrn = h.ledger().messagesByRrn(sale.rrn());
    HostMessage r2420 =
        byRrn.stream().filter(m -> m.mti().equals("2420")).findFirst().orElseThrow();
    HostMessage r2421 =
        byRrn.stream().filter(m -> m.mti().equals("2421")).findFirst().orElseThrow();
    assertEquals(reversalStan, r2420.stan());
    assertEquals(reversalStan, r2421.stan());
    assertEquals(sale.rrn(), r2421.rrn());
    assertEquals("4021", r2420.reasonCode());
    assertEquals("400", r2421.functionCode());
    assertTrue(h.ledger().byRrn(sale.rrn()).orElseThrow().reversed());
    assertEquals(START_BALANCE, h.ledger().card(pan).balanceFen(), "reversed exactly once");
    assertEquals(2, h.ledger().reversalsReceived());
  }

  @Test
  void voidNamesTheOriginalInField56() throws Exception {
    CardBusHost h = singleHost();
    String pan = pan("622848", "0015", 16);
    CardBusRequest sale = sale(pan, 2_500);
    assertEquals("0000", ((CardBusResult.Answered) await(cardBus.send(sale))).actionCode());
    CardBusRequest cancel = voidOf(sale);
    CardBusResult.Answered a =
        assertInstanceOf(CardBusResult.Answered.class, await(cardBus.send(cancel)));
    assertEquals("0000", a.actionCode());

    HostMessage voidMsg = h.ledger().byRrn(cancel.rrn()).orElseThrow();
    assertEquals("2200", voidMsg.mti());
    assertEquals("4000", voidMsg.reasonCode());
    assertEquals(sale.rrn(), voidMsg.originalRrn(), "the host found the original through field 56");
    assertTrue(h.ledger().byRrn(sale.rrn()).orElseThrow().voided());
    assertEquals(START_BALANCE, h.ledger().card(pan).balanceFen());

    // voiding it again: the original is already voided
    CardBusRequest again = voidOf(sale);
    CardBusResult.Answered second =
        assertInstanceOf(CardBusResult.Answered.class, await(cardBus.send(again)));
    assertFalse(second.approved());
  }

  @Test
  void routesByLongestBinPrefixToTwoHostsAndSwapsTablesAtRunTime() throws Exception {
    CardBusHost core = startHost();
    CardBusHost cups = startHost();
    Map<String, Integer> endpoints = new LinkedHashMap<>();
    endpoints.put("core", core.port());
    endpoints.put("cups", cups.port());
    cardBus =
        CardBusSystem.start(
            testKit.system(),
            config(
                endpoints,
                "links-per-address = 1",
                "bins { \"622202\" = core, \"6222029\" = cups }, default = cups",
                ""),
            SoftwareHsm.fromHex(LMK));
    await(cardBus.awaitReady(Duration.ofSeconds(10)));

    CardBusRequest own = sale(pan("622202", "0016", 19), 100);
    CardBusRequest longer = sale(pan("6222029", "0017", 19), 100);
    CardBusRequest other = sale(pan("622848", "0018", 16), 100);
    assertEquals("core", await(cardBus.send(own)).endpoint());
    assertEquals("cups", await(cardBus.send(longer)).endpoint());
    assertEquals("cups", await(cardBus.send(other)).endpoint());
    assertTrue(core.ledger().byRrn(own.rrn()).isPresent());
    assertTrue(cups.ledger().byRrn(own.rrn()).isEmpty());
    assertTrue(cups.ledger().byRrn(longer.rrn()).isPresent());
    assertTrue(core.ledger().byRrn(longer.rrn()).isEmpty());
    assertTrue(cups.ledger().byRrn(other.rrn()).isPresent());

    cardBus.updateRoutes(new RouteTable(Map.of("622202", "core"), null, null));
    CardBusRequest nowCore = sale(pan("6222029", "0019", 19), 100);
    assertEquals("core", await(cardBus.send(nowCore)).endpoint());
    assertTrue(core.ledger().byRrn(nowCore.rrn()).isPresent());
    CardBusResult.NotSent noRoute =
        assertInstanceOf(
            CardBusResult.NotSent.class, await(cardBus.send(sale(pan("622848", "0020", 16), 100))));
    assertEquals(NotSentReason.NO_ROUTE, noRoute.reason());
    assertEquals(null, noRoute.endpoint());

    assertThrows(
        IllegalArgumentException.class,
        () -> cardBus.updateRoutes(new RouteTable(Map.of(), null, "cnaps")),
        "cnaps is not configured");
    assertEquals("core", cardBus.routes().bins().get("622202"));
  }

  @Test
  void badRequestsAreRefusedBeforeSending() throws Exception {
    CardBusHost h = singleHost();
    CardBusRequest noStan =
        new CardBusRequest(
            CardOperation.SALE,
            null,
            CardBusFixture.nextRrn(),
            "12",
            CardBusFixture.now(),
            100,
            pan("622848", "0021", 16),
            null,
            null,
            null,
            null,
            CardBusFixture.TID,
            CardBusFixture.MID,
            null,
            false,
            null);
    CardBusResult.NotSent r =
        assertInstanceOf(CardBusResult.NotSent.class, await(cardBus.send(noStan)));
    assertEquals(NotSentReason.INVALID_REQUEST, r.reason());
    assertTrue(r.detail().contains("11"), r.detail());
    assertTrue(h.ledger().messages().isEmpty());
  }

  @Test
  void aClearZpkIsLoggedAsAWarningNamingTheEndpoint() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(CardBusSystem.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      singleHost();
    } finally {
      logger.detachAppender(appender);
    }
    assertTrue(
        appender.list.stream()
            .anyMatch(
                e ->
                    e.getLevel() == Level.WARN
                        && e.getFormattedMessage().contains("core")
                        && e.getFormattedMessage().contains("CLEAR")),
        "expected a WARN naming endpoint core");
    assertTrue(
        appender.list.stream().noneMatch(e -> e.getFormattedMessage().contains("1C1C1C1C")),
        "the key must never be logged");
  }
}
