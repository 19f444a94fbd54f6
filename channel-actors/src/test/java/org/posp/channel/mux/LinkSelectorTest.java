package org.posp.channel.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.posp.channel.CardBusSettings.Strategy;

class LinkSelectorTest {

  private static final List<LinkSelector.Candidate> LINKS =
      List.of(
          new LinkSelector.Candidate("a1", 0), new LinkSelector.Candidate("a2", 0),
          new LinkSelector.Candidate("b1", 1), new LinkSelector.Candidate("b2", 1));

  private static List<String> take(LinkSelector s, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(s.next(null).orElse("-"));
    return out;
  }

  @Test
  void roundRobinUsesEveryReadyLinkInTurn() {
    LinkSelector s = new LinkSelector(Strategy.ROUND_ROBIN, LINKS);
    assertFalse(s.anyReady());
    assertEquals(Optional.empty(), s.next(null));
    LINKS.forEach(c -> s.up(c.linkId()));
    assertEquals(List.of("a1", "a2", "b1", "b2", "a1", "a2", "b1", "b2"), take(s, 8));
    s.down("a2");
    List<String> three = take(s, 6);
    assertFalse(three.contains("a2"));
    assertTrue(three.containsAll(List.of("a1", "b1", "b2")));
  }

  @Test
  void primarySecondaryPrefersTheFirstAddress() {
    LinkSelector s = new LinkSelector(Strategy.PRIMARY_SECONDARY, LINKS);
    LINKS.forEach(c -> s.up(c.linkId()));
    List<String> primary = take(s, 4);
    assertTrue(primary.stream().allMatch(id -> id.startsWith("a")), primary.toString());
    assertTrue(primary.containsAll(List.of("a1", "a2")));
    s.down("a1");
    s.down("a2");
    List<String> secondary = take(s, 4);
    assertTrue(secondary.stream().allMatch(id -> id.startsWith("b")), secondary.toString());
    s.up("a2");
    assertEquals(List.of("a2", "a2"), take(s, 2));
  }

  @Test
  void excludesTheLinkThatRefusedTheWrite() {
    LinkSelector s = new LinkSelector(Strategy.ROUND_ROBIN, LINKS);
    s.up("a1");
    assertEquals(Optional.empty(), s.next("a1"));
    s.up("b2");
    assertEquals(Optional.of("b2"), s.next("a1"));
  }
}
