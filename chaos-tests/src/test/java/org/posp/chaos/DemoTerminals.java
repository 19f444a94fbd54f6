package org.posp.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo data every node provisions in demo mode (merchant 898100012340001, terminals 10000001 to
 * 10000100, one published TMK): the chaos tests use it instead of provisioning through the admin
 * API.
 */
final class DemoTerminals {
  static final String MERCHANT = "898100012340001";
  static final String TMK = "0123456789ABCDEFFEDCBA9876543210";
  static final int FIRST = 10000001;
  static final int COUNT = 100;

  /**
   * Shared by every node of a cluster (halves differ, neither weak): test value, never a real LMK.
   */
  static final String CLUSTER_LMK = "1F2E3D4C5B6A79880011223344556677";

  private DemoTerminals() {}

  /** {@code n} demo terminal ids starting at offset {@code from} (0-based). */
  static List<String> ids(int from, int n) {
    if (from < 0 || n < 1 || from + n > COUNT)
      throw new IllegalArgumentException("demo terminals are 0.." + (COUNT - 1));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(Integer.toString(FIRST + from + i));
    return out;
  }
}
