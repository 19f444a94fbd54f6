package org.posp.channel.mux;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.posp.channel.CardBusSettings.Strategy;

/**
 * Chooses the link for the next request among an endpoint's ready links (docs/protocol/card-bus.md
 * §3): round-robin over all of them, or primary/secondary (主备): the first address (in configuration
 * order) that has a ready link, its links in turn. Not thread-safe: owned by the endpoint actor.
 */
final class LinkSelector {

  /** A link in configuration order; {@code addressIndex} is the position of its address. */
  record Candidate(String linkId, int addressIndex) {}

  private final Strategy strategy;
  private final List<Candidate> links;
  private final Set<String> ready = new HashSet<>();
  private long turn;

  LinkSelector(Strategy strategy, List<Candidate> links) {
    this.strategy = strategy;
    this.links = List.copyOf(links);
  }

  void up(String linkId) {
    ready.add(linkId);
  }

  void down(String linkId) {
    ready.remove(linkId);
  }

  boolean isReady(String linkId) {
    return ready.contains(linkId);
  }

  boolean anyReady() {
    return !ready.isEmpty();
  }

  /** The next link to use, never {@code exclude}; empty when no other ready link exists. */
  Optional<String> next(String exclude) {
    List<Candidate> usable = new ArrayList<>();
    for (Candidate c : links) {
      if (ready.contains(c.linkId()) && !c.linkId().equals(exclude)) usable.add(c);
    }
    if (usable.isEmpty()) return Optional.empty();
    if (strategy == Strategy.PRIMARY_SECONDARY) {
      int best = usable.get(0).addressIndex();
      usable.removeIf(c -> c.addressIndex() != best);
    }
    Candidate chosen = usable.get((int) Math.floorMod(turn++, (long) usable.size()));
    return Optional.of(chosen.linkId());
  }
}
