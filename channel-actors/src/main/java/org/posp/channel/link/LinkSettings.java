package org.posp.channel.link;

import java.time.Duration;

/**
 * What one link needs to know. Built by name with {@link #builder}: a link needs its endpoint, id
 * and address; everything else has the default of {@code posp.card-bus} in reference.conf unless
 * set.
 *
 * @param endpoint endpoint name (for logs)
 * @param linkId unique id of the link within the node, e.g. {@code core-1}
 * @param host host to connect to (resolved at every connect)
 * @param port TCP port
 * @param acquirerId field 32 of logon and echo messages
 * @param echoInterval silence (nothing received) after which an echo 2800/831 is sent
 * @param maxMissedEchoes unanswered echoes after which the link is marked down
 * @param logonTimeout how long to wait for the 2810 to a logon
 * @param connectTimeout TCP connect timeout
 * @param minBackoff first reconnect delay
 * @param maxBackoff largest reconnect delay
 * @param randomFactor jitter added to each delay (0.2 = up to 20 % more)
 * @param maxFrameBytes largest message (without the 2-byte header) accepted or sent
 * @param sendQueueSize writes buffered before the TCP connection takes them
 */
public record LinkSettings(
    String endpoint,
    String linkId,
    String host,
    int port,
    String acquirerId,
    Duration echoInterval,
    int maxMissedEchoes,
    Duration logonTimeout,
    Duration connectTimeout,
    Duration minBackoff,
    Duration maxBackoff,
    double randomFactor,
    int maxFrameBytes,
    int sendQueueSize) {

  /**
   * The link {@code linkId} of {@code endpoint} to {@code host:port}; everything else is set by
   * name.
   */
  public static Builder builder(String endpoint, String linkId, String host, int port) {
    return new Builder(endpoint, linkId, host, port);
  }

  /** {@code host:port} for logs and status. */
  public String address() {
    return host + ":" + port;
  }

  /**
   * Builds {@link LinkSettings} by named parts instead of fourteen positions. The defaults are
   * those of {@code posp.card-bus} in reference.conf (acquirer id empty, echo every 30 s, 3 missed
   * echoes, logon timeout 10 s, connect timeout 5 s, reconnect 0.5 s to 30 s with 0.2 jitter,
   * 8192-byte frames, 256 queued writes).
   */
  public static final class Builder {
    private final String endpoint;
    private final String linkId;
    private final String host;
    private final int port;
    private String acquirerId = "";
    private Duration echoInterval = Duration.ofSeconds(30);
    private int maxMissedEchoes = 3;
    private Duration logonTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration minBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private double randomFactor = 0.2;
    private int maxFrameBytes = 8192;
    private int sendQueueSize = 256;

    private Builder(String endpoint, String linkId, String host, int port) {
      this.endpoint = endpoint;
      this.linkId = linkId;
      this.host = host;
      this.port = port;
    }

    /** Field 32 of logons and echoes. */
    public Builder acquirerId(String acquirerId) {
      this.acquirerId = acquirerId;
      return this;
    }

    /** Silence after which an echo is sent, and how many unanswered echoes mark the link down. */
    public Builder echo(Duration interval, int maxMissed) {
      this.echoInterval = interval;
      this.maxMissedEchoes = maxMissed;
      return this;
    }

    /** The wait for the 2810 to a logon, and the TCP connect timeout. */
    public Builder timeouts(Duration logon, Duration connect) {
      this.logonTimeout = logon;
      this.connectTimeout = connect;
      return this;
    }

    /**
     * Reconnect delay: from {@code min} doubling up to {@code max}, each plus up to {@code
     * randomFactor}.
     */
    public Builder reconnect(Duration min, Duration max, double randomFactor) {
      this.minBackoff = min;
      this.maxBackoff = max;
      this.randomFactor = randomFactor;
      return this;
    }

    /** Largest message accepted or sent, and writes buffered before the connection takes them. */
    public Builder frames(int maxFrameBytes, int sendQueueSize) {
      this.maxFrameBytes = maxFrameBytes;
      this.sendQueueSize = sendQueueSize;
      return this;
    }

    public LinkSettings build() {
      return new LinkSettings(
          endpoint,
          linkId,
          host,
          port,
          acquirerId,
          echoInterval,
          maxMissedEchoes,
          logonTimeout,
          connectTimeout,
          minBackoff,
          maxBackoff,
          randomFactor,
          maxFrameBytes,
          sendQueueSize);
    }
  }
}
