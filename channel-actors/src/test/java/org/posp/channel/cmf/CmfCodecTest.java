package org.posp.channel.cmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.jpos.iso.ISOAmount;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusRequest.OriginalData;
import org.posp.channel.CardOperation;

class CmfCodecTest {

  static final String PAN = "6222021234567890123";
  static final String ACQ = "48020000";
  static final Instant SENT = Instant.parse("2025-03-07T08:09:10Z");
  static final OriginalData ORIGINAL =
      new OriginalData("2200", "000000000042", "20250307160000", ACQ);

  static CardBusRequest request(
      CardOperation op,
      CardOperation orig,
      long amount,
      OriginalData original,
      boolean repeat,
      String account) {
    return new CardBusRequest(
        op,
        orig,
        "RRN000000001",
        "000000000123",
        "20250307160910",
        amount,
        PAN,
        "2912",
        null,
        null,
        null,
        "TERM0001",
        "123456789012345",
        original,
        repeat,
        account);
  }

  static ISOMsg roundTrip(ISOMsg m) {
    return CmfCodec.unpack(CmfCodec.pack(m));
  }

  @Test
  void saleCarriesEveryFieldOfTheSpec() {
    byte[] pin = HexFormat.of().parseHex("0123456789ABCDEF");
    CardBusRequest r =
        new CardBusRequest(
            CardOperation.SALE,
            null,
            "RRN000000001",
            "000000000123",
            "20250307160910",
            12345,
            PAN,
            "2912",
            PAN + "=2912101",
            new byte[] {(byte) 0x9F, 0x26, 1, 0},
            null,
            "TERM0001",
            "123456789012345",
            null,
            false,
            null);
    ISOMsg m = roundTrip(CmfCodec.request(r, ACQ, pin, SENT));
    assertEquals("2200", m.getString(0));
    assertEquals(PAN, m.getString(2));
    assertEquals("000000", m.getString(3));
    ISOAmount amount = (ISOAmount) m.getComponent(4);
    assertEquals(156, amount.getCurrencyCode());
    assertEquals(2, amount.getScale());
    assertEquals(new BigDecimal("123.45"), amount.getAmount());
    assertEquals("0307080910", m.getString(7));
    assertEquals("000000000123", m.getString(11));
    assertEquals("20250307160910", m.getString(12));
    assertEquals("2912", m.getString(14));
    assertEquals("200", m.getString(24));
    assertFalse(m.hasField(25));
    assertEquals(ACQ, m.getString(32));
    assertEquals(PAN + "=2912101", m.getString(35));
    assertEquals("RRN000000001", m.getString(37));
    assertEquals("TERM0001", m.getString(41).strip());
    assertEquals("123456789012345", m.getString(42));
    assertArrayEquals(pin, m.getBytes(52));
    assertArrayEquals(new byte[] {(byte) 0x9F, 0x26, 1, 0}, m.getBytes(55));
    assertFalse(m.hasField(56));
    assertFalse(m.hasField(103));
  }

  @Test
  void amountUsesTheCmfLayoutCurrencyMinorUnitAmount() {
    ISOMsg m =
        CmfCodec.request(
            request(CardOperation.SALE, null, 1234, null, false, null), ACQ, null, SENT);
    byte[] packed = CmfCodec.pack(m);
    // IFB_AMOUNT2003: n3 currency + n1 minor unit + n12 amount, BCD: 15 62 00 00 00 00 12 34
    String hex = HexFormat.of().formatHex(packed).toUpperCase();
    assertTrue(hex.contains("1562000000001234"), hex);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "BALANCE,2100,300000,108",
    "PRE_AUTH,2100,000000,101",
    "SALE,2200,000000,200",
    "COMPLETION,2200,000000,202",
    "COMPLETION_ADVICE,2220,000000,202",
    "REFUND,2200,200000,200",
    "TRANSFER,2200,400000,200"
  })
  void operationsOfTheMessageTable(CardOperation op, String mti, String f3, String f24) {
    boolean needsOriginal = CmfCodec.needsOriginal(op);
    CardBusRequest r =
        request(
            op,
            null,
            op == CardOperation.BALANCE ? 0 : 500,
            needsOriginal ? ORIGINAL : null,
            false,
            op == CardOperation.TRANSFER ? "6217000010001234567" : null);
    ISOMsg m = roundTrip(CmfCodec.request(r, ACQ, null, SENT));
    assertEquals(mti, m.getString(0));
    assertEquals(f3, m.getString(3));
    assertEquals(f24, m.getString(24));
    assertFalse(m.hasField(25));
    assertEquals(op != CardOperation.BALANCE, m.hasField(4));
    assertEquals(needsOriginal, m.hasField(56));
    assertEquals(op == CardOperation.TRANSFER, m.hasField(103));
    if (op == CardOperation.TRANSFER) assertEquals("6217000010001234567", m.getString(103));
  }

  @ParameterizedTest(name = "void of {0}")
  @CsvSource({"SALE,2200,000000,200", "PRE_AUTH,2100,000000,101", "COMPLETION,2200,000000,202"})
  void voidTakesMti3And24FromTheOriginal(CardOperation orig, String mti, String f3, String f24) {
    ISOMsg m =
        roundTrip(
            CmfCodec.request(
                request(CardOperation.VOID, orig, 500, ORIGINAL, false, null), ACQ, null, SENT));
    assertEquals(mti, m.getString(0));
    assertEquals(f3, m.getString(3));
    assertEquals(f24, m.getString(24));
    assertEquals("4000", m.getString(25));
    assertEquals("2200" + "000000000042" + "20250307160000" + ACQ, m.getString(56));
  }

  @ParameterizedTest(name = "reversal of {0}")
  @CsvSource({
    "SALE,000000",
    "PRE_AUTH,000000",
    "COMPLETION,000000",
    "COMPLETION_ADVICE,000000",
    "REFUND,200000",
    "TRANSFER,400000",
    "VOID,000000"
  })
  void reversalIs2420With3OfTheReversedMessage(CardOperation orig, String f3) {
    ISOMsg first =
        roundTrip(
            CmfCodec.request(
                request(CardOperation.REVERSAL, orig, 500, ORIGINAL, false, null),
                ACQ,
                null,
                SENT));
    assertEquals("2420", first.getString(0));
    assertEquals(f3, first.getString(3));
    assertEquals("400", first.getString(24));
    assertEquals("4021", first.getString(25));
    assertEquals("RRN000000001", first.getString(37));
    ISOMsg repeat =
        roundTrip(
            CmfCodec.request(
                request(CardOperation.REVERSAL, orig, 500, ORIGINAL, true, null), ACQ, null, SENT));
    assertEquals("2421", repeat.getString(0));
    assertEquals(first.getString(11), repeat.getString(11));
    assertEquals(first.getString(37), repeat.getString(37));
  }

  @Test
  void repeatedCompletionAdviceIs2221() {
    ISOMsg m =
        CmfCodec.request(
            request(CardOperation.COMPLETION_ADVICE, null, 500, ORIGINAL, true, null),
            ACQ,
            null,
            SENT);
    assertEquals("2221", m.getString(0));
  }

  @Test
  void matchKeyPairsRequestsWithTheirReplies() {
    ISOMsg sale =
        CmfCodec.request(request(CardOperation.SALE, null, 1, null, false, null), ACQ, null, SENT);
    ISOMsg reply = new ISOMsg("2210");
    reply.set(11, "000000000123");
    reply.set(41, "TERM0001        "); // as IF_CHAR pads it
    assertEquals(CmfCodec.matchKey(sale), CmfCodec.matchKey(roundTrip(reply)));

    ISOMsg repeatReversal =
        CmfCodec.request(
            request(CardOperation.REVERSAL, CardOperation.SALE, 1, ORIGINAL, true, null),
            ACQ,
            null,
            SENT);
    ISOMsg reversalReply = new ISOMsg("2430");
    reversalReply.set(11, "000000000123");
    reversalReply.set(41, "TERM0001");
    assertEquals(CmfCodec.matchKey(repeatReversal), CmfCodec.matchKey(reversalReply));
    // same STAN and terminal, other message class: not the same exchange
    assertNotEquals(CmfCodec.matchKey(sale), CmfCodec.matchKey(reversalReply));
  }

  @Test
  void responseMtis() {
    assertTrue(CmfCodec.isResponse("2210"));
    assertTrue(CmfCodec.isResponse("2430"));
    assertTrue(CmfCodec.isResponse("2810"));
    assertFalse(CmfCodec.isResponse("2200"));
    assertFalse(CmfCodec.isResponse("2421"));
    assertFalse(CmfCodec.isResponse("2220"));
  }

  @Test
  void networkMessages() {
    ISOMsg logon =
        roundTrip(CmfCodec.networkRequest(CmfCodec.FUNCTION_LOGON, "000000000007", ACQ, SENT));
    assertEquals("2800", logon.getString(0));
    assertEquals("801", logon.getString(24));
    assertEquals("000000000007", logon.getString(11));
    assertEquals(ACQ, logon.getString(32));
    ISOMsg answer = roundTrip(CmfCodec.networkResponse(logon, SENT));
    assertEquals("2810", answer.getString(0));
    assertEquals("8000", answer.getString(39));
    assertEquals("000000000007", answer.getString(11));
  }

  @Test
  void replyFields() {
    ISOMsg reply = new ISOMsg("2110");
    reply.set(11, "000000000123");
    reply.set(15, "20250307");
    reply.set(37, "RRN000000001");
    reply.set(38, "A1B2C3");
    reply.set(39, "0000");
    reply.set(41, "TERM0001");
    reply.set(54, "1002156C000100000000");
    CmfReply r = CmfReply.of(roundTrip(reply));
    assertEquals("2110", r.mti());
    assertEquals("0000", r.actionCode());
    assertEquals("A1B2C3", r.approvalCode());
    assertEquals("20250307", r.settlementDate());
    assertEquals("1002156C000100000000", r.balance());
    assertEquals("TERM0001", r.terminalId());
    assertEquals("RRN000000001", r.rrn());
    assertTrue(r.hasActionCode());
  }

  @Test
  void badInputNamesTheFieldButNotItsContent() {
    CardBusRequest badStan =
        new CardBusRequest(
            CardOperation.SALE,
            null,
            "RRN000000001",
            "123",
            "20250307160910",
            1,
            PAN,
            null,
            null,
            null,
            null,
            "TERM0001",
            "M1",
            null,
            false,
            null);
    CmfException e =
        assertThrows(CmfException.class, () -> CmfCodec.request(badStan, ACQ, null, SENT));
    assertTrue(e.getMessage().contains("11"), e.getMessage());

    CardBusRequest badPan =
        new CardBusRequest(
            CardOperation.SALE,
            null,
            "RRN000000001",
            "000000000001",
            "20250307160910",
            1,
            "62220212345X7890",
            null,
            null,
            null,
            null,
            "TERM0001",
            "M1",
            null,
            false,
            null);
    e = assertThrows(CmfException.class, () -> CmfCodec.request(badPan, ACQ, null, SENT));
    assertTrue(e.getMessage().contains("field 2"), e.getMessage());
    assertFalse(
        e.getMessage().contains("62220212345"), "the PAN must not appear: " + e.getMessage());

    assertThrows(
        CmfException.class,
        () ->
            CmfCodec.request(
                request(CardOperation.REFUND, null, 1, null, false, null), ACQ, null, SENT),
        "refund without 56");
    assertThrows(
        CmfException.class,
        () ->
            CmfCodec.request(
                request(CardOperation.VOID, CardOperation.REFUND, 1, ORIGINAL, false, null),
                ACQ,
                null,
                SENT),
        "void of a refund");
    assertThrows(
        CmfException.class,
        () ->
            CmfCodec.request(
                request(CardOperation.REVERSAL, null, 1, ORIGINAL, false, null), ACQ, null, SENT),
        "reversal of nothing");
    assertThrows(
        CmfException.class,
        () ->
            CmfCodec.request(
                request(CardOperation.TRANSFER, null, 1, null, false, null), ACQ, null, SENT),
        "transfer without 103");
    assertThrows(
        CmfException.class,
        () ->
            CmfCodec.request(
                request(CardOperation.SALE, null, -1, null, false, null), ACQ, null, SENT),
        "negative amount");
    assertThrows(
        CmfException.class,
        () ->
            CmfCodec.request(
                request(CardOperation.SALE, null, 1, null, true, null), ACQ, null, SENT),
        "repeat of a sale");
    assertThrows(
        CmfException.class,
        () ->
            CmfCodec.request(
                request(CardOperation.SALE, null, 1, null, false, null), "4802A", null, SENT),
        "acquirer id");
    assertThrows(
        CmfException.class,
        () ->
            CmfCodec.request(
                request(CardOperation.SALE, null, 1, null, false, null), ACQ, new byte[7], SENT),
        "PIN block length");
    OriginalData shortStan = new OriginalData("2200", "42", "20250307160000", ACQ);
    e =
        assertThrows(
            CmfException.class,
            () ->
                CmfCodec.request(
                    request(CardOperation.REFUND, null, 1, shortStan, false, null),
                    ACQ,
                    null,
                    SENT));
    assertTrue(e.getMessage().contains("56"), e.getMessage());
  }

  @Test
  void unpackRejectsGarbageWithAClearError() {
    CmfException e = assertThrows(CmfException.class, () -> CmfCodec.unpack(new byte[] {0x22}));
    assertTrue(e.getMessage().contains("too short"), e.getMessage());
    byte[] packed = CmfCodec.pack(CmfCodec.networkRequest("831", "000000000001", ACQ, SENT));
    byte[] withTrailer = Arrays.copyOf(packed, packed.length + 3);
    e = assertThrows(CmfException.class, () -> CmfCodec.unpack(withTrailer));
    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    byte[] truncated = Arrays.copyOf(packed, packed.length - 3);
    assertThrows(CmfException.class, () -> CmfCodec.unpack(truncated));
  }
}
