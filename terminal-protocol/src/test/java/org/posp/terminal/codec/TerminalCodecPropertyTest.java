package org.posp.terminal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.posp.terminal.codec.FieldTable.FieldDef;

/**
 * Properties of the terminal codec over generated messages whose fields have the formats of
 * docs/protocol/terminal.md §3 (taken from the packager table, which {@link PackagerTableTest}
 * holds to §3): pack then unpack is the identity, and whatever bytes come in, unpack gives a
 * message or a {@link TerminalFormatException}, nothing else.
 *
 * <p>The seeds are fixed so that the build is repeatable; jqwik prints the seed and the shrunk
 * sample of a failure.
 */
class TerminalCodecPropertyTest {
  private static final String SEED = "8583";

  @Property(tries = 2_000, seed = SEED)
  void packThenUnpackIsTheIdentity(@ForAll("validMessages") TerminalMessage m)
      throws TerminalFormatException {
    byte[] body = TerminalCodec.pack(m);
    TerminalMessage back = TerminalCodec.unpack(body);
    assertEquals(m, back);
    assertArrayEquals(body, TerminalCodec.pack(back));
  }

  @Property(tries = 2_000, seed = SEED)
  void arbitraryBytesUnpackToAMessageOrAFormatError(@ForAll("arbitraryBodies") byte[] body) {
    unpackOrFormatError(body);
  }

  @Property(tries = 2_000, seed = SEED)
  void aValidHeadFollowedByArbitraryBytesUnpacksToAMessageOrAFormatError(
      @ForAll("validHeads") byte[] head, @ForAll("arbitraryBodies") byte[] tail) {
    byte[] body = new byte[head.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(tail, 0, body, head.length, tail.length);
    unpackOrFormatError(body);
  }

  @Property(tries = 2_000, seed = SEED)
  void aValidBodyWithOneByteReplacedUnpacksToAMessageOrAFormatError(
      @ForAll("validMessages") TerminalMessage m, @ForAll byte replacement, @ForAll double where)
      throws TerminalFormatException {
    byte[] body = TerminalCodec.pack(m);
    body[(int) (Math.abs(where) % 1.0 * body.length)] = replacement;
    unpackOrFormatError(body);
  }

  /**
   * Unpacks; a message must pack back to exactly these bytes. Any exception but the format error
   * fails.
   */
  private static void unpackOrFormatError(byte[] body) {
    TerminalMessage m;
    try {
      m = TerminalCodec.unpack(body);
    } catch (TerminalFormatException expected) {
      return;
    }
    try {
      assertArrayEquals(body, TerminalCodec.pack(m), "an unpacked body packs back to itself");
    } catch (TerminalFormatException e) {
      throw new AssertionError("unpacked " + m + " does not pack: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------- generators

  @Provide
  Arbitrary<TerminalMessage> validMessages() {
    List<Integer> numbers = new ArrayList<>();
    List<Arbitrary<Object>> values = new ArrayList<>();
    for (int f = 2; f <= FieldTable.MAX_FIELD; f++) {
      FieldDef def = FieldTable.get().field(f);
      if (def != null) {
        numbers.add(f);
        values.add(value(def).injectNull(0.5)); // null: the field is absent
      }
    }
    Arbitrary<String> mti = Arbitraries.strings().numeric().ofLength(4);
    return Combinators.combine(mti, Combinators.combine(values).as(ArrayList::new))
        .as(
            (type, fields) -> {
              TerminalMessage.Builder b = TerminalMessage.builder(type);
              for (int i = 0; i < numbers.size(); i++) {
                Object v = fields.get(i);
                if (v instanceof byte[] bytes) {
                  b.setBytes(numbers.get(i), bytes);
                } else if (v != null) {
                  b.set(numbers.get(i), (String) v);
                }
              }
              return b.build();
            });
  }

  /**
   * A value of the field's declared format: exactly its length when fixed, up to its maximum when
   * variable.
   */
  private static Arbitrary<Object> value(FieldDef def) {
    int min = def.fixed() ? def.length() : 0;
    int max = def.length();
    Arbitrary<?> a =
        switch (def.kind()) {
          case NUMERIC ->
              Arbitraries.strings().withCharRange('0', '9').ofMinLength(min).ofMaxLength(max);
          case TRACK ->
              Arbitraries.strings()
                  .withCharRange('0', '9')
                  .withChars('=')
                  .ofMinLength(min)
                  .ofMaxLength(max);
          case TEXT ->
              Arbitraries.strings()
                  .withCharRange('\u0000', '\u00FF')
                  .ofMinLength(min)
                  .ofMaxLength(max);
          case BINARY -> Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
        };
    return a.map(v -> (Object) v);
  }

  @Provide
  Arbitrary<byte[]> arbitraryBodies() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
  }

  /**
   * A BCD MTI and a bitmap announcing only fields of the protocol (bit 1 clear): what a frame
   * starts with.
   */
  @Provide
  Arbitrary<byte[]> validHeads() {
    return validMessages()
        .map(
            m -> {
              try {
                byte[] body = TerminalCodec.pack(m);
                return Arrays.copyOf(body, 10);
              } catch (TerminalFormatException e) {
                throw new AssertionError(e);
              }
            });
  }
}
