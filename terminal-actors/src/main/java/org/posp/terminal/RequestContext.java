package org.posp.terminal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.posp.channel.CardBusRequest;
import org.posp.channel.CardOperation;
import org.posp.security.HsmException;
import org.posp.security.LmkKey;
import org.posp.terminal.TerminalDecider.Request;
import org.posp.terminal.TerminalState.Txn;
import org.posp.terminal.codec.Field60;
import org.posp.terminal.codec.Field61;
import org.posp.terminal.codec.Macs;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalFormatException;
import org.posp.terminal.codec.TerminalMessage;
import org.posp.terminal.codec.TransactionType;

/**
 * One request on its way through the steps of its transaction type: the terminal's state, the
 * request, and what the steps derive from them (each computed once): 60 and 61, the card, the
 * duplicate key, the keyed hash, the MAC check, and the original a void or refund names.
 */
final class RequestContext {
  final TerminalState state;
  final Request request;
  final TerminalDecider.Env env;
  private Field60 f60;
  private boolean f60Read;
  private CardData card;
  private String hash;
  private Boolean macOk;
  private String panHash;

  /** Set by the original-lookup step of a void or refund. */
  Original original;

  /** The original a void or refund refers to, as the upstream message and the state need it. */
  record Original(String key, CardBusRequest.OriginalData upstream) {}

  RequestContext(TerminalState state, Request request, TerminalDecider.Env env) {
    this.state = state;
    this.request = request;
    this.env = env;
  }

  TerminalMessage msg() {
    return request.msg();
  }

  TransactionType type() {
    return request.type();
  }

  Field60 f60() {
    if (!f60Read) {
      f60 = field60(msg());
      f60Read = true;
    }
    return f60;
  }

  Field61 f61() {
    return field61(msg());
  }

  String stan() {
    return msg().get(11);
  }

  /** The duplicate key (MTI class, batch, STAN); null without 11 or a readable 60. */
  String key() {
    return f60() == null || !msg().has(11) ? null : TxnKeys.of(msg().mti(), f60().batch(), stan());
  }

  CardData card() {
    if (card == null) card = CardData.from(msg());
    return card;
  }

  String requestHash() {
    if (hash == null) hash = requestHash(env, request);
    return hash;
  }

  String panHash() {
    if (panHash == null)
      panHash = env.hsm().keyedHash(card().pan().getBytes(StandardCharsets.US_ASCII));
    return panHash;
  }

  long amount() {
    return amountOf(msg());
  }

  /** Field 4 in fen: 0 when absent, -1 when not a number. */
  static long amountOf(TerminalMessage m) {
    return m.has(4) ? parseAmount(m.get(4)) : 0;
  }

  /** Whether the MAC is right under the current MAK (true for types without a MAC). */
  boolean macOk() {
    if (macOk == null)
      macOk = state.keys() != null && macValid(env, state, request, state.keys().mak());
    return macOk;
  }

  /** The recorded transaction of the request's key, if any. */
  Optional<Txn> recorded() {
    String k = key();
    return k == null ? Optional.empty() : state.txn(k);
  }

  /** The acquirer's original data of an upstream message of {@code op}. */
  CardBusRequest.OriginalData originalData(
      CardOperation op, String upstreamStan, String localDateTime) {
    return new CardBusRequest.OriginalData(
        op.mti(), upstreamStan, localDateTime, env.settings().acquirerId());
  }

  /** A rejection of this request (no MAC on the reply). */
  Decision reject(ResponseCode code, String why) {
    return TerminalDecider.reject(request, code, why);
  }

  // ======================================================================== shared checks

  /** Whether the request's MAC (64) is right under {@code mak} with the terminal's algorithm. */
  static boolean macValid(TerminalDecider.Env env, TerminalState s, Request r, LmkKey mak) {
    if (!r.type().requiresMac()) return true;
    TerminalMessage m = r.msg();
    if (!m.has(64) || mak == null || r.body().length < 8) return false;
    try {
      return env.hsm().verifyMac(mak, s.macAlgorithm(), Macs.mab(r.body()), m.getBytes(64));
    } catch (HsmException ex) {
      return false;
    }
  }

  /**
   * The MAC is right under the MAK before the current one, and {@code t} was recorded under that
   * MAK (with the same MAC algorithm: provisioning, the only way to change it, drops the working
   * keys).
   */
  static boolean macUnderPreviousKeys(TerminalDecider.Env env, TerminalState s, Request r, Txn t) {
    TerminalState.Keys k = s.keys();
    return k != null
        && k.previousMak() != null
        && t.startedAt() != null
        && t.startedAt().isBefore(k.issuedAt())
        && macValid(env, s, r, k.previousMak());
  }

  /**
   * Authenticated under the current MAK, or under the previous one for a transaction recorded
   * before it.
   */
  static boolean authenticatedFor(TerminalDecider.Env env, TerminalState s, Request r, Txn t) {
    return macValid(env, s, r, s.keys().mak()) || macUnderPreviousKeys(env, s, r, t);
  }

  /** Keyed hash of the request body without its MAC (same key, other content = 94). */
  static String requestHash(TerminalDecider.Env env, Request r) {
    byte[] body = r.msg().has(64) ? Macs.mab(r.body()) : r.body();
    return env.hsm().keyedHash(body);
  }

  static Field60 field60(TerminalMessage m) {
    if (!m.has(60)) return null;
    try {
      return Field60.parse(m.get(60));
    } catch (TerminalFormatException ex) {
      return null;
    }
  }

  static Field61 field61(TerminalMessage m) {
    if (!m.has(61)) return null;
    try {
      return Field61.parse(m.get(61));
    } catch (TerminalFormatException ex) {
      return null;
    }
  }

  static long parseAmount(String f4) {
    try {
      return Long.parseLong(f4);
    } catch (NumberFormatException ex) {
      return -1;
    }
  }
}
