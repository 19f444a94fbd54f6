package org.posp.sim.cardbus;

import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * Builds card-bus requests the way docs/protocol/card-bus.md §5 and §6 lay them out, independently
 * of the simulator's code (own Luhn, own PIN block, own field 56).
 */
final class TestMessages {

  static final String MID = "898310048160001";
  static final String TID = "16688014";
  static final String ACQUIRER = "48020000";
  static final String LOCAL_TIME = "20250615103000";

  private static final AtomicLong STAN = new AtomicLong(1000);
  private static final AtomicLong RRN = new AtomicLong(1);
  private static final AtomicLong CARD = new AtomicLong(1);

  private TestMessages() {}

  static String nextRrn() {
    return String.format("R%011d", RRN.getAndIncrement());
  }

  /** A fresh Luhn-valid 19-digit PAN ending in {@code last4}. */
  static String pan(String last4) {
    String head = "62220200" + String.format("%06d", CARD.getAndIncrement());
    for (int d = 0; d <= 9; d++) {
      String candidate = head + d + last4;
      if (luhn(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("no Luhn digit for " + last4);
  }

  /** A fresh ordinary test card (never ends 9997..9999). */
  static String pan() {
    return pan("1234");
  }

  /** The same PAN with its last digit changed, so the Luhn check fails. */
  static String nonLuhn(String pan) {
    char last = pan.charAt(pan.length() - 1);
    return pan.substring(0, pan.length() - 1) + (char) ('0' + (last - '0' + 1) % 10);
  }

  static boolean luhn(String pan) {
    int sum = 0;
    for (int i = 0; i < pan.length(); i++) {
      int d = pan.charAt(pan.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      }
      sum += d;
    }
    return sum % 10 == 0;
  }

  static ISOMsg request(
      String mti, String processingCode, String functionCode, String pan, long amountFen)
      throws ISOException {
    ISOMsg m = new ISOMsg(mti);
    m.set(2, pan);
    m.set(3, processingCode);
    if (amountFen >= 0) {
      m.set(4, "1562" + String.format("%012d", amountFen));
    }
    m.set(7, "0615103000");
    m.set(11, String.format("%012d", STAN.getAndIncrement()));
    m.set(12, LOCAL_TIME);
    m.set(24, functionCode);
    m.set(32, ACQUIRER);
    m.set(37, nextRrn());
    m.set(41, TID);
    m.set(42, MID);
    return m;
  }

  static ISOMsg sale(String pan, long amountFen) throws ISOException {
    return request("2200", "000000", "200", pan, amountFen);
  }

  static ISOMsg preAuth(String pan, long amountFen) throws ISOException {
    return request("2100", "000000", "101", pan, amountFen);
  }

  static ISOMsg balanceInquiry(String pan) throws ISOException {
    return request("2100", "300000", "108", pan, -1);
  }

  static ISOMsg refund(String pan, long amountFen, ISOMsg sale) throws ISOException {
    ISOMsg m = request("2200", "200000", "200", pan, amountFen);
    m.set(56, field56(sale));
    return m;
  }

  static ISOMsg completion(String pan, long amountFen, ISOMsg preAuth) throws ISOException {
    ISOMsg m = request("2200", "000000", "202", pan, amountFen);
    m.set(56, field56(preAuth));
    return m;
  }

  /** A void: as the original, new 11 and 37, F25 4000, F56 = the original. */
  static ISOMsg voidOf(ISOMsg original) throws ISOException {
    ISOMsg m = (ISOMsg) original.clone();
    m.set(11, String.format("%012d", STAN.getAndIncrement()));
    m.set(37, nextRrn());
    m.set(25, "4000");
    m.set(56, field56(original));
    return m;
  }

  /**
   * A reversal: 2420 (or 2421), as the reversed message, new 11, same 37, F24 400, F25 4021, F56.
   */
  static ISOMsg reversalOf(ISOMsg reversed, String mti) throws ISOException {
    ISOMsg m = (ISOMsg) reversed.clone();
    m.setMTI(mti);
    m.set(11, String.format("%012d", STAN.getAndIncrement()));
    m.set(24, "400");
    m.set(25, "4021");
    m.set(56, field56(reversed));
    return m;
  }

  /** Field 56: original MTI n4 + 11 n12 + 12 n14 + 32. */
  static String field56(ISOMsg original) throws ISOException {
    return original.getMTI()
        + String.format("%012d", Long.parseLong(original.getString(11)))
        + original.getString(12)
        + original.getString(32);
  }

  static ISOMsg network(String functionCode) throws ISOException {
    ISOMsg m = new ISOMsg("2800");
    m.set(7, "0615103000");
    m.set(11, String.format("%012d", STAN.getAndIncrement()));
    m.set(24, functionCode);
    m.set(41, "NODE-1");
    return m;
  }

  /**
   * Format 0 PIN block of {@code pin} for {@code pan}, 3DES (K1 K2 K1) or DES under the clear ZPK.
   */
  static byte[] pinBlock(String pin, String pan, String zpkHex) throws Exception {
    String pinField =
        ("0" + Integer.toHexString(pin.length()) + pin + "FFFFFFFFFFFFFFFF").substring(0, 16);
    String panField = "0000" + pan.substring(pan.length() - 13, pan.length() - 1);
    byte[] a = HexFormat.of().parseHex(pinField);
    byte[] b = HexFormat.of().parseHex(panField);
    byte[] clear = new byte[8];
    for (int i = 0; i < 8; i++) {
      clear[i] = (byte) (a[i] ^ b[i]);
    }
    return encrypt(clear, zpkHex);
  }

  static byte[] encrypt(byte[] block, String keyHex) throws Exception {
    byte[] key = HexFormat.of().parseHex(keyHex);
    Cipher c;
    if (key.length == 16) {
      byte[] k3 = new byte[24];
      System.arraycopy(key, 0, k3, 0, 16);
      System.arraycopy(key, 0, k3, 16, 8);
      c = Cipher.getInstance("DESede/ECB/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k3, "DESede"));
    } else {
      c = Cipher.getInstance("DES/ECB/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
    }
    return c.doFinal(block);
  }
}
