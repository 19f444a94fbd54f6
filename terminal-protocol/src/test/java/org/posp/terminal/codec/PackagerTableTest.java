package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.posp.terminal.codec.FieldTable.FieldDef;

/** The packager table against docs/protocol/terminal.md §3, and its use from several threads. */
class PackagerTableTest {

  /**
   * docs/protocol/terminal.md §3, written out again: field -> "format prefix" (prefix "-" = fixed).
   */
  private static final Map<Integer, String> SPEC =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry(0, "n4 -"),
              Map.entry(2, "n19 LL"),
              Map.entry(3, "n6 -"),
              Map.entry(4, "n12 -"),
              Map.entry(11, "n6 -"),
              Map.entry(12, "n6 -"),
              Map.entry(13, "n4 -"),
              Map.entry(14, "n4 -"),
              Map.entry(15, "n4 -"),
              Map.entry(22, "n3 -"),
              Map.entry(23, "n3 -"),
              Map.entry(25, "n2 -"),
              Map.entry(26, "n2 -"),
              Map.entry(32, "n11 LL"),
              Map.entry(35, "z37 LL"),
              Map.entry(36, "z104 LLL"),
              Map.entry(37, "ans12 -"),
              Map.entry(38, "ans6 -"),
              Map.entry(39, "ans2 -"),
              Map.entry(41, "ans8 -"),
              Map.entry(42, "ans15 -"),
              Map.entry(44, "ans25 LL"),
              Map.entry(48, "n322 LLL"),
              Map.entry(49, "ans3 -"),
              Map.entry(52, "b8 -"),
              Map.entry(53, "n16 -"),
              Map.entry(54, "ans20 LLL"),
              Map.entry(55, "b255 LLL"),
              Map.entry(
                  59, "ans999 LLL"), // acquirer field of the §8.3 capture, in §3 as accepted and
              // ignored
              Map.entry(60, "n19 LLL"),
              Map.entry(61, "n29 LLL"),
              Map.entry(62, "b512 LLL"),
              Map.entry(63, "ans163 LLL"),
              Map.entry(64, "b8 -")));

  @Test
  void tableMatchesTheSpec() {
    Map<Integer, String> actual = new TreeMap<>();
    for (int f = 0; f <= 64; f++) {
      FieldDef d = FieldTable.get().field(f);
      if (d == null) {
        continue;
      }
      String type =
          switch (d.kind()) {
            case NUMERIC -> "n";
            case TRACK -> "z";
            case TEXT -> "ans";
            case BINARY -> "b";
          };
      String prefix =
          switch (d.prefixBytes()) {
            case 0 -> "-";
            case 1 -> "LL";
            default -> "LLL";
          };
      actual.put(f, type + d.length() + " " + prefix);
    }
    assertEquals(SPEC, actual);
    assertNull(FieldTable.get().field(1), "the bitmap is handled by the codec");
    assertNull(FieldTable.get().field(65));
    assertNotNull(FieldTable.get().field(64).description());
  }

  @Test
  void concurrentUseGivesTheSameBytes() throws Exception {
    List<byte[]> bodies =
        List.of(
            TerminalFrame.decode(Hex.bytes(CapturedMessagesTest.P4_IC_SALE)).body(),
            TerminalFrame.decode(Hex.bytes(CapturedMessagesTest.BALANCE_REPLY)).body(),
            TerminalFrame.decode(Hex.bytes(CapturedMessagesTest.SIGN_ON)).body(),
            FieldTypeTest.mac2Body());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int first = t;
        results.add(
            pool.submit(
                () -> {
                  int done = 0;
                  for (int i = 0; i < 500; i++) {
                    byte[] body = bodies.get((first + i) % bodies.size());
                    assertArrayEquals(body, TerminalCodec.pack(TerminalCodec.unpack(body)));
                    done++;
                  }
                  return done;
                }));
      }
      for (Future<Integer> r : results) {
        assertEquals(500, r.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
