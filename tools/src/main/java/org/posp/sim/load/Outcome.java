package org.posp.sim.load;

import org.posp.sim.terminal.Exchange;
import org.posp.sim.terminal.ReversalResult;
import org.posp.sim.terminal.TxnResult;

/** How one request ended: a verified reply with its response code (39), or an error. */
public sealed interface Outcome {

  /**
   * A reply that passed every terminal check (MAC included); {@code responseCode} is its field 39.
   */
  record Replied(String responseCode) implements Outcome {}

  /**
   * No usable reply; {@code reason} is the client's one-line explanation (never holds a PAN or
   * key).
   */
  record Failed(ErrorKind error, String reason) implements Outcome {}

  static Outcome of(TxnResult r) {
    Exchange ex = r.exchange();
    if (ex == null) {
      return new Failed(ErrorKind.REFUSED, r.failure());
    }
    return switch (ex.status()) {
      case REPLIED ->
          ex.verified()
              ? new Replied(ex.responseCode())
              : new Failed(ex.macFailed() ? ErrorKind.MAC : ErrorKind.INVALID_REPLY, ex.failure());
      case TIMEOUT -> new Failed(ErrorKind.TIMEOUT, ex.failure());
      case CONNECTION_LOST, NOT_CONNECTED -> new Failed(ErrorKind.CONNECTION, ex.failure());
    };
  }

  /**
   * A reversal's outcome. {@link ReversalResult} carries only the last attempt's failure text, so
   * the error kind is read from the client's wording (see {@code TerminalTransport}, {@code
   * ReplyVerifier}).
   */
  static Outcome of(ReversalResult r) {
    if (r.acknowledged()) {
      return new Replied(r.responseCode());
    }
    String f = r.failure() == null ? "reversal not acknowledged" : r.failure();
    ErrorKind kind;
    if (f.contains("MAC")) {
      kind = ErrorKind.MAC;
    } else if (f.startsWith("no reply within")) {
      kind = ErrorKind.TIMEOUT;
    } else if (f.startsWith("connection lost") || f.startsWith("not sent")) {
      kind = ErrorKind.CONNECTION;
    } else if (f.startsWith("not signed on")) {
      kind = ErrorKind.REFUSED;
    } else {
      kind = ErrorKind.INVALID_REPLY;
    }
    return new Failed(kind, f);
  }
}
