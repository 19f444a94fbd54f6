package org.posp.sim.terminal;

import java.time.Duration;

/** Outcome of a sign-off (签退), echo test (回响测试) or one batch-upload message. */
public record AdminResult(
    String operation, String responseCode, String failure, Duration elapsed, Exchange exchange)
    implements TerminalResult {}
