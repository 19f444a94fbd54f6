package org.posp.node;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * A per-frame read deadline on the bytes of one terminal connection (2-byte big-endian length
 * prefix): once the first byte of a frame has arrived, the whole frame must arrive within {@code
 * deadline}, or the connection fails with a {@link TimeoutException}. Between frames a connection
 * may stay silent (the idle timeout covers that), so a slow sender that trickles one byte at a time
 * cannot hold a connection and its buffers for longer than one deadline per frame. The bytes pass
 * through unchanged; the framing itself is done by {@code Framing.lengthField} after this stage.
 */
final class FrameDeadline extends GraphStage<FlowShape<ByteString, ByteString>> {
  private final Duration deadline;
  private final Inlet<ByteString> in = Inlet.create("FrameDeadline.in");
  private final Outlet<ByteString> out = Outlet.create("FrameDeadline.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

  FrameDeadline(Duration deadline) {
    this.deadline = deadline;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      /** Length bytes of the current frame seen so far (0..2); then body bytes still expected. */
      private int headerBytes;

      private int firstLengthByte;
      private int bodyRemaining;

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                ByteString chunk = grab(in);
                track(chunk);
                push(out, chunk);
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }
            });
      }

      private void track(ByteString chunk) {
        boolean frameStarted = false;
        int i = 0;
        int n = chunk.length();
        while (i < n) {
          if (bodyRemaining > 0) {
            int take = Math.min(bodyRemaining, n - i);
            bodyRemaining -= take;
            i += take;
            continue;
          }
          int b = chunk.apply(i++) & 0xFF;
          if (headerBytes == 0) {
            frameStarted = true;
            firstLengthByte = b;
            headerBytes = 1;
          } else {
            bodyRemaining = (firstLengthByte << 8) | b;
            headerBytes = 0;
          }
        }
        boolean partial = headerBytes > 0 || bodyRemaining > 0;
        if (!partial) {
          cancelTimer("frame");
        } else if (frameStarted || !isTimerActive("frame")) {
          // the frame now pending began in this chunk: its deadline starts now
          scheduleOnce("frame", deadline);
        }
      }

      @Override
      public void onTimer(Object key) {
        failStage(
            new TimeoutException(
                "a frame was not complete "
                    + deadline.toMillis()
                    + " ms after its first byte: closing the connection"));
      }
    };
  }
}
