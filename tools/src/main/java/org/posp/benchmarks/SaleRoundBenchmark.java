package org.posp.benchmarks;

import java.time.LocalDateTime;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.posp.security.Hsm;
import org.posp.security.LmkKey;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalFrame;
import org.posp.terminal.codec.TerminalMessage;

/**
 * The CPU work the switch does on the terminal side of one approved sale (消费), without actors,
 * journal or network: decode the 0200, verify its MAC, translate its PIN block to the ZPK, build
 * the 0210, MAC it and encode it. Compare with the sum of {@link TerminalCodecBenchmark#fullRound},
 * two MAC operations and a PIN translation.
 *
 * <p>Throughput in ops/s; the nested {@link AverageTime} runs the same method as µs per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SaleRoundBenchmark {
  /** The same benchmark, reported as average time per operation. */
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public static class AverageTime extends SaleRoundBenchmark {}

  private Hsm hsm;
  private LmkKey mak;
  private LmkKey pik;
  private LmkKey zpk;
  private byte[] requestFrame;
  private LocalDateTime now;

  @Setup
  public void setup() {
    SaleFixture sale = SaleFixture.create();
    hsm = sale.hsm();
    mak = sale.mak();
    pik = sale.pik();
    zpk = sale.zpk();
    requestFrame = sale.requestFrame();
    now = SaleFixture.REPLY_TIME;
  }

  /**
   * Returns the 0210 frame; the translated PIN block, which would go to the card bus, goes to the
   * blackhole.
   *
   * @throws IllegalStateException if the request MAC does not verify (the benchmark would then
   *     measure a refusal, not a sale)
   */
  @Benchmark
  public byte[] approvedSale(Blackhole upstream) throws TerminalFormatException {
    TerminalFrame frame = TerminalFrame.decode(requestFrame);
    byte[] body = frame.body();
    TerminalMessage request = TerminalCodec.unpack(body); // field 41 says whose MAK to use
    if (!hsm.verifyMac(mak, Macs.mab(body), Macs.macOf(body))) {
      throw new IllegalStateException("request MAC does not verify");
    }
    upstream.consume(hsm.translatePin(pik, zpk, request.getBytes(52), request.get(2)));
    byte[] replyBody = TerminalCodec.pack(SaleFixture.saleReply(request, now));
    byte[] signed = Macs.withMac(replyBody, hsm.generateMac(mak, Macs.mab(replyBody)));
    return frame.reply(signed, 0).encode();
  }
}
