package org.posp.benchmarks;

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
import org.posp.security.Hsm;
import org.posp.security.LmkKey;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;

/**
 * CUP ECB MAC (银联 ECB MAC, docs/protocol/terminal.md §11.2) through the {@link Hsm}, as the switch
 * computes it: the MAK is a cryptogram under the LMK; the HSM unwraps it and checks its check value
 * on first use and keeps its key schedule, so a call is the MAC itself (XOR of the blocks + 2 DES)
 * and a cache look-up. The message is the MAB of the benchmark sale 0200 (all its fields up to 63);
 * {@link CupCryptoBenchmark#cupMacClearKey} is the MAC alone.
 *
 * <p>Throughput in ops/s; the nested {@link AverageTime} runs the same methods as µs per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MacBenchmark {
  /** The same benchmarks, reported as average time per operation. */
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public static class AverageTime extends MacBenchmark {}

  private Hsm hsm;
  private LmkKey mak;
  private byte[] mab;
  private byte[] mac;

  @Setup
  public void setup() throws TerminalFormatException {
    SaleFixture sale = SaleFixture.create();
    hsm = sale.hsm();
    mak = sale.mak();
    byte[] body = TerminalCodec.pack(sale.request());
    mab = Macs.mab(body);
    mac = Macs.macOf(body);
  }

  /** Field 64 for a reply (8 ASCII hex bytes). */
  @Benchmark
  public byte[] generateMac() {
    return hsm.generateMac(mak, mab);
  }

  /** The check of a request's field 64 (true for the benchmark sale). */
  @Benchmark
  public boolean verifyMac() {
    return hsm.verifyMac(mak, mab, mac);
  }

  /** Length of the MAB in bytes (for the report). */
  int mabLength() {
    return mab.length;
  }
}
