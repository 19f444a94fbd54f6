package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.posp.channel.CardBusResult;
import org.posp.channel.CardBusResult.NotSentReason;
import org.posp.terminal.codec.ResponseCode;

/**
 * docs/protocol/card-bus.md §9, row by row, with the codes written out (not taken from the
 * mapping's own constants).
 */
class TerminalCodesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // 0000-0013 approved
    "0000,00",
    "0001,00",
    "0002,00",
    "0003,00",
    "0004,00",
    "0005,00",
    "0006,00",
    "0007,00",
    "0008,00",
    "0009,00",
    "0010,00",
    "0011,00",
    "0012,00",
    "0013,00",
    "1000,05",
    "1001,54",
    "1002,59",
    "1006,75",
    "1007,01",
    "1010,13",
    "1011,14",
    "1804,14",
    "1016,51",
    "1017,55",
    "1019,57",
    "1020,58",
    "1021,61",
    "1023,65",
    "1032,41",
    "9107,91",
    "9111,91",
    "9112,91",
    "1833,91",
    "9113,94",
    "9114,25",
    // any other: 05 for 1xxx/2xxx, 96 otherwise
    "0014,96",
    "0099,96",
    "1003,05",
    "1008,05",
    "1018,05",
    "1999,05",
    "2000,05",
    "2012,05",
    "2999,05",
    "3000,96",
    "4000,96",
    "8000,96",
    "9100,96",
    "9109,96",
    "9999,96"
  })
  void mapsEveryActionCode(String cmf, String terminal) {
    assertEquals(terminal, TerminalCodes.ofAction(cmf).code());
    CardBusResult.Answered answered = new CardBusResult.Answered("cups", cmf, null, null, null);
    assertEquals(terminal, TerminalCodes.of(answered));
    assertEquals("00".equals(terminal), TerminalCodes.approved(answered));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"000", "00000", "ABCD", " 000", "-001"})
  void malformedActionCodesAreSystemErrors(String cmf) {
    assertEquals(ResponseCode.SYSTEM_ERROR, TerminalCodes.ofAction(cmf));
    assertFalse(TerminalCodes.approved(new CardBusResult.Answered("cups", cmf, null, null, null)));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "BREAKER_OPEN,91",
    "NO_READY_LINK,91",
    "STOPPED,91",
    "NO_ROUTE,92",
    "ENDPOINT_NOT_CONFIGURED,92",
    "PIN_REFUSED,99",
    "INVALID_REQUEST,30",
    "DUPLICATE_IN_FLIGHT,94",
    "NO_ZPK,96",
    "SECURITY_MODULE,96",
    "INTERNAL,96"
  })
  void mapsEveryReasonForNotSending(NotSentReason reason, String terminal) {
    assertEquals(
        terminal, TerminalCodes.of(new CardBusResult.NotSent("cups", reason, "detail")).code());
  }

  @Test
  void theRowsAboveCoverEveryReason() {
    assertEquals(
        11,
        NotSentReason.values().length,
        "a new reason needs its row above and in docs/protocol/card-bus.md §9");
  }
}
