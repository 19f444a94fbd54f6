package org.posp.terminal;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The dates and times a request's receipt gives its messages, all from one instant: field 12 of the
 * upstream message ({@code yyyyMMddHHmmss}), and the terminal's 13 ({@code MMdd}, which refunds
 * quote in 61.3) and 12 ({@code HHmmss}). The one place these formats are written.
 */
public record UpstreamTimes(String localDateTime, String date, String time) {
  public static final DateTimeFormatter UPSTREAM = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
  public static final DateTimeFormatter MMDD = DateTimeFormatter.ofPattern("MMdd");
  public static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HHmmss");

  public static UpstreamTimes of(LocalDateTime at) {
    return new UpstreamTimes(at.format(UPSTREAM), at.format(MMDD), at.format(HHMMSS));
  }
}
