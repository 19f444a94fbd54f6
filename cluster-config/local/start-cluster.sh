#!/bin/sh
# Starts a local POSP cluster on this machine: PostgreSQL (embedded binaries from Maven), the card-bus
# simulator and 3 switch nodes on 127.0.0.1, each its own process. Needs only a JDK 17+.
#
#   cluster-config/local/start-cluster.sh                 # 3 nodes, seed nodes
#   cluster-config/local/start-cluster.sh --nodes 5 --discovery bootstrap
#   cluster-config/local/start-cluster.sh --build         # rebuild the jars first
#   cluster-config/local/start-cluster.sh --help
#
# Builds demo/target/posp-demo.jar (the node and the simulators) and cluster-config/target/posp-local-cluster.jar
# when they are missing or older than the sources, then runs the launcher in the foreground: Ctrl-C stops
# everything.
# Data and logs: ./data/local-cluster (relative to the repository root).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
if ! command -v "$java" >/dev/null 2>&1; then
  echo "start-cluster: no java on the PATH and no JAVA_HOME: install a JDK 17 or newer" >&2
  exit 1
fi
major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
  echo "start-cluster: Java 17 or newer is needed (found: ${major:-unknown})" >&2
  exit 1
fi

build=no
for a in "$@"; do [ "$a" = "--build" ] && build=yes; done
node_jar=demo/target/posp-demo.jar
launcher_jar=cluster-config/target/posp-local-cluster.jar
if [ ! -f "$node_jar" ] || [ ! -f "$launcher_jar" ]; then
  build=yes
elif [ -n "$(find pom.xml ./*/pom.xml ./*/src/main -newer "$node_jar" -type f 2>/dev/null | head -n 1)" ] \
    || [ -n "$(find cluster-config/pom.xml cluster-config/src/main -newer "$launcher_jar" -type f 2>/dev/null | head -n 1)" ]; then
  build=yes
fi
if [ "$build" = yes ]; then
  echo "start-cluster: building the node and the launcher (./mvnw -q -DskipTests package)"
  ./mvnw -q -DskipTests -pl demo,cluster-config -am package
fi

# the launcher's own options only (--build is this script's)
for a in "$@"; do
  shift
  [ "$a" = "--build" ] || set -- "$@" "$a"
done
exec "$java" -Xmx256m -jar "$launcher_jar" "$@"
