package org.posp.channel.cmf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** docs/protocol/card-bus.md §9: 0000..0013 are approvals, with the codes written out. */
class CmfActionCodesTest {

  @ParameterizedTest
  @ValueSource(strings = {"0000", "0001", "0005", "0010", "0013"})
  void approvals(String cmf) {
    assertTrue(CmfActionCodes.isApproval(cmf));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {"0014", "1000", "4000", "8000", "9999", "abcd", "000", "00000", " 000", "-001"})
  void notApprovals(String cmf) {
    assertFalse(CmfActionCodes.isApproval(cmf));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"000", "00000", "ABCD", " 000", "-001"})
  void malformedCodes(String cmf) {
    assertFalse(CmfActionCodes.isWellFormed(cmf));
  }
}
