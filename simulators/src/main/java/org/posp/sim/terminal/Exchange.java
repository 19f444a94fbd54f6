package org.posp.sim.terminal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One request / reply round trip as the terminal saw it. Never thrown: every failure is a status
 * plus a list of problems.
 *
 * @param problems verification failures of the reply (or why there is no reply); empty when fine
 * @param macFailed the reply's MAC was missing or wrong (reversal reason A0)
 * @param node the node the request went to (null when not sent)
 */
public record Exchange(
    PreparedRequest request,
    Status status,
    ReceivedFrame reply,
    List<String> problems,
    boolean macFailed,
    Duration elapsed,
    InetSocketAddress node) {

  /** What happened to the request. */
  public enum Status {
    /** A reply was matched (see {@link #problems()} for verification). */
    REPLIED,
    /** No reply within the reply timeout. */
    TIMEOUT,
    /** The connection dropped (or the write failed) before the reply. */
    CONNECTION_LOST,
    /** No node could be reached: nothing was sent. */
    NOT_CONNECTED
  }

  public Exchange {
    problems = List.copyOf(problems);
  }

  public TerminalMessage replyMessage() {
    return reply == null ? null : reply.message();
  }

  /** Field 39 of the reply, or null. */
  public String responseCode() {
    TerminalMessage m = replyMessage();
    return m == null ? null : m.get(39);
  }

  /** Replied and the reply passed every check. */
  public boolean verified() {
    return status == Status.REPLIED && problems.isEmpty();
  }

  /** Null when verified, else a one-line reason. */
  public String failure() {
    if (verified()) {
      return null;
    }
    return problems.isEmpty() ? status.name().toLowerCase() : String.join("; ", problems);
  }
}
