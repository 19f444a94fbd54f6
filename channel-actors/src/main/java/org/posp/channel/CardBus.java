package org.posp.channel;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The card bus as the terminal entities see it (docs/protocol/card-bus.md): route a request by BIN
 * or operation to a named endpoint, send it on a ready link, match the reply, enforce the endpoint
 * timeout and breaker.
 *
 * <p>The returned stage always completes normally with a {@link CardBusResult}; it never completes
 * exceptionally for network or host problems (those are results). Store-and-forward state (pending
 * reversals and advices) is owned by the entity that created it: the entity persists the work and
 * calls {@link #send} again until the host answers; this layer keeps no durable state.
 */
public interface CardBus {

  CompletionStage<CardBusResult> send(CardBusRequest request);

  /** Link, breaker and route state for operators and health checks. */
  List<EndpointStatus> status();

  /** One endpoint's state. */
  record EndpointStatus(
      String name, String breaker, int readyLinks, int totalLinks, List<String> linkStates) {}
}
