package org.posp.security;

/**
 * The result of a sign-on key generation: field 62 of the 0810 (keys under the TMK with check
 * values) and the same keys under the LMK for the terminal's state. {@code tdk} is null unless the
 * scheme is {@link KeyScheme#DOUBLE_LENGTH_WITH_TDK}.
 */
public record WorkingKeys(KeyScheme scheme, byte[] keyBlock, LmkKey pik, LmkKey mak, LmkKey tdk) {}
