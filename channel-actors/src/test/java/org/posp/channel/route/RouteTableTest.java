package org.posp.channel.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.posp.channel.CardOperation;

class RouteTableTest {

  private final RouteTable table =
      new RouteTable(Map.of("622202", "core", "6222021", "vip", "62", "cups-62"), "cnaps", "cups");

  @Test
  void longestBinPrefixWins() {
    assertEquals(Optional.of("vip"), table.route(CardOperation.SALE, null, "6222021234567890"));
    assertEquals(Optional.of("core"), table.route(CardOperation.SALE, null, "6222029234567890"));
    assertEquals(Optional.of("cups-62"), table.route(CardOperation.SALE, null, "6228480000000001"));
    assertEquals(Optional.of("cups"), table.route(CardOperation.SALE, null, "4111111111111111"));
  }

  @Test
  void transfersAndTheirVoidsAndReversalsGoToTheTransferEndpoint() {
    assertEquals(
        Optional.of("cnaps"), table.route(CardOperation.TRANSFER, null, "6222021234567890"));
    assertEquals(
        Optional.of("cnaps"),
        table.route(CardOperation.REVERSAL, CardOperation.TRANSFER, "6222021234567890"));
    assertEquals(
        Optional.of("vip"),
        table.route(CardOperation.REVERSAL, CardOperation.SALE, "6222021234567890"));
  }

  @Test
  void withoutTransferEndpointTransfersRouteByBin() {
    RouteTable t = new RouteTable(Map.of("622202", "core"), "", "cups");
    assertEquals(Optional.of("core"), t.route(CardOperation.TRANSFER, null, "6222021234567890"));
  }

  @Test
  void noDefaultMeansNoRoute() {
    RouteTable t = new RouteTable(Map.of("622202", "core"), null, null);
    assertEquals(Optional.empty(), t.route(CardOperation.SALE, null, "4111111111111111"));
    assertEquals(Optional.empty(), t.route(CardOperation.SALE, null, null));
  }

  @Test
  void singleEndpoint() {
    RouteTable t = RouteTable.single("beai");
    assertEquals(Optional.of("beai"), t.route(CardOperation.TRANSFER, null, "6222021234567890"));
    assertEquals(Optional.of("beai"), t.route(CardOperation.SALE, null, "4111111111111111"));
    assertEquals(Set.of("beai"), t.endpoints());
  }

  @Test
  void readsHocon() {
    RouteTable t =
        RouteTable.fromConfig(
            ConfigFactory.parseString(
                "bins { \"622202\" = core, 621 = cups2 }, transfer = cnaps, default = cups"));
    assertEquals(Map.of("622202", "core", "621", "cups2"), t.bins());
    assertEquals("cnaps", t.transferEndpoint());
    assertEquals("cups", t.defaultEndpoint());
    assertEquals(Set.of("core", "cups2", "cnaps", "cups"), t.endpoints());
  }

  @Test
  void rejectsBadBins() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RouteTable(Map.of("62A2", "core"), null, "cups"));
    assertTrue(e.getMessage().contains("62A2"));
    assertThrows(
        IllegalArgumentException.class, () -> new RouteTable(Map.of("622202", " "), null, "cups"));
  }
}
