package org.posp.channel.link;

import java.time.Duration;

/**
 * What one link needs to know.
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

  /** {@code host:port} for logs and status. */
  public String address() {
    return host + ":" + port;
  }
}
