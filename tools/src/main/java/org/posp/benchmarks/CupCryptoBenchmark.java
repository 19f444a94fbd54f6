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
import org.posp.security.CupCrypto;
import org.posp.security.Hsm;
import org.posp.security.LmkKey;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.TerminalCodec;
import org.posp.terminal.codec.TerminalFormatException;

/**
 * The pieces {@link MacBenchmark} and {@link PinTranslationBenchmark} are made of, to explain their
 * figures: the MAC on a clear key (no LMK), one 3DES block (what a PIN translation does twice), and
 * the HSM's per-key cost (unwrap a double-length key under the LMK and compute its check value,
 * which every HSM call does for each key it uses). Roughly: generateMac ≈ key check of the MAK +
 * cupMacClearKey; translatePin ≈ 2 key checks + 2 × tripleDesBlock.
 *
 * <p>Throughput in ops/s; the nested {@link AverageTime} runs the same methods as µs per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CupCryptoBenchmark {
  /** The same benchmarks, reported as average time per operation. */
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public static class AverageTime extends CupCryptoBenchmark {}

  private byte[] clearMak;
  private byte[] clearPik;
  private byte[] mab;
  private byte[] pinBlock;
  private Hsm hsm;
  private LmkKey pik;

  @Setup
  public void setup() throws TerminalFormatException {
    SaleFixture sale = SaleFixture.create();
    clearMak = CupCrypto.unhex(SaleFixture.MAK_HEX);
    clearPik = CupCrypto.unhex(SaleFixture.PIK_HEX);
    mab = Macs.mab(TerminalCodec.pack(sale.request()));
    pinBlock = sale.request().getBytes(52);
    hsm = sale.hsm();
    pik = sale.pik();
  }

  /** CUP ECB MAC of the sale's MAB under the clear 8-byte MAK. */
  @Benchmark
  public byte[] cupMacClearKey() {
    return CupCrypto.cupMac(clearMak, mab);
  }

  /**
   * One 8-byte block decrypted under a clear 16-byte key (new engine and key schedule, as every
   * call).
   */
  @Benchmark
  public byte[] tripleDesBlock() {
    return CupCrypto.ecbDecrypt(clearPik, pinBlock);
  }

  /** A double-length key under the LMK to its check value: unwrap (2 × 3DES) + KCV (1 × 3DES). */
  @Benchmark
  public String hsmKeyCheck() {
    return hsm.checkValue(pik);
  }
}
