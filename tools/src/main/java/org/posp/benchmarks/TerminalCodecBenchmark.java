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
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalFrame;
import org.posp.terminal.codec.TerminalMessage;

/**
 * The terminal codec (POS 报文编解码) on a sale: LEN/TPDU/header framing plus the strict body codec of
 * {@link TerminalCodec} (jPOS field packagers, nibble, pad and length checks). No cryptography:
 * field 64 is packed as given. {@link SaleRoundBenchmark} adds the MAC and PIN work of a real sale.
 *
 * <p>Throughput in ops/s; the nested {@link AverageTime} runs the same methods as µs per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TerminalCodecBenchmark {
  /** The same benchmarks, reported as average time per operation. */
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public static class AverageTime extends TerminalCodecBenchmark {}

  // not final: JMH must not see them as constants and fold the work away
  private byte[] requestFrame;
  private TerminalMessage reply;
  private TerminalFrame requestFrameParsed;
  private LocalDateTime now;

  @Setup
  public void setup() throws TerminalFormatException {
    SaleFixture sale = SaleFixture.create();
    requestFrame = sale.requestFrame();
    reply = sale.reply();
    requestFrameParsed = TerminalFrame.decode(requestFrame);
    now = SaleFixture.REPLY_TIME;
  }

  /** A 0200 sale frame (with LEN) to its message: what every request costs before anything else. */
  @Benchmark
  public TerminalMessage decodeSaleRequest() throws TerminalFormatException {
    return TerminalCodec.unpack(TerminalFrame.decode(requestFrame).body());
  }

  /**
   * A 0210 message (MAC already in field 64) to its frame with LEN, TPDU swapped and header echoed.
   */
  @Benchmark
  public byte[] encodeSaleReply() throws TerminalFormatException {
    return requestFrameParsed.reply(TerminalCodec.pack(reply), 0).encode();
  }

  /**
   * Decode the request, build the 0210 from it (the echo rules of docs/protocol/terminal.md §5.4)
   * and encode it.
   */
  @Benchmark
  public byte[] fullRound() throws TerminalFormatException {
    TerminalFrame frame = TerminalFrame.decode(requestFrame);
    TerminalMessage request = TerminalCodec.unpack(frame.body());
    return frame.reply(TerminalCodec.pack(SaleFixture.saleReply(request, now)), 0).encode();
  }
}
