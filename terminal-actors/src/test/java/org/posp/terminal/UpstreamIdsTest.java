package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.posp.terminal.UpstreamIds.UpstreamId;

/** The upstream RRN and link STAN (docs/protocol/card-bus.md §7, architecture.md §6). */
class UpstreamIdsTest {
  private static final Pattern RRN = Pattern.compile("[0-9A-Z]{12}");
  private static final Pattern STAN = Pattern.compile("[0-9]{12}");
  private static final Instant T0 = Instant.parse("2025-03-14T07:08:09Z");
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  @Test
  void rrnAndStanHaveTheirFormatsAndEncodeSecondNodeAndSequence() {
    UpstreamIds ids = new UpstreamIds(42, Clock.fixed(T0, SHANGHAI));
    for (int seq = 0; seq < 3; seq++) {
      UpstreamId id = ids.next();
      assertTrue(RRN.matcher(id.rrn()).matches(), id.rrn());
      assertTrue(STAN.matcher(id.stan()).matches(), id.stan());
      // a node starts one second after its start-up instant
      Instant second = T0.plusSeconds(1);
      assertEquals(second, id.at());
      int secondOfDay = LocalTime.ofInstant(second, ZoneOffset.UTC).toSecondOfDay();
      assertEquals(
          secondOfDay, Integer.parseInt(id.stan().substring(0, 5)), "STAN second of the UTC day");
      assertEquals("42", id.stan().substring(5, 7), "STAN node id");
      assertEquals(seq, Integer.parseInt(id.stan().substring(7)), "STAN sequence");
      assertEquals(
          second.getEpochSecond(),
          Long.parseLong(id.rrn().substring(0, 7), 36),
          "RRN epoch second");
      assertEquals(
          42L * 100_000 + seq, Long.parseLong(id.rrn().substring(7), 36), "RRN node and sequence");
    }
  }

  @Test
  void stanSecondOfDayIsTheUtcDaysWhateverTheClockZone() {
    // 07:08:10 UTC is 15:08:10 in Shanghai: the STAN carries the UTC second of day (a local day can
    // repeat an hour when daylight saving time ends)
    UpstreamId utc = new UpstreamIds(1, Clock.fixed(T0, ZoneOffset.UTC)).next();
    UpstreamId cst = new UpstreamIds(1, Clock.fixed(T0, SHANGHAI)).next();
    assertEquals(7 * 3600 + 8 * 60 + 10, Integer.parseInt(utc.stan().substring(0, 5)));
    assertEquals(7 * 3600 + 8 * 60 + 10, Integer.parseInt(cst.stan().substring(0, 5)));
    assertEquals(utc.rrn(), cst.rrn(), "the RRN is zone independent (epoch seconds)");
  }

  @Test
  void threeHundredThousandIdsInOneClockSecondAreUniqueAndMoveToTheNextSeconds() {
    UpstreamIds ids = new UpstreamIds(7, Clock.fixed(T0, SHANGHAI));
    Set<String> rrns = new HashSet<>();
    Set<String> stans = new HashSet<>();
    String previous = "";
    for (int i = 0; i < 300_000; i++) {
      UpstreamId id = ids.next();
      if (!rrns.add(id.rrn())) fail("RRN repeated at #" + i + ": " + id.rrn());
      if (!stans.add(id.stan())) fail("STAN repeated at #" + i + ": " + id.stan());
      if (id.rrn().compareTo(previous) <= 0)
        fail("RRNs of one generator increase: " + previous + " then " + id.rrn());
      previous = id.rrn();
      // 100,000 per second: the generator runs ahead of the (stopped) clock
      if (!T0.plusSeconds(1 + i / 100_000).equals(id.at()))
        fail("second of id #" + i + ": " + id.at());
      if (Integer.parseInt(id.stan().substring(7)) != i % 100_000)
        fail("sequence of id #" + i + ": " + id.stan());
    }
    assertEquals(300_000, rrns.size());
  }

  @Test
  void twoNodesNeverCollideEvenPastTheirPerSecondLimit() {
    Clock clock = Clock.fixed(T0, SHANGHAI);
    UpstreamIds a = new UpstreamIds(1, clock);
    UpstreamIds b = new UpstreamIds(2, clock);
    Set<String> rrns = new HashSet<>();
    Set<String> stans = new HashSet<>();
    for (int i = 0; i < 150_000; i++) {
      UpstreamId x = a.next();
      UpstreamId y = b.next();
      if (!rrns.add(x.rrn()) || !rrns.add(y.rrn())) fail("RRN collision at #" + i);
      if (!stans.add(x.stan()) || !stans.add(y.stan())) fail("STAN collision at #" + i);
    }
    assertEquals(300_000, rrns.size());
  }

  @Test
  void idsNeverGoBackWhenTheClockDoes() {
    MutableClock clock = new MutableClock(T0, SHANGHAI);
    UpstreamIds ids = new UpstreamIds(3, clock);
    Set<String> rrns = new HashSet<>();
    Set<String> stans = new HashSet<>();
    UpstreamId last = null;
    Duration[] moves = {
      Duration.ofSeconds(5),
      Duration.ofHours(-1),
      Duration.ofSeconds(-1),
      Duration.ofMillis(300),
      Duration.ofHours(2),
      Duration.ofDays(-1),
      Duration.ofSeconds(1)
    };
    for (Duration move : moves) {
      clock.advance(move);
      for (int i = 0; i < 1_000; i++) {
        UpstreamId id = ids.next();
        if (last != null) {
          assertTrue(
              id.rrn().compareTo(last.rrn()) > 0, "RRN went back after a clock move of " + move);
          assertFalse(
              id.at().isBefore(last.at()), "id second went back after a clock move of " + move);
        }
        assertTrue(rrns.add(id.rrn()));
        assertTrue(stans.add(id.stan()));
        last = id;
      }
    }
    // once the clock is ahead again, ids follow it
    clock.set(last.at().plusSeconds(10));
    assertEquals(last.at().plusSeconds(10), ids.next().at());
  }

  @Test
  void aRestartInTheSecondOfTheLastIdDoesNotRepeatIt() {
    MutableClock clock = new MutableClock(T0, SHANGHAI);
    UpstreamIds first = new UpstreamIds(5, clock);
    clock.advance(Duration.ofSeconds(30));
    Set<String> issued = new HashSet<>();
    for (int i = 0; i < 500; i++) issued.add(first.next().rrn());
    // the node restarts in the same second as its last id
    UpstreamIds second = new UpstreamIds(5, clock);
    for (int i = 0; i < 500; i++) {
      String rrn = second.next().rrn();
      assertFalse(issued.contains(rrn), "the restarted node repeated " + rrn);
    }
  }

  @Test
  void nodeIdOutsideZeroToNinetyNineIsRefused() {
    Clock clock = Clock.fixed(T0, SHANGHAI);
    IllegalArgumentException high =
        assertThrows(IllegalArgumentException.class, () -> new UpstreamIds(100, clock));
    assertTrue(
        high.getMessage().contains("posp.node-id") && high.getMessage().contains("100"),
        high.getMessage());
    IllegalArgumentException low =
        assertThrows(IllegalArgumentException.class, () -> new UpstreamIds(-1, clock));
    assertTrue(low.getMessage().contains("-1"), low.getMessage());
    // the bounds themselves are valid
    assertEquals("00", new UpstreamIds(0, clock).next().stan().substring(5, 7));
    assertEquals("99", new UpstreamIds(99, clock).next().stan().substring(5, 7));
  }

  @Test
  void base36PadsToItsWidthAndRefusesWhatDoesNotFit() {
    assertEquals("0000Z", UpstreamIds.base36(35, 5));
    assertEquals("00010", UpstreamIds.base36(36, 5));
    long max5 = 36L * 36 * 36 * 36 * 36 - 1;
    assertEquals("ZZZZZ", UpstreamIds.base36(max5, 5));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> UpstreamIds.base36(max5 + 1, 5));
    assertTrue(
        e.getMessage().contains(String.valueOf(max5 + 1)) && e.getMessage().contains("5"),
        e.getMessage());
    // the largest node-and-sequence part (node 99, sequence 99,999) fits its 5 characters
    assertEquals(5, UpstreamIds.base36(99L * 100_000 + 99_999, 5).length());
  }

  /**
   * docs/protocol/card-bus.md §7: the link STAN is unique for 24 h. The STAN's second of day is
   * taken in the clock's zone; in a zone with daylight saving time the hour after the clocks go
   * back repeats the seconds of the hour before, so one node gives the same STAN twice within one
   * hour.
   */
  @Test
  void stanIsUniqueForADayEvenAcrossADaylightSavingChange() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    // 2025-10-26: 03:00 CEST -> 02:00 CET; 00:30:01 UTC and 01:30:01 UTC are both 02:30:01 local
    MutableClock clock = new MutableClock(Instant.parse("2025-10-26T00:30:00Z"), berlin);
    UpstreamIds ids = new UpstreamIds(1, clock); // first second used: 00:30:01 UTC
    String before = ids.next().stan();
    clock.set(Instant.parse("2025-10-26T01:30:01Z"));
    String after = ids.next().stan();
    assertNotEquals(before, after, "the same STAN one hour apart");
  }
}
