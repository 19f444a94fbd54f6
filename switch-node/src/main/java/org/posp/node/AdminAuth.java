package org.posp.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The admin API's bearer tokens, each with the name of its holder (the principal of the audit
 * trail). Only SHA-256 hashes are kept: the token of the principal {@code posp.admin.principal}
 * (default {@code admin}) is configured either by its hash ({@code posp.admin.token-sha256},
 * POSP_ADMIN_TOKEN_SHA256) or in clear ({@code posp.admin.token}, POSP_ADMIN_TOKEN), which is
 * hashed at start and dropped from the configuration the node runs with; further operators are
 * configured by hash only ({@code posp.admin.tokens { alice = "<64 hex digits>" }}). A presented
 * token is hashed and compared in constant time with every configured hash. Outside demo mode a
 * clear token must have at least {@link #MIN_LENGTH} characters, and without any token the admin
 * API is disabled; demo mode falls back to {@link #DEMO_TOKEN} (principal {@code demo}).
 */
final class AdminAuth {
  static final String DEMO_TOKEN = "demo-admin-token";
  static final int MIN_LENGTH = 32;
  static final String TOKEN_PATH = "posp.admin.token";
  static final String PRINCIPAL_PATH = "posp.admin.principal";
  static final String TOKENS_PATH = "posp.admin.tokens";
  static final String HASH_PATH = "posp.admin.token-sha256";
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._@-]{0,63}";

  private record Holder(String principal, byte[] hash) {}

  private final List<Holder> holders;

  private AdminAuth(List<Holder> holders) {
    this.holders = List.copyOf(holders);
  }

  /**
   * The admin credentials of a node; throws IllegalStateException (the node refuses to start) for a
   * clear token shorter than {@link #MIN_LENGTH} outside demo mode, a malformed hash or principal
   * name, a clear token and a hash for the same principal. The message never contains a token.
   */
  static AdminAuth fromConfig(Config config, boolean demo) {
    Map<String, byte[]> byName = new TreeMap<>();
    if (config.hasPath(TOKENS_PATH)) {
      config
          .getObject(TOKENS_PATH)
          .forEach(
              (name, value) ->
                  byName.put(
                      principal(name, TOKENS_PATH),
                      hash(
                          value.valueType() == ConfigValueType.STRING
                              ? (String) value.unwrapped()
                              : "",
                          TOKENS_PATH + "." + name)));
    }
    String clear = config.hasPath(TOKEN_PATH) ? config.getString(TOKEN_PATH).strip() : "";
    String hex = config.hasPath(HASH_PATH) ? config.getString(HASH_PATH).strip() : "";
    if (!clear.isEmpty() && !hex.isEmpty()) {
      throw new IllegalStateException(
          "POSP_ADMIN_TOKEN and POSP_ADMIN_TOKEN_SHA256 are both set: configure one");
    }
    if (!clear.isEmpty() && !demo && clear.length() < MIN_LENGTH) {
      throw new IllegalStateException(
          "the admin token (POSP_ADMIN_TOKEN) has "
              + clear.length()
              + " characters; at least "
              + MIN_LENGTH
              + " are required outside demo mode (e.g. openssl rand -hex 32)");
    }
    if (!clear.isEmpty() || !hex.isEmpty()) {
      String name =
          principal(
              config.hasPath(PRINCIPAL_PATH) ? config.getString(PRINCIPAL_PATH) : "admin",
              PRINCIPAL_PATH);
      if (byName.containsKey(name)) {
        throw new IllegalStateException(
            "the admin principal "
                + name
                + " has a token in "
                + TOKENS_PATH
                + " and in POSP_ADMIN_TOKEN / POSP_ADMIN_TOKEN_SHA256");
      }
      byName.put(
          name,
          clear.isEmpty()
              ? hash(hex, "POSP_ADMIN_TOKEN_SHA256 (" + HASH_PATH + ")")
              : sha256(clear));
    }
    if (byName.isEmpty() && demo) byName.put("demo", sha256(DEMO_TOKEN));
    List<Holder> holders = new ArrayList<>();
    byName.forEach((name, hash) -> holders.add(new Holder(name, hash)));
    return new AdminAuth(holders);
  }

  private static byte[] hash(String hex, String what) {
    if (!hex.strip().matches("[0-9A-Fa-f]{64}")) {
      throw new IllegalStateException(
          what
              + " must be 64 hex digits, the SHA-256 of the token: "
              + "printf %s \"$TOKEN\" | sha256sum");
    }
    return HexFormat.of().parseHex(hex.strip());
  }

  private static String principal(String name, String path) {
    if (name == null || !name.matches(NAME)) {
      throw new IllegalStateException(
          path
              + ": an admin principal name is 1..64 letters, digits or ._@- , got "
              + AdminAudit.printable(name));
    }
    return name;
  }

  /** The configuration without the clear token: only its hash stays in the node's memory. */
  static Config withoutClearToken(Config config) {
    return config.hasPath(TOKEN_PATH) ? config.withoutPath(TOKEN_PATH) : config;
  }

  /** False when no token is configured: every /admin request is refused. */
  boolean enabled() {
    return !holders.isEmpty();
  }

  /**
   * The principal whose token an {@code Authorization: Bearer <token>} header carries, or empty.
   * Every configured hash is compared (constant time each, no early exit).
   */
  Optional<String> principal(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) return Optional.empty();
    byte[] presented = sha256(authorization.substring(7).strip());
    String found = null;
    for (Holder h : holders) {
      if (MessageDigest.isEqual(h.hash(), presented) && found == null) found = h.principal();
    }
    return Optional.ofNullable(found);
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
