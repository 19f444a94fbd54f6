package org.posp.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Versioned data keys and cryptograms bound to their record: records of every format and key
 * version still decrypt after a rotation; a cryptogram moved to another record, or with its version
 * changed, does not.
 */
class DataKeyVersionTest {
  static final byte[] LMK = CupCrypto.unhex("0123456789ABCDEFFEDCBA9876543210");
  static final byte[] CARD = "6222020000000015|3012".getBytes(StandardCharsets.US_ASCII);
  static final byte[] RECORD =
      "card|898100012340001:10000001|02:000001:000001".getBytes(StandardCharsets.US_ASCII);
  static final byte[] OTHER =
      "card|898100012340001:10000001|02:000001:000002".getBytes(StandardCharsets.US_ASCII);

  static SoftwareHsm hsm() {
    return SoftwareHsm.fromHex("0123456789ABCDEFFEDCBA9876543210");
  }

  static byte[] raw(String cryptogram) {
    return Base64.getDecoder().decode(cryptogram);
  }

  /**
   * A version-1 cryptogram as the switch wrote them before key versions: 01 || IV || GCM(key v1,
   * AAD 01).
   */
  static String legacy(byte[] clear) throws Exception {
    byte[] iv = new byte[12];
    iv[0] = 7;
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(new Lmk(LMK).dataKey(), "AES"),
        new GCMParameterSpec(128, iv));
    gcm.updateAAD(new byte[] {1});
    byte[] body = gcm.doFinal(clear);
    byte[] out = new byte[1 + 12 + body.length];
    out[0] = 1;
    System.arraycopy(iv, 0, out, 1, 12);
    System.arraycopy(body, 0, out, 13, body.length);
    return Base64.getEncoder().encodeToString(out);
  }

  @Test
  void versionOneCryptogramsStillDecryptWhateverTheRecord() throws Exception {
    String old = legacy(CARD);
    assertArrayEquals(CARD, hsm().decryptData(old));
    assertArrayEquals(CARD, hsm().decryptData(old, RECORD));
    assertArrayEquals(CARD, hsm().useDataKeyVersion(5, 1L << 31).decryptData(old, RECORD));
  }

  @Test
  void newCryptogramsCarryTheCurrentKeyVersionAndSurviveARotation() {
    SoftwareHsm hsm = hsm();
    String v1 = hsm.encryptData(CARD, RECORD);
    assertEquals(2, raw(v1)[0], "format 2");
    assertEquals(1, ((raw(v1)[1] & 0xFF) << 8) | (raw(v1)[2] & 0xFF));
    hsm.useDataKeyVersion(2, 1L << 31);
    String v2 = hsm.encryptData(CARD, RECORD);
    assertEquals(2, ((raw(v2)[1] & 0xFF) << 8) | (raw(v2)[2] & 0xFF));
    // after the rotation, and on another node still at version 1 (a rolling change), both decrypt
    assertArrayEquals(CARD, hsm.decryptData(v1, RECORD));
    assertArrayEquals(CARD, hsm().decryptData(v2, RECORD));
    // version 2 is another key: the ciphertexts differ beyond the random IV
    byte[] a = raw(v1);
    byte[] b = raw(v2);
    b[1] = 0;
    b[2] = 1;
    assertThrows(
        HsmException.class,
        () -> hsm.decryptData(Base64.getEncoder().encodeToString(b), RECORD),
        "a version-2 cryptogram relabelled as version 1 fails");
    assertEquals(a.length, b.length);
  }

  @Test
  void aCryptogramMovedToAnotherRecordOrTamperedWithDoesNotDecrypt() {
    SoftwareHsm hsm = hsm();
    String c = hsm.encryptData(CARD, RECORD);
    HsmException moved = assertThrows(HsmException.class, () -> hsm.decryptData(c, OTHER));
    assertEquals(HsmException.Reason.BAD_DATA, moved.reason());
    assertThrows(HsmException.class, () -> hsm.decryptData(c));
    byte[] r = raw(c);
    r[0] = 1;
    assertThrows(
        HsmException.class,
        () -> hsm.decryptData(Base64.getEncoder().encodeToString(r), RECORD),
        "a tampered format byte fails");
    byte[] z = raw(c);
    z[1] = 0;
    z[2] = 0;
    assertThrows(
        HsmException.class, () -> hsm.decryptData(Base64.getEncoder().encodeToString(z), RECORD));
  }

  @Test
  void keyVersionsOutsideTheRangeAreRefused() {
    assertThrows(HsmException.class, () -> hsm().useDataKeyVersion(0, 10));
    assertThrows(HsmException.class, () -> hsm().useDataKeyVersion(65_536, 10));
    assertThrows(HsmException.class, () -> hsm().useDataKeyVersion(2, 0));
  }
}
