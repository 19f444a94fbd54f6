package org.posp.terminal;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.posp.channel.CardBusRequest;
import org.posp.terminal.codec.TerminalMessage;

/**
 * What the {@link TerminalDecider} decided for one input: the events to persist (all or none), the
 * reply, the effects to run, and what to log. The {@link TerminalEntity} persists the events first;
 * the reply and the effects follow once they are in the journal (a decision without events replies
 * and runs at once), except {@linkplain Effect#immediate() immediate} effects, which only change
 * the entity's transient work and run before the write.
 */
public record Decision(
    List<TerminalEvent> events, Reply reply, List<Effect> effects, List<Note> notes) {

  public Decision {
    events = List.copyOf(events);
    effects = List.copyOf(effects);
    notes = List.copyOf(notes);
  }

  /** Nothing to do. */
  public static final Decision NONE = new Decision(List.of(), null, List.of(), List.of());

  public static Builder builder() {
    return new Builder();
  }

  /** A reply to a terminal request, and nothing else. */
  public static Decision reply(Reply reply) {
    return builder().reply(reply).build();
  }

  public boolean persists() {
    return !events.isEmpty();
  }

  /** The decision with a note first (the reason of a reply, for the log). */
  public Decision withNote(Note note) {
    List<Note> all = new ArrayList<>();
    all.add(note);
    all.addAll(notes);
    return new Decision(events, reply, effects, all);
  }

  // ======================================================================== replies

  /** The reply of a decision. */
  public sealed interface Reply {}

  /**
   * A reply message to a terminal request, packed (with its MAC when {@code mac} and 39 = 00) under
   * the terminal's state after the events.
   */
  public record ToTerminal(TerminalDecider.Request request, TerminalMessage message, boolean mac)
      implements Reply {
    public ActorRef<TerminalEntity.TerminalResponse> replyTo() {
      return request.replyTo();
    }
  }

  /** A request the switch cannot answer (not a request, unparseable): the front sends nothing. */
  public record Silence(ActorRef<TerminalEntity.TerminalResponse> replyTo) implements Reply {}

  /** An operator command's answer: {@code error} null = done. */
  public record Status(ActorRef<StatusReply<Done>> replyTo, String error) implements Reply {}

  // ======================================================================== effects

  /** Something the entity does for a decision. */
  public sealed interface Effect {
    /** Runs before the events are written: changes only the entity's transient work. */
    default boolean immediate() {
      return false;
    }
  }

  /**
   * Ask the terminal's merchant whether the request may go on; the answer comes back as an input.
   */
  public record AskMerchant(
      TerminalDecider.Request request, String merchantId, String type, long amountFen)
      implements Effect {}

  /** Send a recorded transaction upstream; its outcome comes back as an input. */
  public record SendUpstream(String key, CardBusRequest request) implements Effect {}

  /**
   * Send a balance inquiry (nothing recorded); the answer comes back with the request and its RRN.
   */
  public record SendBalance(TerminalDecider.Request request, String rrn, CardBusRequest upstream)
      implements Effect {}

  /** Send an attempt of a store-and-forward reversal; its outcome comes back as an input. */
  public record SendReversal(String key, CardBusRequest request) implements Effect {}

  /** Decide now about the pending reversal of {@code key} (it is sent when still pending). */
  public record TriggerReversal(String key) implements Effect {}

  /** Decide about the pending reversal of {@code key} again after {@code delay}. */
  public record RetryReversal(String key, Duration delay) implements Effect {}

  /** The reversal of {@code key} is acknowledged: its attempts are forgotten. */
  public record ReversalSettled(String key) implements Effect {
    @Override
    public boolean immediate() {
      return true;
    }
  }

  /** Tell the merchant about an approval (its day total for the daily limit). */
  public record RecordApproved(String merchantId, String rrn, long amountFen, LocalDate day)
      implements Effect {}

  /** Hold a request until the in-flight transaction {@code key} has its outcome. */
  public record Park(String key, TerminalDecider.Request request) implements Effect {
    @Override
    public boolean immediate() {
      return true;
    }
  }

  /** The transaction {@code key} has its outcome: the requests held for it go on. */
  public record Release(String key) implements Effect {}

  /** The terminal gave up on the in-flight {@code key}: reverse it as soon as it is approved. */
  public record ReverseWhenDone(String key) implements Effect {
    @Override
    public boolean immediate() {
      return true;
    }
  }

  /** Tell the sender of an undelivered-reply notice that it is decided and recorded. */
  public record Acknowledge(ActorRef<Done> replyTo) implements Effect {}

  // ======================================================================== notes

  public enum Level {
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  /** A log line (the entity prefixes the terminal); never card data. */
  public record Note(Level level, String text) {
    public static Note info(String text) {
      return new Note(Level.INFO, text);
    }

    public static Note warn(String text) {
      return new Note(Level.WARN, text);
    }
  }

  /** Collects a decision. */
  public static final class Builder {
    private final List<TerminalEvent> events = new ArrayList<>();
    private final List<Effect> effects = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();
    private Reply reply;

    public Builder persist(TerminalEvent event) {
      events.add(event);
      return this;
    }

    public Builder persist(List<? extends TerminalEvent> all) {
      events.addAll(all);
      return this;
    }

    public Builder reply(Reply r) {
      reply = r;
      return this;
    }

    public Builder then(Effect effect) {
      if (effect instanceof Acknowledge a && a.replyTo() == null) return this;
      effects.add(effect);
      return this;
    }

    public Builder note(Level level, String text) {
      notes.add(new Note(level, text));
      return this;
    }

    public Builder info(String text) {
      return note(Level.INFO, text);
    }

    public Builder warn(String text) {
      return note(Level.WARN, text);
    }

    public Decision build() {
      return new Decision(events, reply, effects, notes);
    }
  }
}
