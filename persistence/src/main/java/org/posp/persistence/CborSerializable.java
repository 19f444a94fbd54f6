package org.posp.persistence;

/**
 * Marker for every command, event, state and reply that crosses a node boundary or is written to
 * the journal. Bound to Pekko's {@code jackson-cbor} serializer in this module's {@code
 * reference.conf}. Implementations never carry a clear PAN, track, PIN block or key in a persisted
 * form.
 */
public interface CborSerializable {}
