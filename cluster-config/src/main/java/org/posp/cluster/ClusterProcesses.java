package org.posp.cluster;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Finds the running processes of one local cluster by the markers on their command line ({@code
 * -Dlocal-cluster.home=<data dir>} and {@code -Dlocal-cluster.process=node-2}): also the nodes an
 * operator started again with a restart script (not children of the launcher) and the processes
 * left behind by a launcher that was killed with SIGKILL.
 */
final class ClusterProcesses {
  /** A running process of the cluster and its role ({@code node-1}, {@code card-bus}). */
  record Found(ProcessHandle handle, String role) {
    boolean node() {
      return role.startsWith("node-");
    }
  }

  private ClusterProcesses() {}

  /**
   * Every live process (except this one) whose command line marks it as part of the cluster in
   * {@code home}.
   */
  static List<Found> of(Path home) {
    String homeArg = "-D" + ProcessCommands.HOME_MARKER + "=" + home;
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(h -> h.pid() != self)
        .flatMap(h -> roleOf(arguments(h), homeArg).map(r -> new Found(h, r)).stream())
        .toList();
  }

  /**
   * The role of a command line that carries {@code homeArg}, or empty when it is not one of the
   * cluster's.
   */
  static Optional<String> roleOf(List<String> args, String homeArg) {
    if (!args.contains(homeArg)) return Optional.empty();
    String rolePrefix = "-D" + ProcessCommands.ROLE_MARKER + "=";
    return args.stream()
        .filter(a -> a.startsWith(rolePrefix))
        .map(a -> a.substring(rolePrefix.length()))
        .findFirst();
  }

  private static List<String> arguments(ProcessHandle h) {
    ProcessHandle.Info info = h.info();
    Optional<String[]> args = info.arguments();
    if (args.isPresent() && args.get().length > 0) return Arrays.asList(args.get());
    // some platforms give only the whole line: good enough for paths without spaces
    return info.commandLine().map(c -> Arrays.asList(c.split(" "))).orElse(List.of());
  }
}
