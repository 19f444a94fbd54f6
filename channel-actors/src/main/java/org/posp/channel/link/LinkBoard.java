package org.posp.channel.link;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.posp.channel.CardBusMetrics;

/**
 * The state of an endpoint's links as a thread-safe board, written by the link actors and read by
 * status and readiness checks (which must answer without asking actors).
 */
public final class LinkBoard {

  private record Entry(String address, LinkState state, String reason) {}

  private final Map<String, Entry> links = new ConcurrentSkipListMap<>();

  /** The endpoint these links belong to, for the link-up metric. */
  private final String endpoint;

  public LinkBoard(String endpoint) {
    this.endpoint = endpoint;
  }

  /** Records a link's state; {@code reason} says why a link is down (null otherwise). */
  public void update(String linkId, String address, LinkState state, String reason) {
    links.put(linkId, new Entry(address, state, reason));
    CardBusMetrics.link(endpoint, linkId, state);
  }

  public int readyCount() {
    return (int) links.values().stream().filter(e -> e.state == LinkState.READY).count();
  }

  public int size() {
    return links.size();
  }

  public LinkState state(String linkId) {
    Entry e = links.get(linkId);
    return e == null ? null : e.state;
  }

  /** One line per link: {@code core-1 127.0.0.1:7000 READY} (with the reason when down). */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    links.forEach(
        (id, e) ->
            out.add(
                id
                    + " "
                    + e.address
                    + " "
                    + e.state
                    + (e.reason != null && e.state != LinkState.READY
                        ? " (" + e.reason + ")"
                        : "")));
    return out;
  }
}
