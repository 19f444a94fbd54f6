package org.posp.sim.terminal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a reply the way a terminal does (docs/protocol/terminal.md §2, §5, §11.2): TPDU swapped,
 * header echoed except R, MTI = request + 10, fields 3 4 11 25 41 42 49 and 60.1/60.3 echoed (60.2
 * too, except in 0810 and 0510 which assign a batch), 39 present, and the MAC when the type carries
 * one and 39 = 00 (or whenever 64 is present).
 */
final class ReplyVerifier {
  /** Request MTIs whose messages carry field 64. */
  static final Set<String> MAC_MTIS = Set.of("0100", "0200", "0220", "0400");

  private static final int[] ECHOED = {3, 4, 11, 25, 41, 42, 49};

  record Verdict(List<String> problems, boolean macFailed) {}

  private ReplyVerifier() {}

  static Verdict verify(PreparedRequest request, ReceivedFrame received, WorkingKeys keys) {
    List<String> problems = new ArrayList<>();
    boolean macFailed = false;
    if (!received.parsed()) {
      problems.add("reply body unparseable: " + received.parseError());
      return new Verdict(problems, false);
    }
    TerminalMessage req = request.message();
    TerminalMessage reply = received.message();
    Frame rf = received.frame();
    if (!Arrays.equals(rf.tpdu(), Frame.swappedTpdu(request.frame().tpdu()))) {
      problems.add(
          "reply TPDU "
              + Hex.of(rf.tpdu())
              + " is not the request's swapped ("
              + Hex.of(Frame.swappedTpdu(request.frame().tpdu()))
              + ")");
    }
    if (!headerEchoed(request.frame().header(), rf.header())) {
      problems.add(
          "reply header "
              + Hex.of(rf.header())
              + " does not echo "
              + Hex.of(request.frame().header())
              + " apart from R");
    }
    if (!reply.mti().equals(req.replyMti())) {
      problems.add("reply MTI " + reply.mti() + ", expected " + req.replyMti());
    }
    for (int f : ECHOED) {
      if (req.has(f) && !Objects.equals(req.get(f), reply.get(f))) {
        problems.add(
            "field "
                + f
                + " not echoed"
                + (f == 4 || f == 3 || f == 11 || f == 25 || f == 49
                    ? " (sent " + req.get(f) + ", got " + reply.get(f) + ")"
                    : ""));
      }
    }
    if (req.has(60)) {
      boolean assignsBatch = "0800".equals(req.mti()) || "0500".equals(req.mti());
      if (!Objects.equals(req.field60Type(), reply.field60Type())
          || !Objects.equals(req.field60Network(), reply.field60Network())
          || (!assignsBatch && !Objects.equals(req.field60Batch(), reply.field60Batch()))) {
        problems.add("field 60 not echoed (sent " + req.get(60) + ", got " + reply.get(60) + ")");
      }
    }
    String rc = reply.get(39);
    if (rc == null) {
      problems.add("reply has no field 39");
    }
    if (MAC_MTIS.contains(req.mti()) && ("00".equals(rc) || reply.has(64))) {
      if (!reply.has(64)) {
        problems.add("approved reply carries no MAC (64)");
        macFailed = true;
      } else if (keys == null) {
        problems.add("no MAK to verify the reply MAC");
        macFailed = true;
      } else if (!CupMac.verifyBody(keys, rf.body())) {
        problems.add("reply MAC does not verify");
        macFailed = true;
      }
    }
    return new Verdict(problems, macFailed);
  }

  private static boolean headerEchoed(byte[] sent, byte[] got) {
    for (int i = 0; i < sent.length; i++) {
      int mask = i == 2 ? 0xF0 : 0xFF; // R (low nibble of byte 2) is set by the switch
      if ((sent[i] & mask) != (got[i] & mask)) {
        return false;
      }
    }
    return true;
  }
}
