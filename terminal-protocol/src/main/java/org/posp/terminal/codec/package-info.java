/**
 * The terminal protocol codec (POS 终端报文): what every POS terminal speaks to the switch, as fixed by
 * {@code docs/protocol/terminal.md} §1–4.
 *
 * <ul>
 *   <li>{@link org.posp.terminal.codec.TerminalFrame}: LEN, TPDU (swapped in replies) and header
 *       (processing requirement R in replies).
 *   <li>{@link org.posp.terminal.codec.TerminalCodec}: body bytes ⇄ {@link
 *       org.posp.terminal.codec.TerminalMessage}, driven by the jPOS packager table {@code
 *       packager/cup-pos.xml}; errors are {@link org.posp.terminal.codec.TerminalFormatException}
 *       naming the field and byte offset (reply {@code 39 = 30}).
 *   <li>Sub-fields: {@link org.posp.terminal.codec.Field60}, {@link
 *       org.posp.terminal.codec.Field61}, {@link org.posp.terminal.codec.SettlementTotals} and
 *       {@link org.posp.terminal.codec.BatchUploadRecords} (field 48).
 *   <li>{@link org.posp.terminal.codec.TransactionType}: routing key → transaction.
 *   <li>{@link org.posp.terminal.codec.Macs}: MAB and field 64 patching (the MAC is computed by the
 *       security module).
 * </ul>
 *
 * <p>This package stands alone: it depends on jPOS packager classes only, not on Pekko nor on any
 * other {@code org.posp} package.
 */
package org.posp.terminal.codec;
