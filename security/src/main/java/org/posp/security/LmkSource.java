package org.posp.security;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a node's LMK comes from; {@link SoftwareHsm#load} picks the first that is configured:
 *
 * <ol>
 *   <li>{@code lmkHex} (environment {@code POSP_LMK}): 32 hex characters, the LMK itself, for
 *       secrets injected by the platform (Kubernetes secret, vault agent);
 *   <li>{@code keystore} (environment {@code POSP_LMK_KEYSTORE}) with {@code keystorePassword}
 *       ({@code POSP_LMK_KEYSTORE_PASSWORD}, used as store and key password) and {@code
 *       keystoreAlias} ({@code POSP_LMK_KEYSTORE_ALIAS}, default {@value
 *       LmkKeystore#DEFAULT_ALIAS}): a PKCS#12 file made with {@link LmkKeystore};
 *   <li>the demo LMK in {@code demoDir/demo-lmk.p12} ({@link SoftwareHsm#demo}), only when {@code
 *       demoAllowed};
 *   <li>otherwise {@link SoftwareHsm#load} fails with {@link HsmException.Reason#BAD_KEY} and a
 *       message naming these variables.
 * </ol>
 *
 * Empty strings count as not set; values other than the password are trimmed. {@link #toString()}
 * never shows the LMK or the password.
 */
public record LmkSource(
    String lmkHex,
    Path keystore,
    char[] keystorePassword,
    String keystoreAlias,
    Path demoDir,
    boolean demoAllowed) {

  public static final String ENV_LMK = "POSP_LMK";
  public static final String ENV_KEYSTORE = "POSP_LMK_KEYSTORE";
  public static final String ENV_KEYSTORE_PASSWORD = "POSP_LMK_KEYSTORE_PASSWORD";
  public static final String ENV_KEYSTORE_ALIAS = "POSP_LMK_KEYSTORE_ALIAS";

  /** Reads the process environment. */
  public static LmkSource fromEnvironment(Path demoDir, boolean demoAllowed) {
    return fromEnvironment(System.getenv(), demoDir, demoAllowed);
  }

  /** Reads the given environment (a map, so tests and launchers can pass their own). */
  public static LmkSource fromEnvironment(
      Map<String, String> env, Path demoDir, boolean demoAllowed) {
    String keystore = blankToNull(env.get(ENV_KEYSTORE));
    String password =
        env.get(ENV_KEYSTORE_PASSWORD); // not trimmed: spaces may be part of a password
    if (password != null && password.isEmpty()) {
      password = null;
    }
    String alias = blankToNull(env.get(ENV_KEYSTORE_ALIAS));
    return new LmkSource(
        blankToNull(env.get(ENV_LMK)),
        keystore == null ? null : Path.of(keystore),
        password == null ? null : password.toCharArray(),
        alias == null ? LmkKeystore.DEFAULT_ALIAS : alias,
        demoDir,
        demoAllowed);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  @Override
  public String toString() {
    return "LmkSource[lmkHex="
        + (lmkHex == null ? "unset" : "set")
        + ", keystore="
        + keystore
        + ", keystorePassword="
        + (keystorePassword == null ? "unset" : "set")
        + ", keystoreAlias="
        + keystoreAlias
        + ", demoDir="
        + demoDir
        + ", demoAllowed="
        + demoAllowed
        + "]";
  }
}
