package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.posp.sim.terminal.FrameMutator;

/**
 * The codec against mutated frames of every message of docs/protocol/terminal.md §4 ({@link
 * ProtocolMessages}, mutated by the terminal simulator's {@link FrameMutator}): bit flips, bytes
 * overwritten, inserted and deleted, truncation, random tails, bitmap bits toggled, LL/LLL prefixes
 * and LEN corrupted. Whatever the bytes, {@link TerminalFrame#decode}, {@link TerminalCodec#unpack}
 * and the sub-field parsers the switch runs on a request either succeed or throw {@link
 * TerminalFormatException} — never another exception, never a hang — and a body that unpacks packs
 * back to exactly the same bytes.
 *
 * <p>Seeded and bounded: {@code -Dposp.fuzz.seed=N -Dposp.fuzz.iterations=M} reproduce or extend a
 * run; the seed in use is printed first.
 */
class TerminalCodecFuzzTest {
  static final long SEED = Long.getLong("posp.fuzz.seed", 20261207L);
  static final int ITERATIONS = Integer.getInteger("posp.fuzz.iterations", 200_000);
  private static final int MAX_REPORTED = 5;
  private static final byte[] TPDU = {0x60, 0x00, 0x03, 0x00, 0x00};
  private static final byte[] HEADER = {0x60, 0x31, 0x00, 0x31, 0x10, 0x03};

  /** One seed body with where its fields lie. */
  private record Seed(String name, byte[] body, List<FrameMutator.Field> fields) {}

  private record Failure(
      long iteration, String mutation, String seed, byte[] input, Throwable error) {
    @Override
    public String toString() {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      return "iteration "
          + iteration
          + " ("
          + mutation
          + " of "
          + seed
          + "), input "
          + Hex.of(input)
          + ":\n"
          + trace;
    }
  }

  @Test
  void mutatedFramesAreMessagesOrFormatErrorsNeverAnythingElse() {
    System.out.printf(
        "codec fuzz: seed %d, %d iterations (-Dposp.fuzz.seed / -Dposp.fuzz.iterations)%n",
        SEED, ITERATIONS);
    List<Seed> seeds = new ArrayList<>();
    ProtocolMessages.bodies()
        .forEach(
            (name, body) -> {
              unpackSeed(name, body);
              seeds.add(new Seed(name, body, FrameMutator.fields(body)));
            });
    assertTrue(seeds.size() >= 30, "a seed for every message of §4");

    Map<String, int[]> outcomes = new TreeMap<>(); // mutation -> {accepted, rejected}
    List<Failure> failures = new ArrayList<>();
    int[] failed = {0};
    long t0 = System.nanoTime();
    assertTimeoutPreemptively(
        Duration.ofSeconds(90),
        () -> {
          Random random = new Random(SEED);
          FrameMutator mutator = new FrameMutator(random);
          for (long i = 0; i < ITERATIONS; i++) {
            Seed seed = seeds.get(random.nextInt(seeds.size()));
            boolean wholeFrame = random.nextInt(10) == 0;
            String mutation;
            byte[] input;
            if (wholeFrame) {
              mutation = "FRAME";
              input = mutator.mutateFrame(new TerminalFrame(TPDU, HEADER, seed.body).encode());
            } else {
              FrameMutator.Mutant mutant = mutator.mutate(seed.body, seed.fields);
              mutation = mutant.kind().name();
              input = mutant.bytes();
            }
            try {
              boolean accepted = wholeFrame ? checkFrame(input) : checkBody(input);
              outcomes.computeIfAbsent(mutation, k -> new int[2])[accepted ? 0 : 1]++;
            } catch (Throwable e) { // AssertionError included: a repack mismatch
              if (++failed[0] <= MAX_REPORTED) {
                failures.add(new Failure(i, mutation, seed.name, input, e));
              }
            }
          }
        },
        "the codec hung (seed " + SEED + ")");
    System.out.printf(
        "codec fuzz: %d inputs in %d ms; accepted/rejected per mutation: %s%n",
        ITERATIONS, (System.nanoTime() - t0) / 1_000_000, describe(outcomes));
    assertEquals(
        0,
        failed[0],
        () ->
            failed[0]
                + " input(s) broke the codec (seed "
                + SEED
                + "), first ones:\n"
                + String.join("\n", failures.stream().map(Failure::toString).toList()));
    int rejected = outcomes.values().stream().mapToInt(o -> o[1]).sum();
    assertTrue(
        rejected > ITERATIONS / 2,
        "most mutations are format errors: the fuzzer reaches the checks");
  }

  /**
   * True when the body unpacks; then it must pack back to itself and its sub-fields parse or fail
   * cleanly.
   */
  static boolean checkBody(byte[] body) throws TerminalFormatException {
    TerminalMessage m;
    try {
      m = TerminalCodec.unpack(body);
    } catch (TerminalFormatException expected) {
      return false;
    }
    byte[] again = TerminalCodec.pack(m);
    if (!Arrays.equals(body, again)) {
      throw new AssertionError("unpacked " + m + " but it packs to " + Hex.of(again));
    }
    subFields(m);
    if (Macs.hasMac(body)) {
      Macs.mab(body);
      Macs.macOf(body);
    }
    return true;
  }

  /** A whole TCP frame (LEN TPDU header body): decode, then the body as above. */
  static boolean checkFrame(byte[] wire) throws TerminalFormatException {
    TerminalFrame frame;
    try {
      frame = TerminalFrame.decode(wire);
    } catch (TerminalFormatException expected) {
      return false;
    }
    frame.processingRequirement();
    frame.terminalStatus();
    return checkBody(frame.body());
  }

  /**
   * What the switch parses of an unpacked request before it trusts anything: each parses or fails
   * cleanly.
   */
  private static void subFields(TerminalMessage m) {
    TransactionType.classify(m);
    TransactionType.reversedType(m);
    TransactionType.isRequestMti(m.mti());
    TransactionType.mtiClassOf(m.mti());
    m.toString();
    for (SubFieldParser p :
        new SubFieldParser[] {
          () -> Field60.from(m),
          () -> Field61.from(m),
          () -> SettlementTotals.from(m),
          () -> BatchUploadRecords.from(m),
          () -> BatchUploadRecords.parseTotalCount(m.get(48))
        }) {
      try {
        p.parse();
      } catch (TerminalFormatException expected) {
        // a clear format error is the right outcome for a malformed sub-field
      }
    }
  }

  @FunctionalInterface
  private interface SubFieldParser {
    void parse() throws TerminalFormatException;
  }

  private static TerminalMessage unpackSeed(String name, byte[] body) {
    try {
      return TerminalCodec.unpack(body);
    } catch (TerminalFormatException e) {
      throw new AssertionError("seed " + name + " does not unpack: " + e.getMessage(), e);
    }
  }

  private static String describe(Map<String, int[]> outcomes) {
    StringBuilder s = new StringBuilder();
    outcomes.forEach(
        (k, v) ->
            s.append(s.length() == 0 ? "" : ", ")
                .append(k)
                .append(' ')
                .append(v[0])
                .append('/')
                .append(v[1]));
    return s.toString();
  }
}
