package org.posp.channel.it;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardBusRequest.OriginalData;
import org.posp.channel.CardBusRequest.PinData;
import org.posp.channel.CardOperation;
import org.posp.sim.cardbus.CardBusHost;
import org.posp.sim.cardbus.CardBusHostConfig;

/**
 * Helpers for the card-bus integration tests: host start-up, configuration, test cards, requests.
 */
final class CardBusFixture {

  static final String ACQUIRER = "48020000";
  static final String TID = "TERM0001";
  static final String MID = "123456789012345";
  private static final AtomicLong SEQ = new AtomicLong(System.nanoTime() % 1_000_000_000L);
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

  private CardBusFixture() {}

  /**
   * A free loopback port below the kernel's ephemeral range (bounded search, 20000 to the range's
   * start): no outgoing connection of any process is given it while a test rebinds it.
   */
  static int portOutsideEphemeralRange() throws IOException {
    int low = 32768;
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    if (Files.isReadable(range)) {
      low = Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
    }
    int span = Math.max(1, low - 20000);
    int start = 20000 + ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < Math.min(span, 200); i++) {
      int port = 20000 + (start - 20000 + i) % span;
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException inUse) {
        // taken: the next one
      }
    }
    throw new IOException("no free port between 20000 and " + low);
  }

  /** A host on 127.0.0.1, ephemeral port (or {@code port}), no HTTP, demo ZPK. */
  static CardBusHost host(int port, Duration lateDelay) throws Exception {
    return CardBusHost.start(
        CardBusHostConfig.defaults().withHttpPort(-1).withTcpPort(port).withLateDelay(lateDelay));
  }

  /**
   * {@code posp.card-bus} with quick test timings; {@code endpoints} maps names to ports, each
   * endpoint gets {@code endpointExtra} and the demo ZPK in clear.
   */
  static Config config(
      Map<String, Integer> endpoints, String endpointExtra, String routes, String global) {
    StringBuilder sb = new StringBuilder();
    endpoints.forEach(
        (name, port) ->
            sb.append(name)
                .append(" { addresses = [\"127.0.0.1:")
                .append(port)
                .append("\"], ")
                .append(endpointExtra)
                .append(" }\n"));
    return configWithEndpoints(sb.toString(), routes, global);
  }

  /** As {@link #config} with the endpoint entries written out; every endpoint gets the demo ZPK. */
  static Config configWithEndpoints(String endpoints, String routes, String global) {
    String text =
        "posp.card-bus {\n"
            + "acquirer-id = \""
            + ACQUIRER
            + "\"\n"
            + "echo-interval = 2s\nlogon-timeout = 1s\nconnect-timeout = 1s\n"
            + "reconnect { min-backoff = 100ms, max-backoff = 500ms }\n"
            + "endpoint-defaults.zpk.clear = \""
            + CardBusHostConfig.DEMO_ZPK
            + "\"\n"
            + global
            + "\n"
            + "endpoints {\n"
            + endpoints
            + "}\n"
            + "routes { "
            + routes
            + " }\n}\n";
    return ConfigFactory.parseString(text);
  }

  /**
   * A Luhn-valid PAN of {@code length} digits with the given prefix and suffix (a middle digit
   * adjusted).
   */
  static String pan(String prefix, String suffix, int length) {
    int middle = length - prefix.length() - suffix.length();
    for (long fill = 0; fill < Math.pow(10, Math.min(middle, 4)); fill++) {
      String mid = String.format("%0" + middle + "d", fill);
      String candidate = prefix + mid + suffix;
      if (luhnValid(candidate)) return candidate;
    }
    throw new IllegalArgumentException("no Luhn-valid PAN for " + prefix + "..." + suffix);
  }

  static boolean luhnValid(String pan) {
    int sum = 0;
    boolean twice = false;
    for (int i = pan.length() - 1; i >= 0; i--) {
      int d = pan.charAt(i) - '0';
      if (twice) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      twice = !twice;
    }
    return sum % 10 == 0;
  }

  static String nextStan() {
    return String.format("%012d", SEQ.incrementAndGet());
  }

  static String nextRrn() {
    return String.format("T%011d", SEQ.incrementAndGet());
  }

  static String now() {
    return LocalDateTime.now().format(LOCAL);
  }

  static CardBusRequest sale(String pan, long amountFen) {
    return sale(pan, amountFen, null);
  }

  static CardBusRequest sale(String pan, long amountFen, PinData pin) {
    return new CardBusRequest(
        CardOperation.SALE,
        null,
        nextRrn(),
        nextStan(),
        now(),
        amountFen,
        pan,
        null,
        null,
        null,
        pin,
        TID,
        MID,
        null,
        false,
        null);
  }

  /**
   * The reversal (2420, or 2421 when {@code repeat}) of {@code original}, with the STAN of this
   * attempt.
   */
  static CardBusRequest reversal(CardBusRequest original, String stan, boolean repeat) {
    return new CardBusRequest(
        CardOperation.REVERSAL,
        original.operation(),
        original.rrn(),
        stan,
        now(),
        original.amountFen(),
        original.pan(),
        null,
        null,
        null,
        null,
        TID,
        MID,
        originalData(original),
        repeat,
        null);
  }

  static CardBusRequest voidOf(CardBusRequest original) {
    return new CardBusRequest(
        CardOperation.VOID,
        original.operation(),
        nextRrn(),
        nextStan(),
        now(),
        original.amountFen(),
        original.pan(),
        null,
        null,
        null,
        null,
        TID,
        MID,
        originalData(original),
        false,
        null);
  }

  static OriginalData originalData(CardBusRequest original) {
    return new OriginalData(
        original.operation().mti(), original.stan(), original.localDateTime(), ACQUIRER);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  /** Polls {@code condition} every 20 ms until it holds or {@code max} has passed. */
  static void eventually(Duration max, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0)
        throw new AssertionError("not within " + max.toMillis() + " ms: " + what);
      Thread.sleep(20);
    }
  }
}
