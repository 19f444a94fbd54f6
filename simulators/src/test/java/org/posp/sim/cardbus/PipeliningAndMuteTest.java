package org.posp.sim.cardbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** Pipelined requests on one connection, several connections, and muting the host. */
class PipeliningAndMuteTest extends HostTestSupport {

  @Test
  void pipelinedRequestsAreAnsweredAsTheyCompleteOutOfOrder() throws Exception {
    String slow = TestMessages.pan("9998");
    ISOMsg late = TestMessages.sale(slow, 100);
    CompletableFuture<ISOMsg> lateReply = client.send(late);
    List<CompletableFuture<ISOMsg>> quick = new ArrayList<>();
    String pan = TestMessages.pan();
    for (int i = 0; i < 20; i++) {
      quick.add(client.send(TestMessages.sale(pan, 10)));
    }
    for (CompletableFuture<ISOMsg> f : quick) {
      assertEquals("0000", CmfTestClient.await(f, REPLY).getString(39));
    }
    assertEquals("0000", CmfTestClient.await(lateReply, REPLY).getString(39));
    String lateStan = String.format("%012d", Long.parseLong(late.getString(11)));
    assertEquals(
        lateStan,
        client.arrivalOrder.get(client.arrivalOrder.size() - 1),
        "the first request sent is answered last");
    assertEquals(START - 200, balance(pan));
    assertTrue(client.unmatched.isEmpty());
  }

  @Test
  void manyConnectionsAtOnce() throws Exception {
    String pan = TestMessages.pan();
    List<CmfTestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        clients.add(CmfTestClient.connect(host.port()));
      }
      List<CompletableFuture<ISOMsg>> replies = new ArrayList<>();
      for (CmfTestClient c : clients) {
        for (int i = 0; i < 5; i++) {
          replies.add(c.send(TestMessages.sale(pan, 1)));
        }
      }
      for (CompletableFuture<ISOMsg> f : replies) {
        assertEquals("0000", CmfTestClient.await(f, REPLY).getString(39));
      }
      assertEquals(START - 40, balance(pan));
    } finally {
      for (CmfTestClient c : clients) {
        c.close();
      }
    }
  }

  @Test
  void mutedHostDropsRequestsUntilUnmuted() throws Exception {
    String pan = TestMessages.pan();
    host.setResponding(false);
    ISOMsg dropped = TestMessages.sale(pan, 100);
    assertTrue(client.requestOrNothing(dropped, Duration.ofMillis(600)).isEmpty());
    assertTrue(
        client.requestOrNothing(TestMessages.network("831"), Duration.ofMillis(300)).isEmpty(),
        "echoes are dropped too, so the switch marks the link down");
    assertTrue(
        host.ledger().byRrn(dropped.getString(37)).isEmpty(), "a dropped request is not processed");
    assertEquals(START, balance(pan));
    assertEquals(2, host.ledger().droppedWhileMuted());

    host.setResponding(true);
    assertEquals("0000", call(TestMessages.sale(pan, 100)).getString(39));
    assertEquals(START - 100, balance(pan));
  }

  @Test
  void closeStopsTheListener() throws Exception {
    int port = host.port();
    host.close();
    // the port is free again: binding it proves the listener is gone (a connect attempt to a free
    // port in the ephemeral range can connect to itself, TCP's simultaneous open, and is no proof)
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress("127.0.0.1", port));
      assertTrue(again.isBound());
    }
  }
}
