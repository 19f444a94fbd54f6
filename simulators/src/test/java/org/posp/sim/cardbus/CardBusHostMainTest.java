package org.posp.sim.cardbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CardBusHost#main} as its own JVM, the way chaos tests and the demo run it. */
class CardBusHostMainTest {

  private static final Pattern READY =
      Pattern.compile("CARD-BUS-HOST READY tcp=(\\d+) http=(-?\\d+)");

  @TempDir Path tmp;

  private Process launch(Path stderr, String... args) throws Exception {
    String javaBin =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd =
        new ArrayList<>(
            List.of(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                CardBusHost.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
  }

  @Test
  void printsTheReadyLineServesAndStopsOnSigterm() throws Exception {
    Path stderr = tmp.resolve("host.err");
    Process p =
        launch(
            stderr,
            "--port",
            "0",
            "--http-port",
            "0",
            "--late-delay-ms",
            "100",
            "--zpk",
            CardBusHostConfig.DEMO_ZPK);
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return out.readLine();
                    } catch (IOException e) {
                      return null;
                    }
                  })
              .get(30, TimeUnit.SECONDS);
      assertNotNull(line, "the process ended without a READY line: " + Files.readString(stderr));
      Matcher m = READY.matcher(line);
      assertTrue(m.matches(), "READY line: " + line);
      int tcp = Integer.parseInt(m.group(1));
      assertTrue(Integer.parseInt(m.group(2)) > 0);

      try (CmfTestClient client = CmfTestClient.connect(tcp)) {
        assertEquals(
            "8000",
            client.request(TestMessages.network("801"), Duration.ofSeconds(5)).getString(39));
        String pan = TestMessages.pan("9998");
        assertEquals(
            "0000",
            client.request(TestMessages.sale(pan, 1), Duration.ofSeconds(5)).getString(39),
            "--late-delay-ms is applied");
      }

      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(15, TimeUnit.SECONDS), "the host stops on SIGTERM");
      String log = Files.readString(stderr);
      assertTrue(log.contains("stopped"), "clean stop is logged: " + log);
      assertTrue(!log.contains(CardBusHostConfig.DEMO_ZPK), "the key is never logged");
    } finally {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void badArgumentsExitWithUsage() throws Exception {
    Path stderr = tmp.resolve("bad.err");
    Process p = launch(stderr, "--zpk", "XYZ");
    try {
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(2, p.exitValue());
      String err = Files.readString(stderr);
      assertTrue(err.contains("zpkHex must be 16 or 32 hex digits"), err);
      assertTrue(err.contains("usage:"), err);
    } finally {
      p.destroyForcibly();
    }
  }
}
