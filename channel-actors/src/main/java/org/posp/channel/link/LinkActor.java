package org.posp.channel.link;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.jpos.iso.ISOMsg;
import org.posp.channel.cmf.CmfCodec;
import org.posp.channel.cmf.CmfException;

/**
 * One card-bus link (链路): owns one Pekko Streams TCP connection to one host with 2-byte big-endian
 * length framing, logs on with 2800/801 before carrying requests, echoes (2800/831) when nothing
 * has been received for the echo interval, and reconnects with exponential backoff when the socket
 * closes, the logon is refused or times out, or too many echoes go unanswered.
 *
 * <p>The link does not match replies: every reply to a request goes to the endpoint, which owns the
 * outstanding requests (so it can complete them when this link breaks). Network management messages
 * (28xx) are handled here. Every stream event carries the connection generation, so events of an
 * old connection arriving after a reconnect are ignored.
 */
public final class LinkActor extends AbstractBehavior<LinkActor.Command> {

  /** Messages a link accepts. */
  public sealed interface Command {}

  /**
   * Write one packed request (without length header); answered with {@link NotWritten} on failure.
   */
  public record Write(String key, byte[] frame) implements Command {}

  private record Connect(long gen) implements Command {}

  private record Connected(long gen) implements Command {}

  private record ConnectFailed(long gen, Throwable cause) implements Command {}

  private record StreamEnded(long gen, Throwable cause) implements Command {}

  private record Inbound(long gen, ByteString frame) implements Command {}

  private record LogonTimeout(long gen) implements Command {}

  private record IdleCheck(long gen) implements Command {}

  /** What a link tells its endpoint. */
  public sealed interface Event {
    String linkId();
  }

  /** The link is logged on and may carry requests. */
  public record LinkUp(String linkId) implements Event {}

  /** The link is no longer usable; requests written on it have an unknown outcome. */
  public record LinkDown(String linkId, String reason) implements Event {}

  /** A reply (not 28xx) received on the link. */
  public record Reply(String linkId, ISOMsg msg) implements Event {}

  /** A {@link Write} that was not handed to the connection: the host cannot have seen it. */
  public record NotWritten(String linkId, String key, String reason) implements Event {}

  private static final AtomicLong GENERATIONS = new AtomicLong();
  private static final String LOGON_TIMER = "logon";
  private static final String IDLE_TIMER = "idle";
  private static final String RECONNECT_TIMER = "reconnect";

  private final LinkSettings settings;
  private final ActorRef<Event> endpoint;
  private final LinkBoard board;
  private final TimerScheduler<Command> timers;
  private final Backoff backoff;
  private final Materializer materializer;

  /**
   * Connection generation, unique across all link instances: a restarted link (a new instance) must
   * not mistake events of its predecessor's stream for its own.
   */
  private long gen;

  private LinkState state = LinkState.DOWN;
  private BoundedSourceQueue<ByteString> queue;
  private UniqueKillSwitch killSwitch;
  private CompletionStage<Tcp.OutgoingConnection> connection;
  private String logonStan;
  private int missedEchoes;
  private int failures;

  /**
   * Link STAN for our own 28xx messages; random start so a restarted node does not reuse recent
   * ones.
   */
  private long networkStan = ThreadLocalRandom.current().nextLong(1_000_000_000_000L);

  /** The behavior of a link; the endpoint supervises it (restart with backoff on a crash). */
  public static Behavior<Command> create(
      LinkSettings settings, ActorRef<Event> endpoint, LinkBoard board) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(timers -> new LinkActor(ctx, timers, settings, endpoint, board)));
  }

  private LinkActor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      LinkSettings settings,
      ActorRef<Event> endpoint,
      LinkBoard board) {
    super(ctx);
    ctx.setLoggerName(LinkActor.class);
    this.settings = settings;
    this.endpoint = endpoint;
    this.board = board;
    this.timers = timers;
    this.backoff =
        new Backoff(settings.minBackoff(), settings.maxBackoff(), settings.randomFactor());
    this.materializer = Materializer.matFromSystem(ctx.getSystem());
    connect();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Write.class, this::onWrite)
        .onMessage(Inbound.class, this::onInbound)
        .onMessage(
            Connect.class,
            m -> {
              if (m.gen == gen && state == LinkState.DOWN) connect();
              return this;
            })
        .onMessage(Connected.class, this::onConnected)
        .onMessage(
            ConnectFailed.class,
            m -> {
              if (m.gen == gen) down("connect failed: " + describe(m.cause));
              return this;
            })
        .onMessage(
            StreamEnded.class,
            m -> {
              if (m.gen == gen)
                down(
                    m.cause == null
                        ? "connection closed"
                        : "connection failed: " + describe(m.cause));
              return this;
            })
        .onMessage(
            LogonTimeout.class,
            m -> {
              if (m.gen == gen && state == LinkState.LOGGING_ON) {
                down("no logon reply within " + settings.logonTimeout().toMillis() + " ms");
              }
              return this;
            })
        .onMessage(IdleCheck.class, this::onIdleCheck)
        .onSignal(
            PreRestart.class,
            s -> {
              // a crash: the supervisor restarts us with backoff; the endpoint must stop using this
              // link now
              closeStream();
              board.update(
                  settings.linkId(),
                  settings.address(),
                  LinkState.DOWN,
                  "restarting after a failure");
              endpoint.tell(
                  new LinkDown(settings.linkId(), "link actor restarting after a failure"));
              return this;
            })
        .onSignal(
            PostStop.class,
            s -> {
              closeStream();
              board.update(settings.linkId(), settings.address(), LinkState.DOWN, "stopped");
              return this;
            })
        .build();
  }

  private void connect() {
    gen = GENERATIONS.incrementAndGet();
    long g = gen;
    setState(LinkState.CONNECTING, null);
    ActorRef<Command> self = getContext().getSelf();
    InetSocketAddress remote = new InetSocketAddress(settings.host(), settings.port());
    var tcp =
        Tcp.get(getContext().getSystem())
            .outgoingConnection(
                remote,
                Optional.empty(),
                List.of(),
                false,
                Optional.of(settings.connectTimeout()),
                Optional.empty());
    Pair<
            Pair<
                Pair<BoundedSourceQueue<ByteString>, CompletionStage<Tcp.OutgoingConnection>>,
                UniqueKillSwitch>,
            CompletionStage<Done>>
        mat =
            Source.<ByteString>queue(settings.sendQueueSize())
                .map(LinkActor::withLengthHeader)
                .viaMat(tcp, Keep.both())
                .via(Framing.lengthField(2, 0, settings.maxFrameBytes() + 2, ByteOrder.BIG_ENDIAN))
                .map(frame -> frame.drop(2))
                .viaMat(KillSwitches.single(), Keep.both())
                .toMat(Sink.foreach(frame -> self.tell(new Inbound(g, frame))), Keep.both())
                .run(materializer);
    queue = mat.first().first().first();
    killSwitch = mat.first().second();
    connection = mat.first().first().second();
    getContext()
        .pipeToSelf(
            connection, (conn, ex) -> ex == null ? new Connected(g) : new ConnectFailed(g, ex));
    getContext().pipeToSelf(mat.second(), (done, ex) -> new StreamEnded(g, ex));
  }

  private Behavior<Command> onConnected(Connected m) {
    if (m.gen != gen || state != LinkState.CONNECTING) return this;
    setState(LinkState.LOGGING_ON, null);
    logonStan = nextStan();
    if (writeNetwork(CmfCodec.FUNCTION_LOGON, logonStan)) {
      timers.startSingleTimer(LOGON_TIMER, new LogonTimeout(gen), settings.logonTimeout());
    }
    return this;
  }

  private Behavior<Command> onWrite(Write w) {
    if (state != LinkState.READY) {
      endpoint.tell(new NotWritten(settings.linkId(), w.key, "link " + state));
      return this;
    }
    if (w.frame.length > settings.maxFrameBytes()) {
      endpoint.tell(
          new NotWritten(
              settings.linkId(),
              w.key,
              "message of "
                  + w.frame.length
                  + " bytes exceeds max-frame-bytes "
                  + settings.maxFrameBytes()));
      return this;
    }
    QueueOfferResult r = queue.offer(ByteString.fromArray(w.frame));
    if (!r.isEnqueued()) {
      endpoint.tell(
          new NotWritten(settings.linkId(), w.key, "send queue refused the message (" + r + ")"));
    }
    return this;
  }

  private Behavior<Command> onInbound(Inbound in) {
    if (in.gen != gen) return this;
    ISOMsg msg;
    try {
      msg = CmfCodec.unpack(in.frame.toArray());
    } catch (CmfException e) {
      getContext()
          .getLog()
          .warn(
              "link {} {}: ignoring an unreadable frame: {}",
              settings.linkId(),
              settings.address(),
              e.getMessage());
      return this;
    }
    // anything received proves the host is alive
    missedEchoes = 0;
    if (state == LinkState.READY) startIdleTimer();
    String mti = msg.getString(0);
    if (CmfCodec.MTI_NETWORK_RESPONSE.equals(mti)) {
      onNetworkReply(msg);
    } else if (CmfCodec.MTI_NETWORK.equals(mti)) {
      // the host tests the link: answer it so it keeps the link up on its side too
      write(CmfCodec.networkResponse(msg, Instant.now()));
    } else if (CmfCodec.isResponse(mti)) {
      if (state == LinkState.READY) {
        endpoint.tell(new Reply(settings.linkId(), msg));
      } else {
        getContext()
            .getLog()
            .warn(
                "link {}: reply {} received before logon completed, ignored",
                settings.linkId(),
                mti);
      }
    } else {
      getContext()
          .getLog()
          .warn("link {}: unsupported request {} from the host ignored", settings.linkId(), mti);
    }
    return this;
  }

  private void onNetworkReply(ISOMsg msg) {
    String stan = msg.getString(11);
    String code = msg.getString(39);
    if (state == LinkState.LOGGING_ON && logonStan != null && logonStan.equals(stan)) {
      timers.cancel(LOGON_TIMER);
      if ("8000".equals(code)) {
        failures = 0;
        // tell the endpoint before the board shows READY: whoever sees READY and then sends must
        // find the LinkUp ahead of its request in the endpoint's mailbox
        state = LinkState.READY;
        endpoint.tell(new LinkUp(settings.linkId()));
        setState(LinkState.READY, null);
        getContext()
            .getLog()
            .info(
                "link {} {} of endpoint {} logged on",
                settings.linkId(),
                settings.address(),
                settings.endpoint());
        startIdleTimer();
      } else {
        down("logon refused with 39=" + code);
      }
    }
    // echo replies need nothing more: receiving them already reset the missed-echo count
  }

  private Behavior<Command> onIdleCheck(IdleCheck m) {
    if (m.gen != gen || state != LinkState.READY) return this;
    if (missedEchoes >= settings.maxMissedEchoes()) {
      down(missedEchoes + " echo tests unanswered");
      return this;
    }
    missedEchoes++;
    writeNetwork(CmfCodec.FUNCTION_ECHO, nextStan());
    startIdleTimer();
    return this;
  }

  private void startIdleTimer() {
    timers.startSingleTimer(IDLE_TIMER, new IdleCheck(gen), settings.echoInterval());
  }

  private boolean writeNetwork(String functionCode, String stan) {
    return write(CmfCodec.networkRequest(functionCode, stan, settings.acquirerId(), Instant.now()));
  }

  private boolean write(ISOMsg msg) {
    if (queue == null) return false;
    QueueOfferResult r = queue.offer(ByteString.fromArray(CmfCodec.pack(msg)));
    if (!r.isEnqueued()) {
      down("cannot write " + msg.getString(0) + " (" + r + ")");
      return false;
    }
    return true;
  }

  /** Closes the connection, tells the endpoint and schedules a reconnect with backoff. */
  private void down(String reason) {
    LinkState was = state;
    closeStream();
    gen = GENERATIONS.incrementAndGet(); // ignore whatever the old stream still reports
    failures++;
    timers.cancel(LOGON_TIMER);
    timers.cancel(IDLE_TIMER);
    setState(LinkState.DOWN, reason);
    endpoint.tell(new LinkDown(settings.linkId(), reason));
    Duration delay = backoff.delay(failures);
    if (was == LinkState.READY || failures == 1) {
      getContext()
          .getLog()
          .warn(
              "link {} {} of endpoint {} down: {}; reconnecting in {} ms",
              settings.linkId(),
              settings.address(),
              settings.endpoint(),
              reason,
              delay.toMillis());
    } else {
      getContext()
          .getLog()
          .info(
              "link {} {} of endpoint {} still down ({} attempts): {}; next attempt in {} ms",
              settings.linkId(),
              settings.address(),
              settings.endpoint(),
              failures,
              reason,
              delay.toMillis());
    }
    timers.startSingleTimer(RECONNECT_TIMER, new Connect(gen), delay);
  }

  /**
   * Closes the current connection. Pekko's TCP stage must not see the end of its input before the
   * connection is established (it would fail internally), so the close waits for the connect
   * attempt: immediately when it already succeeded, never when it failed (the stream is gone then).
   */
  private void closeStream() {
    BoundedSourceQueue<ByteString> q = queue;
    UniqueKillSwitch ks = killSwitch;
    CompletionStage<Tcp.OutgoingConnection> c = connection;
    queue = null;
    killSwitch = null;
    connection = null;
    if (c == null) return;
    c.whenComplete(
        (conn, error) -> {
          if (error != null) return;
          if (!q.isCompleted()) {
            try {
              q.complete();
            } catch (IllegalStateException alreadyClosed) {
              // the stream completed on its own in the meantime: nothing left to close
            }
          }
          ks.shutdown();
        });
  }

  private void setState(LinkState s, String reason) {
    state = s;
    board.update(settings.linkId(), settings.address(), s, reason);
  }

  private String nextStan() {
    networkStan = (networkStan + 1) % 1_000_000_000_000L;
    return String.format("%012d", networkStan);
  }

  private static ByteString withLengthHeader(ByteString payload) {
    int n = payload.size();
    return ByteString.fromArray(new byte[] {(byte) (n >>> 8), (byte) n}).concat(payload);
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getClass().getSimpleName()
        + (root.getMessage() != null ? ": " + root.getMessage() : "");
  }
}
