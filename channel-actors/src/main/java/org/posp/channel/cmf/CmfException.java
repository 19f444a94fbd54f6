package org.posp.channel.cmf;

/**
 * A CMF message that cannot be built, packed or unpacked. The message names the field and the rule
 * that was broken, never the field's content (it may be card data).
 */
public class CmfException extends RuntimeException {
  public CmfException(String message) {
    super(message);
  }

  public CmfException(String message, Throwable cause) {
    super(message, cause);
  }
}
