package org.posp.sim.terminal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Hostile input for a terminal front: mutations of valid terminal bodies and frames as an attacker
 * without keys (or a broken terminal) produces them — bit flips, bytes overwritten, inserted and
 * deleted, truncation, random tails, bitmap bits toggled, LL/LLL length prefixes corrupted, fields
 * replaced by bytes of the wrong shape, and on whole frames LEN, TPDU and header corrupted.
 * Deterministic for a given {@link Random}, so a seed reproduces a run. Not thread-safe (one per
 * thread).
 */
public final class FrameMutator {

  /** What was done to a body or a frame. */
  public enum Kind {
    BIT_FLIPS,
    OVERWRITE,
    INSERT,
    DELETE,
    TRUNCATE,
    TAIL,
    BITMAP,
    LENGTH_PREFIX,
    FIELD_REPLACED,
    COMBINED
  }

  /**
   * Where a field lies in a body.
   *
   * @param prefixBytes 0 for a fixed field, 1 (LL) or 2 (LLL) BCD bytes
   * @param maxUnits the field's maximum length (digits or bytes)
   */
  public record Field(int number, int offset, int end, int prefixBytes, int maxUnits) {}

  /** A mutated body and how it was made. */
  public record Mutant(Kind kind, byte[] bytes) {}

  private static final int MTI_AND_BITMAP = 10;
  private final Random random;

  public FrameMutator(Random random) {
    this.random = random;
  }

  /**
   * The fields of a body that this simulator's codec can read (with their offsets, for {@link
   * Kind#LENGTH_PREFIX} and {@link Kind#FIELD_REPLACED}); empty for a body it cannot read.
   */
  public static List<Field> fields(byte[] body) {
    TerminalCodec codec = TerminalCodec.get();
    TerminalMessage m;
    try {
      m = codec.unpack(body);
    } catch (TerminalCodec.FormatException e) {
      return List.of();
    }
    List<Integer> numbers = new ArrayList<>(m.fieldNumbers());
    List<Field> out = new ArrayList<>();
    TerminalMessage before = TerminalMessage.of(m.mti());
    int offset = MTI_AND_BITMAP;
    for (int i = 0; i < numbers.size(); i++) {
      int f = numbers.get(i);
      before = FieldFormat.isBinary(f) ? before.withBytes(f, m.bytes(f)) : before.with(f, m.get(f));
      int end = codec.pack(before).length;
      FieldFormat format = FieldFormat.of(f);
      int prefix = 0;
      if (format.variable()) {
        int units = FieldFormat.isBinary(f) ? m.bytes(f).length : m.get(f).length();
        int dataBytes =
            format.kind() == FieldFormat.Kind.N || format.kind() == FieldFormat.Kind.Z
                ? (units + 1) / 2
                : units;
        prefix = end - offset - dataBytes;
      }
      out.add(new Field(f, offset, end, prefix, format.maxLength()));
      offset = end;
    }
    return out;
  }

  /**
   * One mutation of {@code body} of a kind chosen at random; {@code fields} as {@link #fields}
   * gives them.
   */
  public Mutant mutate(byte[] body, List<Field> fields) {
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    return new Mutant(kind, apply(kind, body, fields));
  }

  /**
   * The body of a whole TCP frame ({@code LEN TPDU HEADER BODY}) and one or two mutations anywhere
   * in it.
   */
  public byte[] mutateFrame(byte[] frame) {
    byte[] wire = frame;
    for (int k = 1 + random.nextInt(2); k > 0; k--) {
      wire =
          switch (random.nextInt(5)) {
            case 0 -> flipBits(wire);
            case 1 -> {
              if (wire.length < 2) {
                yield wire;
              }
              byte[] w = wire.clone();
              int len =
                  random.nextBoolean()
                      ? ((w[0] & 0xFF) << 8 | (w[1] & 0xFF)) + random.nextInt(7) - 3
                      : random.nextInt(65_536);
              w[0] = (byte) (len >>> 8);
              w[1] = (byte) len;
              yield w;
            }
            case 2 ->
                wire.length == 0
                    ? wire
                    : overwrite(
                        wire,
                        random.nextInt(
                            Math.min(wire.length, 2 + Frame.TPDU_LENGTH + Frame.HEADER_LENGTH)));
            case 3 -> truncate(wire);
            default -> insert(wire);
          };
    }
    return wire;
  }

  private byte[] apply(Kind kind, byte[] body, List<Field> fields) {
    if (body.length == 0) {
      return body;
    }
    return switch (kind) {
      case BIT_FLIPS -> flipBits(body);
      case OVERWRITE -> {
        byte[] b = body;
        for (int k = 1 + random.nextInt(3); k > 0; k--) {
          b = overwrite(b, random.nextInt(b.length));
        }
        yield b;
      }
      case INSERT -> insert(body);
      case DELETE -> {
        int at = random.nextInt(body.length);
        int n = Math.min(1 + random.nextInt(8), body.length - at);
        yield concat(
            Arrays.copyOfRange(body, 0, at), Arrays.copyOfRange(body, at + n, body.length));
      }
      case TRUNCATE -> truncate(body);
      case TAIL -> concat(body, randomBytes(1 + random.nextInt(16)));
      case BITMAP -> {
        if (body.length < MTI_AND_BITMAP) {
          yield flipBits(body);
        }
        byte[] b = body.clone();
        for (int k = 1 + random.nextInt(3); k > 0; k--) {
          int bit = random.nextInt(64); // 0 = bit 1 (secondary bitmap)
          b[2 + bit / 8] ^= (byte) (0x80 >>> (bit % 8));
        }
        yield b;
      }
      case LENGTH_PREFIX -> lengthPrefix(body, fields);
      case FIELD_REPLACED -> {
        if (fields.isEmpty()) {
          yield flipBits(body);
        }
        Field f = fields.get(random.nextInt(fields.size()));
        int from = Math.min(f.offset(), body.length);
        int to = Math.max(from, Math.min(f.end(), body.length));
        yield concat(
            concat(
                Arrays.copyOfRange(body, 0, from),
                randomBytes(random.nextInt(2 * (to - from) + 2))),
            Arrays.copyOfRange(body, to, body.length));
      }
      case COMBINED -> {
        byte[] b = body;
        for (int k = 2 + random.nextInt(2); k > 0 && b.length > 0; k--) {
          b = apply(Kind.values()[random.nextInt(Kind.COMBINED.ordinal())], b, fields);
        }
        yield b;
      }
    };
  }

  /**
   * An LL/LLL prefix set one more or less, to 0, beyond the maximum, at random, or to a non-BCD
   * byte.
   */
  private byte[] lengthPrefix(byte[] body, List<Field> fields) {
    List<Field> variable = fields.stream().filter(f -> f.prefixBytes() > 0).toList();
    if (variable.isEmpty()) {
      return flipBits(body);
    }
    Field f = variable.get(random.nextInt(variable.size()));
    int at = f.offset();
    int n = f.prefixBytes();
    if (at + n > body.length) { // an earlier mutation shortened the body
      return flipBits(body);
    }
    byte[] b = body.clone();
    int current = 0;
    for (int i = 0; i < n; i++) {
      current = current * 100 + ((b[at + i] >>> 4) & 0x0F) * 10 + (b[at + i] & 0x0F);
    }
    int value =
        switch (random.nextInt(6)) {
          case 0 -> current + 1;
          case 1 -> Math.max(0, current - 1);
          case 2 -> 0;
          case 3 -> f.maxUnits() + random.nextInt(3);
          case 4 -> random.nextInt(n == 1 ? 100 : 10_000);
          default -> -1;
        };
    if (value < 0) {
      b[at + random.nextInt(n)] = (byte) (0xA0 | random.nextInt(256));
    } else {
      for (int i = n - 1; i >= 0; i--, value /= 100) {
        int two = value % 100;
        b[at + i] = (byte) ((two / 10) << 4 | two % 10);
      }
    }
    return b;
  }

  private byte[] flipBits(byte[] in) {
    if (in.length == 0) {
      return in;
    }
    byte[] b = in.clone();
    for (int k = 1 + random.nextInt(4); k > 0; k--) {
      b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return b;
  }

  private byte[] overwrite(byte[] in, int at) {
    byte[] b = in.clone();
    b[at] = (byte) random.nextInt(256);
    return b;
  }

  private byte[] insert(byte[] in) {
    int at = random.nextInt(in.length + 1);
    return concat(
        concat(Arrays.copyOfRange(in, 0, at), randomBytes(1 + random.nextInt(8))),
        Arrays.copyOfRange(in, at, in.length));
  }

  private byte[] truncate(byte[] in) {
    return in.length == 0 ? in : Arrays.copyOf(in, random.nextInt(in.length));
  }

  /** {@code n} random bytes. */
  public byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
