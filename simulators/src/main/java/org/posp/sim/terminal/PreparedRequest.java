package org.posp.sim.terminal;

/**
 * A request built and packed but not yet sent: the exact bytes can be sent once, or again to test
 * duplicate handling ({@link TerminalClient#send(PreparedRequest)} sends the very same frame).
 *
 * @param type the financial type, or null for management and raw messages
 */
public record PreparedRequest(TerminalMessage message, Frame frame, TxnType type) {

  /** LEN + TPDU + header + body. */
  public byte[] bytes() {
    return frame.encode();
  }

  /** Key the reply is matched with: request MTI + 11 + 41 (docs/protocol/terminal.md §1). */
  public String matchKey() {
    return matchKey(message.mti(), message.get(11), message.get(41));
  }

  static String matchKey(String requestMti, String stan, String terminalId) {
    return requestMti + "|" + stan + "|" + terminalId;
  }

  /** Key of the request a reply answers (reply MTI - 10). */
  static String replyKey(TerminalMessage reply) {
    String requestMti = String.format("%04d", Integer.parseInt(reply.mti()) - 10);
    return matchKey(requestMti, reply.get(11), reply.get(41));
  }
}
