package org.posp.sim.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS transport against a loopback server with a self-signed certificate made by the JDK's keytool.
 */
@Timeout(120)
class TlsTransportTest {

  @Test
  void trustAllReachesASelfSignedServerAndDefaultTrustRefusesIt(@TempDir Path dir)
      throws Exception {
    Path store = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "demo",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit",
                "-ext",
                "SAN=ip:127.0.0.1")
            .redirectErrorStream(true)
            .start();
    p.getInputStream().transferTo(OutputStream.nullOutputStream());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
    assertEquals(0, p.exitValue());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);

    try (FakeSwitch fake = new FakeSwitch("003", ctx.getServerSocketFactory())) {
      TerminalConfig base = TerminalClientTest.config(List.of(fake.address()), "003");
      try (TerminalClient demo = new TerminalClient(base.withTls(true))) {
        assertTrue(demo.signOn().approved());
        assertTrue(demo.sale(TerminalClientTest.CARD, 100).approved());
      }
      try (TerminalClient strict = new TerminalClient(base.withTls(false))) {
        SignOnResult r = strict.signOn();
        assertFalse(r.approved());
        assertEquals(Exchange.Status.NOT_CONNECTED, r.exchange().status());
      }
    }
  }
}
