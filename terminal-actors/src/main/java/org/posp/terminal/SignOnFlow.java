package org.posp.terminal;

import org.posp.security.HsmException;
import org.posp.security.KeyScheme;
import org.posp.security.WorkingKeys;
import org.posp.terminal.TerminalDecider.Request;
import org.posp.terminal.codec.ResponseCode;
import org.posp.terminal.codec.TerminalMessage;

/**
 * Sign-on (签到, 0800): new working keys under the TMK in the key block of the requested scheme, the
 * open batch in 60.2. The same sign-on asked again gets the same keys; one older than the current
 * keys is refused.
 */
final class SignOnFlow {
  private final TerminalDecider.Env env;

  SignOnFlow(TerminalDecider.Env env) {
    this.env = env;
  }

  Decision decide(RequestContext c) {
    TerminalState s = c.state;
    KeyScheme scheme = KeyScheme.ofNetworkCode(c.f60().networkCode());
    if (scheme == null) {
      return c.reject(
          ResponseCode.FUNCTION_NOT_SUPPORTED,
          "sign-on scheme " + c.f60().networkCode() + " not supported");
    }
    if (scheme == KeyScheme.SINGLE_DES && !env.settings().singleDesAllowed()) {
      // a 60.3 the switch does not support gets 40
      return c.reject(
              ResponseCode.FUNCTION_NOT_SUPPORTED, "single DES sign-on (scheme 001) is not allowed")
          .withNote(
              Decision.Note.warn(
                  "sign-on with scheme 001 refused: single DES keys are refused outside demo"
                      + " mode (posp.security.allow-single-des = off)"));
    }
    String stan = c.stan();
    TerminalState.Keys current = s.keys();
    if (current != null
        && stan.equals(current.signOnStan())
        && c.requestHash().equals(current.signOnHash())
        && current.scheme() == scheme) {
      // the same sign-on asked again (a retry after a lost message): the same keys, never new ones
      byte[] block =
          env.hsm().exportKeyBlock(s.tmk(), scheme, current.pik(), current.mak(), current.tdk());
      return TerminalDecider.reply(c.request, reply(c.request, s.batchNo(), block), false);
    }
    if (current != null && olderSignOn(current, stan)) {
      // a sign-on older than the current keys, delivered late after a failover: installing its
      // keys would leave the terminal (which has the newer ones) answered A0 on everything
      return c.reject(
          ResponseCode.DUPLICATE,
          "sign-on stan " + stan + " is older than the current keys' " + current.signOnStan());
    }
    return issue(c, scheme);
  }

  /** New working keys under the terminal's TMK, recorded and sent in the reply's key block. */
  private Decision issue(RequestContext c, KeyScheme scheme) {
    TerminalState s = c.state;
    WorkingKeys keys;
    try {
      keys = env.hsm().generateWorkingKeys(s.tmk(), scheme, s.macAlgorithm());
    } catch (HsmException ex) {
      return c.reject(ResponseCode.FUNCTION_NOT_SUPPORTED, "key scheme does not fit the TMK")
          .withNote(
              Decision.Note.warn(
                  "sign-on with scheme " + scheme + " refused by the HSM: " + ex.getMessage()));
    }
    String batch = s.batchNo();
    return Decision.builder()
        .persist(
            new TerminalEvent.SignedOn(
                scheme,
                keys.pik(),
                keys.mak(),
                keys.tdk(),
                env.clock().instant(),
                c.stan(),
                c.requestHash(),
                batch))
        .reply(new Decision.ToTerminal(c.request, reply(c.request, batch, keys.keyBlock()), false))
        .info(
            "signed on (scheme "
                + scheme.networkCode()
                + ", mac "
                + s.macAlgorithm()
                + ", batch "
                + batch
                + ", mak kcv "
                + keys.mak().checkValue()
                + ")")
        .build();
  }

  private TerminalMessage reply(Request r, String batch, byte[] keyBlock) {
    TerminalMessage m = r.msg();
    return TerminalReplies.base(m, ResponseCode.APPROVED, r.receivedAt())
        .remove(3)
        .remove(4)
        .remove(25)
        .remove(49)
        .set(32, env.settings().acquirerId())
        .set(37, env.ids().next().rrn())
        .set(60, TerminalReplies.with60Batch(m.get(60), batch))
        .setBytes(62, keyBlock)
        .build();
  }

  /**
   * A sign-on whose STAN is up to 1000 behind the current keys' sign-on, within the sign-on window
   * of it.
   */
  private boolean olderSignOn(TerminalState.Keys current, String stan) {
    if (current.signOnStan() == null || stan == null) return false;
    int behind =
        Math.floorMod(Integer.parseInt(current.signOnStan()) - Integer.parseInt(stan), 1_000_000);
    boolean recent =
        current.issuedAt().plus(env.settings().signOnWindow()).isAfter(env.clock().instant());
    return behind > 0 && behind <= 1000 && recent;
  }
}
