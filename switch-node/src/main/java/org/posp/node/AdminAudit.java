package org.posp.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.posp.persistence.CborSerializable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of admin changes: who (the principal of the bearer token, and the client's
 * address), what (method, path and a summary of the change, never a key or a token), when and the
 * outcome. Every entry is written to the {@code posp.audit} logger and persisted as an event of
 * this node's own stream ({@code admin-audit-node-<node id>}; node ids are unique in the cluster,
 * so each stream has one writer) in the journal, where it stays; the last {@link #KEPT} entries are
 * kept in memory for {@code GET /admin/audit}. Snapshots bound the recovery, events are never
 * deleted.
 */
final class AdminAudit
    extends EventSourcedBehavior<AdminAudit.Command, AdminAudit.Entry, AdminAudit.State> {
  static final Logger AUDIT_LOG = LoggerFactory.getLogger("posp.audit");
  static final int KEPT = 500;

  /**
   * @param at ISO-8601 instant (UTC) of the outcome
   * @param who the principal of the admin token that was presented
   * @param remote the client's socket address
   * @param status HTTP status of the answer
   * @param outcome its reason phrase, with a problem document's detail
   */
  record Entry(
      String at,
      String who,
      String remote,
      String method,
      String path,
      String change,
      int status,
      String outcome)
      implements CborSerializable {
    @Override
    public String toString() {
      return at + " " + method + " " + path + " by " + who + " from " + remote + ": " + change
          + " -> " + status + " " + outcome;
    }
  }

  record State(List<Entry> recent) implements CborSerializable {
    State appended(Entry e) {
      List<Entry> l = new ArrayList<>(recent.size() + 1);
      l.addAll(
          recent.size() >= KEPT ? recent.subList(recent.size() - KEPT + 1, recent.size()) : recent);
      l.add(e);
      return new State(List.copyOf(l));
    }
  }

  sealed interface Command {}

  record Append(Entry entry, ActorRef<Done> replyTo) implements Command {}

  record Recent(int limit, ActorRef<List<Entry>> replyTo) implements Command {}

  static Behavior<Command> create(int nodeId) {
    return new AdminAudit(nodeId);
  }

  private AdminAudit(int nodeId) {
    super(
        PersistenceId.ofUniqueId("admin-audit-node-" + nodeId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(200, 2);
  }

  @Override
  public CommandHandler<Command, Entry, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            Append.class,
            c -> Effect().persist(c.entry()).thenReply(c.replyTo(), s -> Done.getInstance()))
        .onCommand(
            Recent.class,
            (s, c) -> {
              List<Entry> r = s.recent();
              int n = Math.max(0, Math.min(c.limit(), r.size()));
              return Effect().reply(c.replyTo(), List.copyOf(r.subList(r.size() - n, r.size())));
            })
        .build();
  }

  @Override
  public EventHandler<State, Entry> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::appended);
  }

  /** {@code s} with control characters replaced by '?', for log lines and audit entries. */
  static String printable(String s) {
    if (s == null) return "-";
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
