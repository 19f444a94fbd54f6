package org.posp.sim.terminal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The CLI terminal's memory between invocations: {@link TerminalState} as JSON in {@code
 * <dir>/posp-terminal-<mid>-<tid>.json}. It holds no keys (every invocation signs on); it does hold
 * the PANs of the batch's transactions, as a terminal's batch journal does for batch upload, so the
 * file is made readable by its owner only.
 */
final class CliStateStore {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private final Path file;

  CliStateStore(Path dir, String merchantId, String terminalId) {
    this.file = dir.resolve("posp-terminal-" + safe(merchantId) + "-" + safe(terminalId) + ".json");
  }

  private static String safe(String s) {
    return s.strip().replaceAll("[^A-Za-z0-9]", "_");
  }

  Path file() {
    return file;
  }

  /** The saved state, or null when there is none yet. */
  TerminalState load() throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return JSON.readValue(file.toFile(), TerminalState.class);
    } catch (IOException | IllegalArgumentException e) {
      // the parser's message may quote file content (PANs): name only the problem's type
      throw new IOException(
          "state file "
              + file
              + " is unreadable ("
              + e.getClass().getSimpleName()
              + "); delete it to start a fresh terminal");
    }
  }

  void save(TerminalState state) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: keep the platform default
      }
      JSON.writeValue(tmp.toFile(), state);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
