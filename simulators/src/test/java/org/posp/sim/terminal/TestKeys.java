package org.posp.sim.terminal;

import java.io.ByteArrayOutputStream;

/**
 * Builds sign-on key blocks (field 62 of an 0810) from known clear keys, for the tests' fake
 * switch.
 */
final class TestKeys {
  static final String TMK_003 = "0123456789ABCDEFFEDCBA9876543210";
  static final String TMK_001 = "1F2E3D4C5B6A7988";
  static final String PIK_16 = "1A2B3C4D5E6F70818293A4B5C6D7E8F9";
  static final String PIK_8 = "0F1E2D3C4B5A6978";
  static final String MAK_8 = "C24A8FB57AA20123";
  static final String TDK_16 = "5566778899AABBCCDDEEFF0011223344";

  private TestKeys() {}

  /** E(key) CV(4) for one key under the TMK. */
  static byte[] wrap(String scheme, byte[] tmk, byte[] pik, byte[] mak, byte[] tdk) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(DesCipher.encrypt(tmk, pik));
    out.writeBytes(DesCipher.checkValue(pik));
    out.writeBytes(DesCipher.encrypt(tmk, mak));
    if (!"001".equals(scheme) && mak.length == 8) {
      out.writeBytes(new byte[8]); // a double-length (X919) MAK fills the whole 16-byte slot
    }
    out.writeBytes(DesCipher.checkValue(mak));
    if ("004".equals(scheme)) {
      out.writeBytes(DesCipher.encrypt(tmk, tdk));
      out.writeBytes(DesCipher.checkValue(tdk));
    }
    return out.toByteArray();
  }

  static WorkingKeys keys(String scheme) {
    return switch (scheme) {
      case "001" -> new WorkingKeys("001", Hex.parse(PIK_8), Hex.parse(MAK_8), null);
      case "003" -> new WorkingKeys("003", Hex.parse(PIK_16), Hex.parse(MAK_8), null);
      default -> new WorkingKeys("004", Hex.parse(PIK_16), Hex.parse(MAK_8), Hex.parse(TDK_16));
    };
  }

  static String tmk(String scheme) {
    return "001".equals(scheme) ? TMK_001 : TMK_003;
  }

  static byte[] block(String scheme) {
    WorkingKeys k = keys(scheme);
    return wrap(scheme, Hex.parse(tmk(scheme)), k.pik(), k.mak(), k.tdk());
  }
}
