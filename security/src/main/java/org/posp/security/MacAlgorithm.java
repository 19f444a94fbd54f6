package org.posp.security;

import java.util.Locale;

/**
 * The MAC of a terminal's field 64, chosen per terminal at provisioning.
 *
 * <ul>
 *   <li>{@link #CUP_ECB}: the UnionPay ECB MAC of docs/protocol/terminal.md §11.2 under a single
 *       DES MAK, the default every terminal speaks. Its first step XORs the 8-byte blocks of the
 *       MAB together, which is linear: a change in one block compensated by the same XOR in another
 *       keeps the MAC (a forged amount paid for in field 63). Kept because independent terminals
 *       implement exactly §11.2.
 *   <li>{@link #X919}: ANSI X9.19 retail MAC (ISO/IEC 9797-1 MAC algorithm 3, padding method 1)
 *       over the same MAB under a double-length MAK: DES-CBC under K1 over every block, then the
 *       last block decrypted under K2 and encrypted under K1. Field 64 = its first 4 bytes as 8
 *       uppercase hex characters (the §11.2 field format). Needs sign-on scheme 003/004 (the MAK
 *       travels in their 16-byte MAK slot).
 * </ul>
 */
public enum MacAlgorithm {
  CUP_ECB(8),
  X919(16);

  private final int makLength;

  MacAlgorithm(int makLength) {
    this.makLength = makLength;
  }

  /** Length in bytes of the MAK the switch issues for this algorithm. */
  public int makLength() {
    return makLength;
  }

  /**
   * {@code a}, or {@link #CUP_ECB} for null (terminals provisioned before the algorithm was
   * recorded).
   */
  public static MacAlgorithm orDefault(MacAlgorithm a) {
    return a == null ? CUP_ECB : a;
  }

  /**
   * The algorithm of a name as operators write it ({@code CUP_ECB}, {@code X919}; case-insensitive,
   * {@code -} for {@code _}, {@code X9.19} for {@code X919}).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static MacAlgorithm parse(String name) {
    String n =
        name == null
            ? ""
            : name.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace(".", "");
    for (MacAlgorithm a : values()) {
      if (a.name().equals(n)) return a;
    }
    throw new IllegalArgumentException("MAC algorithm must be CUP_ECB or X919");
  }
}
