package org.posp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFrame;
import org.posp.terminal.codec.TerminalMessage;

/**
 * Mutual TLS on the terminal front: a terminal's client certificate (subject CN {@code <42>:<41>})
 * binds its connection to that terminal. A connection without a certificate is refused in the
 * handshake; a certificate of one terminal cannot sign on another (A0, no state created).
 */
class TerminalMutualTlsTest {
  static final String MID = DemoData.MERCHANT;
  static final String A = "10000090";
  static final String B = "10000091";
  static final String C = "10000092";
  static final String PASSWORD = "test-terminal-cert";

  @TempDir static Path dir;
  static SwitchNode node;

  @BeforeAll
  static void start() throws Exception {
    Path trust = dir.resolve("terminal-ca.p12");
    for (String tid : new String[] {A, B}) {
      Path ks = dir.resolve(tid + ".p12");
      ClusterTransportTest.keytool(
          "-genkeypair",
          "-alias",
          tid,
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-validity",
          "2",
          "-dname",
          "CN=" + MID + ":" + tid,
          "-storetype",
          "PKCS12",
          "-keystore",
          ks.toString(),
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      Path cer = dir.resolve(tid + ".cer");
      ClusterTransportTest.keytool(
          "-exportcert",
          "-alias",
          tid,
          "-keystore",
          ks.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          cer.toString());
      ClusterTransportTest.keytool(
          "-importcert",
          "-noprompt",
          "-alias",
          tid,
          "-file",
          cer.toString(),
          "-storetype",
          "PKCS12",
          "-keystore",
          trust.toString(),
          "-storepass",
          PASSWORD);
    }
    node =
        TestNodes.start(
            TestNodes.demo(
                dir.resolve("node"),
                Map.of(
                    "posp.terminal-front.tls-client-auth",
                    "need",
                    "posp.terminal-front.tls-truststore",
                    trust.toString(),
                    "posp.terminal-front.tls-truststore-password",
                    PASSWORD)));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  /**
   * A TLS client presenting the certificate of {@code tid} (or none), trusting the demo server key.
   */
  static SSLSocket connect(String tid) throws Exception {
    KeyManagerFactory kmf = null;
    if (tid != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(dir.resolve(tid + ".p12"))) {
        ks.load(in, PASSWORD.toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASSWORD.toCharArray());
    }
    TrustManager demoServer =
        new X509TrustManager() {
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), new TrustManager[] {demoServer}, null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", node.tlsPort());
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends a sign-on (0800, scheme 003) of {@code tid} and returns field 39 of the reply. */
  static String signOn(SSLSocket s, String tid) throws Exception {
    byte[] body =
        TerminalCodec.pack(
            TerminalMessage.builder("0800")
                .set(11, "000001")
                .set(41, tid)
                .set(42, MID)
                .set(60, "00000001003")
                .build());
    byte[] head = {0x60, 0x00, 0x03, 0x00, 0x00, 0x60, 0x32, 0x00, 0x00, 0x00, 0x00};
    byte[] frame = new byte[2 + head.length + body.length];
    frame[0] = (byte) ((head.length + body.length) >> 8);
    frame[1] = (byte) (head.length + body.length);
    System.arraycopy(head, 0, frame, 2, head.length);
    System.arraycopy(body, 0, frame, 2 + head.length, body.length);
    s.getOutputStream().write(frame);
    s.getOutputStream().flush();
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] reply = new byte[in.readUnsignedShort()];
    in.readFully(reply);
    return TerminalCodec.unpack(TerminalFrame.parse(reply).body()).get(39);
  }

  static String view(String tid) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + node.httpPort()
                            + "/admin/terminals/"
                            + MID
                            + "/"
                            + tid))
                .header("Authorization", "Bearer " + AdminAuth.DEMO_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void aCertifiedTerminalSignsOnAndOnlyAsItself() throws Exception {
    try (SSLSocket s = connect(A)) {
      assertEquals("00", signOn(s, A));
    }
    try (SSLSocket s = connect(B)) {
      assertEquals("A0", signOn(s, C), "B's certificate cannot speak for C");
      assertEquals("00", signOn(s, B));
    }
    String c = view(C);
    assertTrue(c.contains("\"signedOn\" : false"), c);
  }

  @Test
  void aConnectionWithoutACertificateIsRefusedInTheHandshake() {
    assertThrows(
        IOException.class,
        () -> {
          try (SSLSocket s = connect(null)) {
            signOn(s, A);
          }
        });
  }
}
