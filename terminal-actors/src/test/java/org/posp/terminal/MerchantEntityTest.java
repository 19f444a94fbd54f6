package org.posp.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.LocalDate;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posp.terminal.MerchantEntity.CheckResult;
import org.posp.terminal.MerchantEntity.Profile;
import org.posp.terminal.MerchantEntity.State;
import org.posp.terminal.MerchantEntity.Status;

/**
 * The merchant (商户) entity: status, allowed types, single and daily limits, recovery. Every
 * command, event and state goes through Jackson CBOR (the testkit's serialization check).
 */
class MerchantEntityTest {
  private static final LocalDate DAY = LocalDate.of(2025, 3, 14);
  private static final AtomicInteger NEXT = new AtomicInteger(1);
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "merchant-entity",
            EventSourcedBehaviorTestKit.config()
                .withFallback(
                    ConfigFactory.parseString(
                        "pekko.actor.serialization-bindings {\"org.posp.persistence.CborSerializable\" = jackson-cbor}")));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A fresh merchant id per test: the in-memory journal is shared by the tests of this class. */
  private static String newMerchantId() {
    return String.format("8981000%08d", NEXT.getAndIncrement());
  }

  private static EventSourcedBehaviorTestKit<MerchantEntity.Command, MerchantEntity.Event, State>
      merchant(String id) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), MerchantEntity.create(id, MerchantSettings.defaults()));
  }

  /**
   * The state as the entity answers {@link MerchantEntity.Get}: after the flush it sent itself, if
   * any.
   */
  private static State state(
      EventSourcedBehaviorTestKit<MerchantEntity.Command, MerchantEntity.Event, State> kit) {
    return kit.<State>runCommand(MerchantEntity.Get::new).reply();
  }

  private static Profile profile(
      String id, Status status, long single, long daily, Set<String> types) {
    return new Profile(id, "Test shop", "5411", status, single, daily, types);
  }

  private static void register(
      EventSourcedBehaviorTestKit<MerchantEntity.Command, MerchantEntity.Event, State> kit,
      Profile p) {
    var result = kit.<StatusReply<Done>>runCommand(r -> new MerchantEntity.Register(p, r));
    assertTrue(result.reply().isSuccess(), String.valueOf(result.reply()));
    assertEquals(new MerchantEntity.Registered(p), result.event());
  }

  private static CheckResult check(
      EventSourcedBehaviorTestKit<MerchantEntity.Command, MerchantEntity.Event, State> kit,
      String type,
      long amount,
      LocalDate day) {
    var result = kit.<CheckResult>runCommand(r -> new MerchantEntity.Check(type, amount, day, r));
    // a check persists nothing itself; the entity's own flush of buffered approvals may run
    // meanwhile
    assertTrue(
        result.events().stream().allMatch(e -> e instanceof MerchantEntity.Approved),
        "a check persists nothing");
    return result.reply();
  }

  @Test
  void unknownMerchantIsRefused03() {
    var kit = merchant(newMerchantId());
    CheckResult r = check(kit, "SALE", 100, DAY);
    assertEquals("03", r.code());
    assertTrue(!r.allowed());
  }

  @Test
  void frozenAndClosedMerchantsAreRefused03AndActiveIsAllowed() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 0, 0, Set.of()));
    assertTrue(check(kit, "SALE", 100, DAY).allowed());
    for (Status s : new Status[] {Status.FROZEN, Status.CLOSED}) {
      var set = kit.<StatusReply<Done>>runCommand(r -> new MerchantEntity.SetStatus(s, r));
      assertTrue(set.reply().isSuccess());
      assertEquals(new MerchantEntity.StatusChanged(s), set.event());
      CheckResult r = check(kit, "SALE", 100, DAY);
      assertEquals("03", r.code(), "status " + s);
      assertTrue(r.reason().contains(s.name().toLowerCase()), r.reason());
      // every type is refused, also sign-on (merchant rules come before sign-on state)
      assertEquals("03", check(kit, "SIGN_ON", 0, DAY).code());
    }
    kit.<StatusReply<Done>>runCommand(r -> new MerchantEntity.SetStatus(Status.ACTIVE, r));
    assertTrue(check(kit, "SALE", 100, DAY).allowed(), "reactivated");
  }

  @Test
  void typesOutsideTheAllowedSetAreRefused58() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 0, 0, Set.of("SALE", "SALE_VOID")));
    assertTrue(check(kit, "SALE", 100, DAY).allowed());
    assertTrue(check(kit, "SALE_VOID", 100, DAY).allowed());
    CheckResult refund = check(kit, "REFUND", 100, DAY);
    assertEquals("58", refund.code());
    assertTrue(refund.reason().contains("REFUND"), refund.reason());
    assertEquals("58", check(kit, "BALANCE", 0, DAY).code());
  }

  @Test
  void amountAboveTheSingleLimitIsRefused61() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 50_000, 0, Set.of()));
    assertTrue(check(kit, "SALE", 50_000, DAY).allowed(), "exactly the limit is allowed");
    assertEquals("61", check(kit, "SALE", 50_001, DAY).code());
  }

  @Test
  void dailyLimitCountsApprovalsOfTheSameDayAndResetsOnANewDay() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 0, 100_000, Set.of()));
    kit.runCommand(new MerchantEntity.RecordApproved("RRN1", 60_000, DAY));
    assertTrue(check(kit, "SALE", 40_000, DAY).allowed(), "60,000 + 40,000 is the limit itself");
    kit.runCommand(new MerchantEntity.RecordApproved("RRN2", 30_000, DAY));
    assertEquals(90_000, state(kit).dayApprovedFen());
    CheckResult over = check(kit, "SALE", 10_001, DAY);
    assertEquals("61", over.code());
    assertTrue(over.reason().contains("daily"), over.reason());
    // the next day starts from zero, before and after its first approval
    LocalDate next = DAY.plusDays(1);
    assertTrue(check(kit, "SALE", 100_000, next).allowed());
    kit.runCommand(new MerchantEntity.RecordApproved("RRN3", 70_000, next));
    assertEquals(new State(kit.getState().profile(), next, 70_000), state(kit));
    assertEquals(
        new State(kit.getState().profile(), next, 70_000),
        kit.getState(),
        "persisted by the flush");
    assertEquals("61", check(kit, "SALE", 30_001, next).code());
  }

  @Test
  void registerReplacesTheProfile() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 1_000, 0, Set.of("SALE")));
    assertEquals("61", check(kit, "SALE", 2_000, DAY).code());
    Profile replaced = new Profile(id, "New name", "5812", Status.ACTIVE, 0, 0, Set.of());
    register(kit, replaced);
    assertEquals(replaced, kit.getState().profile());
    assertTrue(check(kit, "SALE", 2_000, DAY).allowed(), "no single limit any more");
    assertTrue(check(kit, "REFUND", 2_000, DAY).allowed(), "all types allowed now");
  }

  @Test
  void registeringTheSameProfileAgainPersistsNothing() {
    String id = newMerchantId();
    var kit = merchant(id);
    Profile p = profile(id, Status.ACTIVE, 1_000, 0, Set.of("SALE"));
    register(kit, p);
    var again = kit.<StatusReply<Done>>runCommand(r -> new MerchantEntity.Register(p, r));
    assertTrue(again.reply().isSuccess());
    assertTrue(again.hasNoEvents(), "demo start-up registers on every start");
    var changed =
        kit.<StatusReply<Done>>runCommand(
            r ->
                new MerchantEntity.Register(
                    profile(id, Status.ACTIVE, 2_000, 0, Set.of("SALE")), r));
    assertEquals(1, changed.events().size(), "a changed profile is persisted");
  }

  @Test
  void setStatusOnAnUnregisteredMerchantFailsAndPersistsNothing() {
    var kit = merchant(newMerchantId());
    var result =
        kit.<StatusReply<Done>>runCommand(r -> new MerchantEntity.SetStatus(Status.FROZEN, r));
    assertTrue(result.reply().isError());
    assertTrue(result.reply().getError().getMessage().contains("not registered"));
    assertTrue(result.hasNoEvents());
    assertNull(kit.getState().profile());
  }

  @Test
  void approvalsArrivingTogetherAreWrittenAsOneEventPerDay() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 0, 0, Set.of()));
    // three approvals in the mailbox before the entity's flush: one write
    kit.runCommand(new MerchantEntity.RecordApproved("A", 100, DAY));
    kit.runCommand(new MerchantEntity.RecordApproved("B", 200, DAY));
    kit.runCommand(new MerchantEntity.RecordApproved("C", 300, DAY.plusDays(1)));
    assertEquals(new State(kit.getState().profile(), DAY.plusDays(1), 300), state(kit));
    var restarted = kit.restart();
    assertEquals(DAY.plusDays(1), restarted.state().day());
    assertEquals(
        300, restarted.state().dayApprovedFen(), "the next day's approval survives the restart");
  }

  @Test
  void approvalsOfAnUnregisteredMerchantAreIgnored() {
    var kit = merchant(newMerchantId());
    var result = kit.runCommand(new MerchantEntity.RecordApproved("RRN", 1_000, DAY));
    assertTrue(result.hasNoEvents());
    assertEquals(0, kit.getState().dayApprovedFen());
  }

  @Test
  void stateSurvivesARestart() {
    String id = newMerchantId();
    var kit = merchant(id);
    Profile p = profile(id, Status.ACTIVE, 0, 100_000, Set.of("SALE"));
    register(kit, p);
    kit.runCommand(new MerchantEntity.RecordApproved("RRN1", 80_000, DAY));
    kit.<StatusReply<Done>>runCommand(r -> new MerchantEntity.SetStatus(Status.FROZEN, r));
    State before = state(kit);

    var restarted = kit.restart();
    assertEquals(before, restarted.state());
    assertEquals(Status.FROZEN, restarted.state().profile().status());
    assertEquals(80_000, restarted.state().dayApprovedFen());
    kit.<StatusReply<Done>>runCommand(r -> new MerchantEntity.SetStatus(Status.ACTIVE, r));
    assertEquals(
        "61", check(kit, "SALE", 20_001, DAY).code(), "the recovered day's total still counts");
  }

  /**
   * A void (or refund) gives money back to the card; it cannot push the merchant over a debit
   * limit. With the day's sales at the limit, the merchant cannot void one of them.
   */
  @Test
  void aVoidIsNotRefusedByTheDailyLimit() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 0, 100_000, Set.of()));
    kit.runCommand(new MerchantEntity.RecordApproved("RRN1", 100_000, DAY));
    assertTrue(check(kit, "SALE_VOID", 100_000, DAY).allowed(), "void of the day's sale");
    assertTrue(check(kit, "REFUND", 10_000, DAY).allowed(), "refund");
  }

  /**
   * Approvals are recorded by terminal entities on several nodes: around midnight one of the old
   * day can arrive after one of the new day. It must not replace the new day's total.
   */
  @Test
  void aLateApprovalOfThePreviousDayKeepsTodaysTotal() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 0, 100_000, Set.of()));
    LocalDate today = DAY.plusDays(1);
    kit.runCommand(new MerchantEntity.RecordApproved("RRN-TODAY", 90_000, today));
    kit.runCommand(new MerchantEntity.RecordApproved("RRN-YESTERDAY", 5_000, DAY));
    assertEquals("61", check(kit, "SALE", 20_000, today).code(), "today's 90,000 still counts");
  }

  /**
   * The terminal entity asks the merchant about a sign-on too (type SIGN_ON, amount 0), so that a
   * frozen merchant's terminal gets 03; allowed types and limits concern payments and must not stop
   * a sign-on.
   */
  @Test
  void aSignOnNeedsOnlyAnActiveMerchant() {
    String id = newMerchantId();
    var kit = merchant(id);
    register(kit, profile(id, Status.ACTIVE, 1_000, 5_000, Set.of("SALE")));
    kit.runCommand(new MerchantEntity.RecordApproved("RRN1", 5_000, DAY));
    kit.runCommand(
        new MerchantEntity.RecordApproved(
            "RRN2", 1_000, DAY)); // concurrent terminals passed the limit
    assertTrue(
        check(kit, "SIGN_ON", 0, DAY).allowed(), "types and limits do not apply to a sign-on");
    assertEquals("58", check(kit, "BALANCE", 0, DAY).code(), "but they do to everything else");
    kit.<StatusReply<Done>>runCommand(r -> new MerchantEntity.SetStatus(Status.FROZEN, r));
    assertEquals("03", check(kit, "SIGN_ON", 0, DAY).code());
  }
}
