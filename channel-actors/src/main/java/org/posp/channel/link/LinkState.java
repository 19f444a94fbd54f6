package org.posp.channel.link;

/** Life cycle of a link (链路). Only READY links carry requests. */
public enum LinkState {
  /** TCP connect in progress */
  CONNECTING,
  /** connected, logon 2800/801 sent, waiting for the 2810 with 39 = 8000 */
  LOGGING_ON,
  /** logged on: carries requests, echoes when idle */
  READY,
  /** closed or failed, waiting for the next reconnect attempt */
  DOWN
}
