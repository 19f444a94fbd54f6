package org.posp.benchmarks;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.posp.security.CupCrypto;
import org.posp.terminal.codec.Field60;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFrame;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * Each benchmark must measure a successful operation on a well-formed sale: a broken fixture (a
 * message the codec refuses, a MAC that does not verify, a PIN block that does not translate) would
 * otherwise measure an exception path or nothing, and the figures would look fine. So every
 * benchmark method is called once here and its result checked against values computed
 * independently.
 */
class BenchmarkFixtureTest {
  /**
   * The MAB of docs/protocol/terminal.md §13.7 (MAC 2), whose MAC under the fixture's MAK is
   * 8A9E91B8.
   */
  private static final String SPEC_MAC2_MAB =
      "0200302004C020C0981100000000000000005100183402100006324392260009942820D1"
          + "312101120084393136363838303134303030303030303030303030303031313536ACF46E73838A82F926000000000000000008"
          + "22000001";

  private static final String JMH_BLACKHOLE_CONSENT =
      "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.";

  private final SaleFixture sale = SaleFixture.create();

  @Test
  void theBenchmarkHsmReproducesThePublishedMacVector() {
    byte[] mac = sale.hsm().generateMac(sale.mak(), CupCrypto.unhex(SPEC_MAC2_MAB));
    assertEquals("8A9E91B8", new String(mac, US_ASCII));
    assertEquals("0547DB3E", sale.mak().checkValue());
  }

  @Test
  void theRequestFrameIsAWellFormedSale() throws Exception {
    TerminalFrame frame = TerminalFrame.decode(sale.requestFrame());
    assertArrayEquals(SaleFixture.TPDU, frame.tpdu());
    assertArrayEquals(SaleFixture.HEADER, frame.header());
    TerminalMessage m = TerminalCodec.unpack(frame.body());
    assertEquals(sale.request(), m);
    assertEquals("0200", m.mti());
    assertEquals(
        List.of(2, 3, 4, 11, 14, 22, 25, 26, 35, 41, 42, 49, 52, 53, 60, 63, 64),
        List.copyOf(m.fields()));
    assertEquals(Optional.of(TransactionType.SALE), TransactionType.classify(m));
    assertEquals(Field60.of("22", "000024", "000"), Field60.from(m));
    assertEquals(SaleFixture.TRACK2, m.get(35));
    assertEquals(37, m.get(35).length());
    assertTrue(m.get(35).startsWith(m.get(2) + "="));
  }

  @Test
  void theRequestCarriesAValidMacAndPinBlock() throws Exception {
    byte[] body = TerminalCodec.pack(sale.request());
    assertTrue(sale.hsm().verifyMac(sale.mak(), Macs.mab(body), Macs.macOf(body)));
    byte[] tampered = TerminalCodec.pack(sale.request().toBuilder().set(4, "000000012346").build());
    assertFalse(sale.hsm().verifyMac(sale.mak(), Macs.mab(tampered), Macs.macOf(tampered)));

    byte[] clearBlock =
        CupCrypto.ecbDecrypt(CupCrypto.unhex(SaleFixture.PIK_HEX), sale.request().getBytes(52));
    assertEquals(SaleFixture.PIN, CupCrypto.parsePinBlockFormat0(clearBlock, sale.pan()));
  }

  @Test
  void theReplyEchoesTheRequestAndIsSigned() throws Exception {
    TerminalMessage reply = sale.reply();
    assertEquals("0210", reply.mti());
    for (int f : new int[] {2, 3, 4, 11, 14, 25, 41, 42, 49, 60}) {
      assertEquals(sale.request().get(f), reply.get(f), "field " + f);
    }
    assertEquals(
        List.of(2, 3, 4, 11, 12, 13, 14, 15, 25, 32, 37, 38, 39, 41, 42, 44, 49, 60, 63, 64),
        List.copyOf(reply.fields()));
    assertEquals("00", reply.get(39));
    assertEquals("150809", reply.get(12));
    assertEquals("0314", reply.get(13));
    byte[] body = TerminalCodec.pack(reply);
    assertTrue(sale.hsm().verifyMac(sale.mak(), Macs.mab(body), Macs.macOf(body)));
    assertEquals(reply, TerminalCodec.unpack(body));
  }

  @Test
  void codecBenchmarksDecodeAndEncodeTheSale() throws Exception {
    TerminalCodecBenchmark b = new TerminalCodecBenchmark();
    b.setup();
    assertEquals(sale.request(), b.decodeSaleRequest());

    TerminalFrame encoded = TerminalFrame.decode(b.encodeSaleReply());
    assertArrayEquals(new byte[] {0x60, 0x00, 0x00, 0x00, 0x03}, encoded.tpdu(), "TPDU swapped");
    assertArrayEquals(SaleFixture.HEADER, encoded.header());
    assertEquals(sale.reply(), TerminalCodec.unpack(encoded.body()));

    // the codec-only round leaves the MAC placeholder in field 64
    TerminalMessage round = TerminalCodec.unpack(TerminalFrame.decode(b.fullRound()).body());
    assertEquals(sale.reply().toBuilder().setBytes(64, Macs.placeholder()).build(), round);
  }

  @Test
  void macBenchmarksWorkOnTheSaleMab() throws Exception {
    MacBenchmark b = new MacBenchmark();
    b.setup();
    assertArrayEquals(sale.request().getBytes(64), b.generateMac());
    assertTrue(b.verifyMac());
    int expected = TerminalCodec.pack(sale.request()).length - Macs.MAC_LENGTH;
    assertEquals(expected, b.mabLength());
    assertTrue(b.mabLength() > 100, "a sale MAB, not a stub: " + b.mabLength() + " bytes");
  }

  @Test
  void pinBenchmarkTranslatesToTheZpk() {
    PinTranslationBenchmark b = new PinTranslationBenchmark();
    b.setup();
    byte[] underZpk = b.translatePinPikToZpk();
    assertFalse(Arrays.equals(sale.request().getBytes(52), underZpk));
    byte[] clearBlock = CupCrypto.ecbDecrypt(CupCrypto.unhex(SaleFixture.ZPK_HEX), underZpk);
    assertEquals(SaleFixture.PIN, CupCrypto.parsePinBlockFormat0(clearBlock, sale.pan()));
  }

  @Test
  void cryptoPiecesAgreeWithTheHsm() throws Exception {
    CupCryptoBenchmark b = new CupCryptoBenchmark();
    b.setup();
    assertArrayEquals(sale.request().getBytes(64), b.cupMacClearKey());
    assertEquals(SaleFixture.PIN, CupCrypto.parsePinBlockFormat0(b.tripleDesBlock(), sale.pan()));
    assertEquals(sale.pik().checkValue(), b.hsmKeyCheck());
  }

  @Test
  void saleRoundReturnsTheSignedApproval() throws Exception {
    SaleRoundBenchmark b = new SaleRoundBenchmark();
    b.setup();
    TerminalFrame frame =
        TerminalFrame.decode(b.approvedSale(new Blackhole(JMH_BLACKHOLE_CONSENT)));
    // same request, same reply time: byte for byte the fixture's signed reply
    assertArrayEquals(TerminalCodec.pack(sale.reply()), frame.body());
    assertArrayEquals(new byte[] {0x60, 0x00, 0x00, 0x00, 0x03}, frame.tpdu());
  }

  @Test
  void noClearCardDataInToString() {
    String shown = sale.toString();
    assertFalse(shown.contains(SaleFixture.PAN), shown);
    assertTrue(shown.contains("622202****0128"), shown);
    assertFalse(shown.contains(CupCrypto.hex(sale.request().getBytes(52))), shown);
  }

  /**
   * The annotation processor ran and saw every benchmark in both modes, with the units the report
   * relies on: without the processor the jar still builds, and runs no benchmark at all.
   */
  @Test
  void everyBenchmarkIsGeneratedInBothModes() throws IOException {
    List<BenchmarkListEntry> entries;
    try (InputStream in = getClass().getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
      assertNotNull(in, "META-INF/BenchmarkList missing: the JMH annotation processor did not run");
      entries = BenchmarkList.readBenchmarkList(in);
    }
    Map<String, String> generated = new TreeMap<>();
    for (BenchmarkListEntry e : entries) {
      generated.put(e.getUsername(), e.getMode() + " " + e.getTimeUnit().orElse(null));
    }
    Map<String, String> expected = new TreeMap<>();
    for (String name :
        List.of(
            "TerminalCodecBenchmark.decodeSaleRequest",
            "TerminalCodecBenchmark.encodeSaleReply",
            "TerminalCodecBenchmark.fullRound",
            "MacBenchmark.generateMac",
            "MacBenchmark.verifyMac",
            "PinTranslationBenchmark.translatePinPikToZpk",
            "CupCryptoBenchmark.cupMacClearKey",
            "CupCryptoBenchmark.tripleDesBlock",
            "CupCryptoBenchmark.hsmKeyCheck",
            "SaleRoundBenchmark.approvedSale")) {
      int dot = name.indexOf('.');
      expected.put("org.posp.benchmarks." + name, Mode.Throughput + " " + TimeUnit.SECONDS);
      expected.put(
          "org.posp.benchmarks." + name.substring(0, dot) + ".AverageTime" + name.substring(dot),
          Mode.AverageTime + " " + TimeUnit.MICROSECONDS);
    }
    assertEquals(expected, generated);
  }
}
