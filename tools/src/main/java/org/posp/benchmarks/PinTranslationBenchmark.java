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

/**
 * PIN translation (PIN 转加密, docs/protocol/terminal.md §11.4) of the benchmark sale's field 52 from
 * the terminal's double-length PIK to the card bus's double-length ZPK: unwrap and check both keys
 * under the LMK, 3DES-decrypt, check the ISO 9564 format 0 block against the PAN, 3DES-encrypt.
 *
 * <p>Throughput in ops/s; the nested {@link AverageTime} runs the same method as µs per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PinTranslationBenchmark {
  /** The same benchmark, reported as average time per operation. */
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public static class AverageTime extends PinTranslationBenchmark {}

  private Hsm hsm;
  private LmkKey pik;
  private LmkKey zpk;
  private byte[] pinBlock;
  private String pan;

  @Setup
  public void setup() {
    SaleFixture sale = SaleFixture.create();
    hsm = sale.hsm();
    pik = sale.pik();
    zpk = sale.zpk();
    pinBlock = sale.request().getBytes(52);
    pan = sale.request().get(2);
  }

  /** The 8-byte PIN block under the ZPK. */
  @Benchmark
  public byte[] translatePinPikToZpk() {
    return hsm.translatePin(pik, zpk, pinBlock, pan);
  }
}
