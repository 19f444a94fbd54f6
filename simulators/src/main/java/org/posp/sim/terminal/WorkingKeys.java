package org.posp.sim.terminal;

import java.util.Arrays;

/**
 * Clear working keys (工作密钥) a terminal holds after sign-on: PIK for PIN blocks, MAK for MACs and,
 * with scheme 004, TDK for tracks. The MAK is single DES in every scheme (docs/protocol/terminal.md
 * §11.1), except for a terminal with the X919 MAC ({@code macAlgorithm}): a double-length MAK.
 * {@link #toString()} shows only the scheme and the check values, never key bytes.
 */
public record WorkingKeys(String scheme, byte[] pik, byte[] mak, byte[] tdk, String macAlgorithm) {

  /** Keys of a terminal with the CUP ECB MAC (§11.2). */
  public WorkingKeys(String scheme, byte[] pik, byte[] mak, byte[] tdk) {
    this(scheme, pik, mak, tdk, TerminalConfig.CUP_ECB);
  }

  public WorkingKeys {
    macAlgorithm = macAlgorithm == null ? TerminalConfig.CUP_ECB : macAlgorithm;
    pik = pik.clone();
    mak = mak.clone();
    tdk = tdk == null ? null : tdk.clone();
  }

  @Override
  public byte[] pik() {
    return pik.clone();
  }

  @Override
  public byte[] mak() {
    return mak.clone();
  }

  @Override
  public byte[] tdk() {
    return tdk == null ? null : tdk.clone();
  }

  /** True when the PIK is double length (field 53 digit 2 = 6). */
  public boolean doubleLengthPik() {
    return pik.length == 16;
  }

  public String pikCheckValue() {
    return Hex.of(DesCipher.checkValue(pik));
  }

  public String makCheckValue() {
    return Hex.of(DesCipher.checkValue(mak));
  }

  public String tdkCheckValue() {
    return tdk == null ? null : Hex.of(DesCipher.checkValue(tdk));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkingKeys k
        && scheme.equals(k.scheme)
        && macAlgorithm.equals(k.macAlgorithm)
        && Arrays.equals(pik, k.pik)
        && Arrays.equals(mak, k.mak)
        && Arrays.equals(tdk, k.tdk);
  }

  @Override
  public int hashCode() {
    return scheme.hashCode() * 31 + Arrays.hashCode(mak);
  }

  @Override
  public String toString() {
    return "WorkingKeys[scheme="
        + scheme
        + ", mac="
        + macAlgorithm
        + ", pikCv="
        + pikCheckValue()
        + ", makCv="
        + makCheckValue()
        + (tdk == null ? "" : ", tdkCv=" + tdkCheckValue())
        + "]";
  }
}
