package org.posp.sim.terminal;

import java.util.List;

/**
 * What happened after raw bytes were written with {@link TerminalClient#sendFrame}: the frames that
 * came back (none matched a waiting request) and whether the switch closed the connection (it must,
 * on a framing error).
 */
public record RawOutcome(boolean connectionClosed, String closeReason, List<ReceivedFrame> frames) {

  public RawOutcome {
    frames = List.copyOf(frames);
  }
}
