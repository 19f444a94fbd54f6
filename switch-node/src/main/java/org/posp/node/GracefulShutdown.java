package org.posp.node;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinated shutdown of a node (SIGTERM, {@code ActorSystem.terminate}, an operator's leave):
 * stop accepting terminals (unbind every front), wait for the requests in progress to be answered,
 * then Pekko hands the shards over to the other nodes and leaves the cluster. Entities with pending
 * work (reversals) are restarted on the survivors by remember-entities.
 */
final class GracefulShutdown {
  private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

  private GracefulShutdown() {}

  static void register(
      ActorSystem<?> system,
      TerminalTcpServer tcp,
      List<Tcp.ServerBinding> bindings,
      ServerBinding http,
      Duration drainTimeout) {
    CoordinatedShutdown cs = CoordinatedShutdown.get(system);
    cs.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "posp-stop-accepting-terminals",
        () -> {
          log.info("shutting down: no new terminal connections");
          CompletableFuture<?>[] all =
              bindings.stream()
                  .filter(b -> b != null)
                  .map(b -> b.unbind().toCompletableFuture())
                  .toArray(CompletableFuture[]::new);
          return CompletableFuture.allOf(all)
              .thenCompose(v -> http.unbind())
              .thenApply(
                  v -> {
                    log.info(
                        "shutting down: terminal connections stop reading, answer what they have, then close");
                    tcp.stopReading();
                    return Done.getInstance();
                  });
        });
    cs.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "posp-drain-requests",
        () -> drain(tcp, drainTimeout));
  }

  private static CompletionStage<Done> drain(TerminalTcpServer tcp, Duration timeout) {
    return CompletableFuture.supplyAsync(
        () -> {
          long deadline = System.nanoTime() + timeout.toNanos();
          while (tcp.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              break;
            }
          }
          if (tcp.inFlight() > 0) {
            log.warn(
                "shutting down with {} terminal requests still in progress after {}",
                tcp.inFlight(),
                timeout);
          } else {
            log.info("shutting down: every terminal request in progress was answered");
          }
          return Done.getInstance();
        });
  }
}
