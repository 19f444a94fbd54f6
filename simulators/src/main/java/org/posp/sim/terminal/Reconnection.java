package org.posp.sim.terminal;

import java.net.InetSocketAddress;
import java.time.Instant;

/** The terminal's connection dropped and it reconnected to the next node (round robin). */
public record Reconnection(
    InetSocketAddress from, InetSocketAddress to, String reason, Instant at) {}
