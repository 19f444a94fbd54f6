package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The admin tokens: minimum length outside demo mode, hashes only, principals for the audit trail.
 */
class AdminAuthTest {
  static final String LONG = "k3v9-Qm2x7Lr4TzW8pN3sYc6HbJ1mFgD5eAa";

  static Config config(String hocon) {
    return ConfigFactory.parseString(hocon)
        .withFallback(
            ConfigFactory.parseString(
                "posp.admin { token = \"\", token-sha256 = \"\", principal = admin, tokens {} }"));
  }

  static String sha256Hex(String token) {
    return HexFormat.of().formatHex(AdminAuth.sha256(token));
  }

  @Test
  void aNodeOutsideDemoModeRefusesToStartWithAShortTokenAndSaysWhy() {
    String shortToken = "only-twenty-chars-xx";
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                SwitchNode.start(
                    TestNodes.demo(
                        Path.of("target", "admin-auth-never-created"),
                        Map.of("posp.demo", "off", "posp.admin.token", shortToken))));
    assertTrue(e.getMessage().contains("at least " + AdminAuth.MIN_LENGTH), e.getMessage());
    assertTrue(e.getMessage().contains("POSP_ADMIN_TOKEN"), e.getMessage());
    assertFalse(e.getMessage().contains(shortToken), "the token is never echoed");
    assertFalse(
        Path.of("target", "admin-auth-never-created").toFile().exists(),
        "refused before anything else");
    // demo mode accepts it (demo data, demo keys)
    assertTrue(
        AdminAuth.fromConfig(config("posp.admin.token = \"" + shortToken + "\""), true)
            .principal("Bearer " + shortToken)
            .isPresent());
  }

  @Test
  void tokensAreMatchedByHashToTheirPrincipal() {
    String bob = "b0b-" + LONG;
    AdminAuth auth =
        AdminAuth.fromConfig(
            config(
                "posp.admin { token = \""
                    + LONG
                    + "\", principal = ops-alice, "
                    + "tokens { bob = \""
                    + sha256Hex(bob)
                    + "\" } }"),
            false);
    assertEquals(Optional.of("ops-alice"), auth.principal("Bearer " + LONG));
    assertEquals(Optional.of("bob"), auth.principal("Bearer " + bob));
    assertEquals(Optional.empty(), auth.principal("Bearer " + LONG + "x"));
    assertEquals(
        Optional.empty(), auth.principal("Bearer " + sha256Hex(LONG)), "the hash is not a token");
    assertEquals(Optional.empty(), auth.principal(LONG));
    assertEquals(Optional.empty(), auth.principal(null));
    assertEquals(
        Optional.empty(),
        auth.principal("Bearer " + AdminAuth.DEMO_TOKEN),
        "no demo token outside demo");

    AdminAuth hashed =
        AdminAuth.fromConfig(
            config("posp.admin.token-sha256 = \"" + sha256Hex(LONG) + "\""), false);
    assertEquals(Optional.of("admin"), hashed.principal("Bearer " + LONG));
  }

  @Test
  void withoutATokenTheApiIsDisabledOutsideDemoModeAndUsesTheDemoTokenInDemoMode() {
    assertFalse(AdminAuth.fromConfig(config(""), false).enabled());
    assertEquals(
        Optional.of("demo"),
        AdminAuth.fromConfig(config(""), true).principal("Bearer " + AdminAuth.DEMO_TOKEN));
  }

  @Test
  void badConfigurationsAreRefusedWithoutEchoingATokenOrHash() {
    for (String bad :
        new String[] {
          "posp.admin.tokens { bob = \"abc\" }",
          "posp.admin.token-sha256 = \"" + LONG + "\"",
          "posp.admin { token = \"" + LONG + "\", token-sha256 = \"" + sha256Hex(LONG) + "\" }",
          "posp.admin { token = \"" + LONG + "\", principal = \"bad name\" }",
          "posp.admin { token = \"" + LONG + "\", tokens { admin = \"" + sha256Hex("x") + "\" } }"
        }) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> AdminAuth.fromConfig(config(bad), false), bad);
      assertFalse(
          e.getMessage().contains(LONG) || e.getMessage().contains(sha256Hex(LONG)),
          e.getMessage());
    }
  }

  @Test
  void theClearTokenIsDroppedFromTheConfiguration() {
    Config c = config("posp.admin.token = \"" + LONG + "\"");
    assertFalse(AdminAuth.withoutClearToken(c).hasPath(AdminAuth.TOKEN_PATH));
    assertFalse(AdminAuth.withoutClearToken(c).root().render().contains(LONG));
  }
}
