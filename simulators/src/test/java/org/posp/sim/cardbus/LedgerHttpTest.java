package org.posp.sim.cardbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** The ledger and control over HTTP/JSON. */
class LedgerHttpTest extends HostTestSupport {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();

  @Override
  CardBusHostConfig config() {
    return super.config().withHttpPort(0);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).timeout(REPLY).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .timeout(REPLY)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + host.httpPort() + path);
  }

  @Test
  void ledgerIsReadableAsJson() throws Exception {
    String pan = TestMessages.pan();
    ISOMsg sale = TestMessages.sale(pan, 4_200);
    call(sale);
    call(TestMessages.refund(pan, 200, sale));

    HttpResponse<String> health = get("/health");
    assertEquals(200, health.statusCode());
    assertEquals("UP", json.readTree(health.body()).get("status").asText());

    JsonNode terminals = json.readTree(get("/ledger/terminals").body());
    assertEquals(1, terminals.size());
    assertEquals(4_000, terminals.get(0).get("netFen").asLong());

    HttpResponse<String> one =
        get("/ledger/terminals/" + TestMessages.MID + "/" + TestMessages.TID);
    assertEquals(200, one.statusCode());
    JsonNode totals = json.readTree(one.body());
    assertEquals(4_200, totals.get("debitFen").asLong());
    assertEquals(200, totals.get("creditFen").asLong());
    assertEquals(2, totals.get("approvedCount").asInt());

    HttpResponse<String> card = get("/ledger/cards/" + pan);
    assertEquals(200, card.statusCode());
    JsonNode account = json.readTree(card.body());
    assertEquals(START - 4_000, account.get("balanceFen").asLong());
    assertEquals(CardData.mask(pan), account.get("maskedPan").asText());
    assertFalse(card.body().contains(pan), "no clear PAN in the answer");
    assertEquals(2, account.get("history").size());

    HttpResponse<String> messages = get("/ledger/messages?rrn=" + sale.getString(37));
    JsonNode list = json.readTree(messages.body());
    assertEquals(1, list.size());
    assertEquals("0000", list.get(0).get("actionCode").asText());
    assertEquals("SALE", list.get(0).get("operation").asText());
    assertFalse(messages.body().contains(pan));
    assertEquals(2, json.readTree(get("/ledger/messages").body()).size());
  }

  @Test
  void respondingCanBeSwitchedOverHttp() throws Exception {
    HttpResponse<String> off = post("/control/responding?value=false");
    assertEquals(200, off.statusCode());
    assertFalse(host.isResponding());
    assertFalse(json.readTree(get("/health").body()).get("responding").asBoolean());
    assertTrue(
        client.requestOrNothing(TestMessages.network("831"), Duration.ofMillis(400)).isEmpty());

    assertEquals(200, post("/control/responding?value=true").statusCode());
    assertTrue(host.isResponding());
    assertEquals("8000", call(TestMessages.network("831")).getString(39));
  }

  @Test
  void badRequestsGetJsonProblems() throws Exception {
    HttpResponse<String> unknown = get("/ledger/nothing");
    assertEquals(404, unknown.statusCode());
    JsonNode problem = json.readTree(unknown.body());
    assertTrue(problem.hasNonNull("title"));
    assertTrue(problem.hasNonNull("detail"));

    assertEquals(404, get("/ledger/terminals/NOBODY/NOWHERE").statusCode());
    String notACard = TestMessages.nonLuhn(TestMessages.pan());
    HttpResponse<String> card = get("/ledger/cards/" + notACard);
    assertEquals(404, card.statusCode());
    assertFalse(card.body().contains(notACard), "the problem masks the PAN");

    HttpResponse<String> badValue = post("/control/responding?value=maybe");
    assertEquals(400, badValue.statusCode());
    assertTrue(host.isResponding());
    assertEquals(405, post("/ledger/terminals").statusCode());
    assertEquals(405, get("/control/responding?value=true").statusCode());
  }
}
