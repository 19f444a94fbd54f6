package org.posp.terminal;

import java.time.Clock;
import java.util.function.Function;
import org.apache.pekko.actor.typed.RecipientRef;
import org.posp.channel.CardBus;
import org.posp.security.Hsm;

/**
 * What a terminal entity uses besides its own state: the security module, the card bus, the
 * upstream id generator of this node, settings, the clock, and a way to reach merchant entities (an
 * {@code EntityRef} under sharding, a plain actor in tests).
 */
public record TerminalServices(
    Hsm hsm,
    CardBus cardBus,
    UpstreamIds ids,
    TerminalSettings settings,
    Clock clock,
    Function<String, RecipientRef<MerchantEntity.Command>> merchants) {}
