package org.posp.sim.terminal;

/**
 * A frame read from the switch, with its parsed body (null when the body could not be parsed, then
 * {@code parseError} says why).
 */
public record ReceivedFrame(
    Frame frame, TerminalMessage message, String parseError, long receivedAtNanos) {

  public boolean parsed() {
    return message != null;
  }
}
