package org.posp.sim.load;

/** How requests are paced. */
public sealed interface LoadMode {

  /** Name in the report: {@code closed}, {@code open} or {@code sign-on-only}. */
  String name();

  /**
   * Closed loop (闭环): {@code concurrency} terminals busy at once, each sending its next request as
   * soon as the previous reply came. Throughput follows the switch's latency.
   */
  record Closed(int concurrency) implements LoadMode {
    public Closed {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1");
      }
    }

    @Override
    public String name() {
      return "closed";
    }
  }

  /**
   * Open loop (开环): {@code rate} requests per second at fixed intervals whatever the latency; at
   * most {@code maxConcurrency} in flight. Latency counts from the intended send time.
   */
  record Open(double rate, int maxConcurrency) implements LoadMode {
    public Open {
      if (!(rate > 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("rate must be a positive number of requests per second");
      }
      if (maxConcurrency < 1) {
        throw new IllegalArgumentException("max concurrency must be at least 1");
      }
    }

    @Override
    public String name() {
      return "open";
    }
  }

  /** Provision (if asked) and sign on every terminal once, then stop. */
  record SignOnOnly() implements LoadMode {
    @Override
    public String name() {
      return "sign-on-only";
    }
  }
}
