package org.posp.terminal.codec;

/** How card data may appear in logs, exception messages and {@code toString()}. */
public final class Masking {
    private Masking() {
    }

    /**
     * A PAN (主账号) as first 6 + {@code ****} + last 4 digits. A value too short to keep 6 + 4 digits
     * and still hide something is shown as {@code ****} only.
     */
    public static String pan(String pan) {
        if (pan == null) {
            return "null";
        }
        if (pan.length() <= 10) {
            return "****";
        }
        return pan.substring(0, 6) + "****" + pan.substring(pan.length() - 4);
    }
}
