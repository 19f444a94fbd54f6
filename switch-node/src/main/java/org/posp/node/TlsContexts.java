package org.posp.node;

import com.typesafe.config.Config;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS front's key: a PKCS#12 keystore from configuration, or in demo mode a self-signed one
 * generated once with the JDK's keytool into the data directory (clearly named demo).
 */
final class TlsContexts {
  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
  static final String DEMO_KEYSTORE = "demo-tls.p12";
  static final String DEMO_PASSWORD = "demo-tls-password";

  private TlsContexts() {}

  static SSLContext forFront(Config front, Path dataDir, boolean demo) throws Exception {
    String path = front.getString("tls-keystore");
    char[] password = front.getString("tls-keystore-password").toCharArray();
    if (path.isBlank()) {
      if (!demo) {
        log.info("no posp.terminal-front.tls-keystore configured: the TLS terminal port is off");
        return null;
      }
      Path p = dataDir.resolve(DEMO_KEYSTORE);
      if (!Files.exists(p)) generateSelfSigned(p);
      log.warn("DEMO mode: TLS front uses the self-signed demo certificate {}", p);
      path = p.toString();
      password = DEMO_PASSWORD.toCharArray();
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      ks.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), clientTrust(front), null);
    return ctx;
  }

  /** none, want or need: whether terminals present client certificates on the TLS front. */
  static String clientAuth(Config front) {
    String auth = front.getString("tls-client-auth");
    if (!List.of("none", "want", "need").contains(auth)) {
      throw new IllegalStateException(
          "posp.terminal-front.tls-client-auth must be none, want or need, not " + auth);
    }
    return auth;
  }

  /**
   * The trust managers for terminals' client certificates: the CA(s) of {@code tls-truststore};
   * null (the JDK's default, never used without client authentication) when the front asks for no
   * certificate.
   */
  private static TrustManager[] clientTrust(Config front) throws Exception {
    String auth = clientAuth(front);
    String path = front.getString("tls-truststore");
    if (auth.equals("none")) return null;
    if (path.isBlank()) {
      throw new IllegalStateException(
          "posp.terminal-front.tls-client-auth = "
              + auth
              + " needs posp.terminal-front.tls-truststore (POSP_TLS_TRUSTSTORE): the CA of the terminals' certificates");
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      ts.load(in, front.getString("tls-truststore-password").toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    log.info(
        "TLS front: terminal client certificates {} (truststore {}), CN = <42>:<41>", auth, path);
    return tmf.getTrustManagers();
  }

  private static void generateSelfSigned(Path p) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process proc =
        new ProcessBuilder(
                List.of(
                    keytool,
                    "-genkeypair",
                    "-alias",
                    "posp-demo",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-validity",
                    "3650",
                    "-dname",
                    "CN=posp-demo, O=POSP demo",
                    "-ext",
                    "SAN=dns:localhost,ip:127.0.0.1",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    p.toString(),
                    "-storepass",
                    DEMO_PASSWORD,
                    "-keypass",
                    DEMO_PASSWORD))
            .redirectErrorStream(true)
            .start();
    String out = new String(proc.getInputStream().readAllBytes());
    if (!proc.waitFor(60, TimeUnit.SECONDS) || proc.exitValue() != 0) {
      throw new IllegalStateException(
          "keytool could not generate the demo TLS keystore: " + out.strip());
    }
  }
}
