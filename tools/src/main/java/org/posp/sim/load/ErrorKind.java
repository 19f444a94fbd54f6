package org.posp.sim.load;

/** Why a request produced no usable reply. */
public enum ErrorKind {
  /** No reply within the reply timeout (the terminal reverses a reversible transaction). */
  TIMEOUT("timeout"),
  /** No node reachable, or the connection dropped before the reply. */
  CONNECTION("connection"),
  /** The reply's MAC was missing or wrong (reversal reason A0). */
  MAC("mac"),
  /** A reply came but failed another check: echoed fields, TPDU, header, unparseable body. */
  INVALID_REPLY("invalidReply"),
  /**
   * The terminal did not send: its sign-on failed or an earlier reversal is still unacknowledged.
   */
  REFUSED("refused");

  private final String label;

  ErrorKind(String label) {
    this.label = label;
  }

  /** The name in the summary and the JSON report. */
  public String label() {
    return label;
  }
}
