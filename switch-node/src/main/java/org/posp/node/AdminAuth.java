package org.posp.node;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The admin API's bearer token: from POSP_ADMIN_TOKEN; required outside demo mode. */
final class AdminAuth {
  static final String DEMO_TOKEN = "demo-admin-token";

  private AdminAuth() {}

  static String token(Config config, boolean demo) {
    String t = config.getString("posp.admin.token");
    if (!t.isBlank()) return t;
    if (demo) return DEMO_TOKEN;
    return null; // admin API disabled: every /admin request is refused
  }

  static boolean matches(String expected, String authorization) {
    if (expected == null || authorization == null || !authorization.startsWith("Bearer ")) return false;
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }
}
