#!/usr/bin/env bash
# Benchmarks the switch on this machine, side by side with one load generator, and writes one report.
#
#   bench/run.sh                              # every scenario, then the memory test
#   SCENARIOS="echo pg1" MEMORY_TERMINALS=0 bench/run.sh
#   SCENARIOS="" bench/run.sh                 # the memory test only
#
# Scenarios (in this order; each starts its processes, measures, and stops them):
#   echo  the minimal echo server answering the same frames: the network/codec ceiling of this machine
#   h2    one switch node, H2 journal (the single-node default), card-bus simulator in its own process
#   pg1   one switch node, PostgreSQL journal (embedded PostgreSQL with fsync on), simulator process
#   pg3   three switch nodes (cluster mode) on one PostgreSQL, the load spread over the three
# For each: a closed-loop sweep over CONCURRENCY (saturation = the highest approved sales/s), then open
# loops at 50% and 80% of that rate for latency, and (switch scenarios) at the fixed TARGET_RATES. Then the memory test: MEMORY_TERMINALS signed-on idle
# terminal entities on one node (H2), heap after a full GC before and after.
#
# Environment: DURATION (30s) and WARMUP (10s) per run, TERMINALS (1000), CONCURRENCY ("32 64 128 256"),
# TARGET_RATES ("800 1000"),
# MEMORY_TERMINALS (100000; 0 = skip), OUT (bench/results/<UTC time>), BUILD=yes to rebuild the jars (they
# are rebuilt anyway when missing or older than the sources).
# Needs only a JDK 17+. Everything listens on 127.0.0.1, on ports below the kernel's ephemeral range
# (2001-7308, 12432-15080, 22521-23523; the local cluster's port plan moved by --base-port 2000 / 3000).
# Results: $OUT/report.md (the table), $OUT/summary.json, one JSON report and log per run, machine.txt.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
# the nodes: the demo assembly (the node and the card-bus simulator, for the memory test's in-process one)
jar=demo/target/posp-demo.jar
# the load generator, the echo server, the benchmark report and the card-bus simulator
tools=tools/target/posp-tools.jar
launcher=cluster-config/target/posp-local-cluster.jar
stale=no
if [ ! -f "$jar" ] || [ ! -f "$tools" ] || [ ! -f "$launcher" ]; then
  stale=yes
elif [ -n "$(find pom.xml ./*/pom.xml ./*/src/main -newer "$jar" -type f 2>/dev/null | head -n 1)" ] \
    || [ -n "$(find pom.xml ./*/pom.xml ./*/src/main -newer "$tools" -type f 2>/dev/null | head -n 1)" ] \
    || [ -n "$(find cluster-config/src/main -newer "$launcher" -type f 2>/dev/null | head -n 1)" ]; then
  stale=yes
fi
if [ "${BUILD:-no}" = yes ] || [ "$stale" = yes ]; then
  echo "bench: building the node, the simulators, the tools and the launcher (./mvnw -q -DskipTests package)"
  ./mvnw -q -DskipTests -pl demo,tools,cluster-config -am package
fi

SCENARIOS=${SCENARIOS-"echo h2 pg1 pg3"}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-10s}
TERMINALS=${TERMINALS:-1000}
CONCURRENCY=${CONCURRENCY:-"32 64 128 256"}
MEMORY_TERMINALS=${MEMORY_TERMINALS:-100000}
TARGET_RATES=${TARGET_RATES:-"800 1000"}
out=${OUT:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
DEMO_ZPK=1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A
TOKEN=demo-admin-token

{
  echo "date: $(date -u)"
  echo "kernel: $(uname -srm)"
  echo "cpus: $(nproc)"
  grep -m1 "model name" /proc/cpuinfo 2>/dev/null || true
  free -m | sed -n 2p | awk '{print "memory MiB: " $2}'
  "$java" -version 2>&1 | head -1
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "settings: DURATION=$DURATION WARMUP=$WARMUP TERMINALS=$TERMINALS CONCURRENCY=$CONCURRENCY"
} > "$out/machine.txt"
cat "$out/machine.txt"

pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  pids=()
}
trap cleanup EXIT INT TERM

# waits (bounded) until $2 appears in file $1
await_line() {
  local file=$1 text=$2 limit=${3:-300}
  for _ in $(seq 1 "$limit"); do
    if grep -q "$text" "$file" 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "bench: '$text' did not appear in $file within ${limit}s" >&2
  tail -20 "$file" >&2
  return 1
}

gen() { "$java" -Xmx2g -cp "$tools" org.posp.sim.load.LoadGenerator "$@"; }

# sweep DIR NODES [extra generator options]: closed-loop ladder, then open loop at 50% and 80%
sweep() {
  local dir=$1 nodes=$2
  shift 2
  for c in $CONCURRENCY; do
    gen --nodes "$nodes" --terminals "$TERMINALS" --concurrency "$c" --duration "$DURATION" --warmup "$WARMUP" \
      --mix sale=100 --progress 10s --report "$dir/closed-$c.json" "$@" > "$dir/closed-$c.log" 2>&1
    echo "  closed c=$c: $(grep -m1 '^throughput' "$dir/closed-$c.log")"
  done
  local sat
  sat=$("$java" -cp "$tools" org.posp.sim.load.BenchReport --saturation "$dir")
  for pct in 50 80; do
    local rate
    rate=$(awk -v s="$sat" -v p="$pct" 'BEGIN { r = int(s * p / 100); if (r < 1) r = 1; print r }')
    gen --nodes "$nodes" --terminals "$TERMINALS" --rate "$rate" --max-concurrency 512 --duration "$DURATION" \
      --warmup "$WARMUP" --mix sale=100 --progress 10s --report "$dir/open-$pct.json" "$@" > "$dir/open-$pct.log" 2>&1
    echo "  open $pct% ($rate/s): $(grep -m1 '^throughput' "$dir/open-$pct.log"); $(grep -m1 '^sale ' "$dir/open-$pct.log")"
  done
  # the targets' fixed rates (1,000 approved sales/s, latency at 80% of it), for the switch scenarios
  if [ "${dir##*/}" != 1-echo ]; then
    for rate in $TARGET_RATES; do
      gen --nodes "$nodes" --terminals "$TERMINALS" --rate "$rate" --max-concurrency 512 --duration "$DURATION" \
        --warmup "$WARMUP" --mix sale=100 --progress 10s --report "$dir/rate-$rate.json" "$@" > "$dir/rate-$rate.log" 2>&1
      echo "  open $rate/s: $(grep -m1 '^throughput' "$dir/rate-$rate.log"); $(grep -m1 '^sale ' "$dir/rate-$rate.log")"
    done
  fi
}

start_simulator() {
  local log=$1 port=$2
  "$java" -Xmx3g -cp "$tools" org.posp.sim.cardbus.CardBusHost --bind 127.0.0.1 --port "$port" --http-port -1 \
    --zpk "$DEMO_ZPK" --balance-fen 100000000000 > "$log" 2>&1 &
  pids+=($!)
  await_line "$log" "CARD-BUS-HOST READY" 60
}

scenario_echo() {
  local dir=$out/1-echo
  mkdir -p "$dir"
  "$java" -Xmx1g -cp "$tools" org.posp.sim.load.EchoServer --host 127.0.0.1 --port 7101 > "$dir/echo-server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/7101) 2>/dev/null && break; sleep 1; done
  echo "echo server: no persistence, no upstream; settlement is not part of it (--no-settle)" > "$dir/notes.txt"
  sweep "$dir" 127.0.0.1:7101 --no-settle
  cleanup
}

scenario_h2() {
  local dir=$out/2-h2
  mkdir -p "$dir"
  start_simulator "$dir/card-bus.log" 7200
  POSP_DEMO=on POSP_DATA_DIR="$dir/data" POSP_LOG_LEVEL=WARN POSP_TERMINAL_HOST=127.0.0.1 POSP_TERMINAL_PORT=7201 \
    POSP_TERMINAL_TLS_PORT=7202 POSP_HTTP_HOST=127.0.0.1 POSP_HTTP_PORT=7203 POSP_MANAGEMENT_HOST=127.0.0.1 \
    POSP_MANAGEMENT_PORT=7204 POSP_REMOTE_PORT=7205 POSP_METRICS_HOST=127.0.0.1 POSP_METRICS_PORT=7206 \
    "$java" -Xmx1g \
    -Dposp.demo-data.card-bus-simulator=off \
    -Dposp.card-bus.endpoints.cups.addresses.0=127.0.0.1:7200 \
    -Dposp.card-bus.endpoints.cups.zpk.clear="$DEMO_ZPK" \
    -Dposp.card-bus.routes.default=cups \
    -jar "$jar" > "$dir/node.log" 2>&1 &
  pids+=($!)
  await_line "$dir/node.log" "POSP-NODE READY" 180
  gen --nodes 127.0.0.1:7201 --terminals "$TERMINALS" --provision http://127.0.0.1:7203 --admin-token "$TOKEN" \
    --sign-on-only > "$dir/provision.log" 2>&1
  echo "one node, H2 file journal, -Xmx1g" > "$dir/notes.txt"
  sweep "$dir" 127.0.0.1:7201
  cleanup
}

# scenario_pg N DIR BASE: the local cluster launcher (embedded PostgreSQL, simulator, N nodes)
scenario_pg() {
  local n=$1 dir=$2 base=$3
  mkdir -p "$dir"
  "$java" -Xmx256m -jar "$launcher" --nodes "$n" --data-dir "$dir/cluster" --base-port "$base" --heap 1g \
    --simulator-heap 3g > "$dir/cluster.log" 2>&1 &
  pids+=($!)
  await_line "$dir/cluster.log" "cluster is up" 400
  local nodes="" http
  for i in $(seq 1 "$n"); do nodes="$nodes${nodes:+,}127.0.0.1:$((base + i))"; done
  http=$(awk '$1 == "node" && $2 == "1" { print $6 }' "$dir/cluster.log")
  gen --nodes "$nodes" --terminals "$TERMINALS" --provision "http://127.0.0.1:$http" --admin-token "$TOKEN" \
    --sign-on-only > "$dir/provision.log" 2>&1
  echo "$n node(s), PostgreSQL journal (embedded, fsync on), -Xmx1g per node" > "$dir/notes.txt"
  sweep "$dir" "$nodes"
  cleanup
}

# The memory test: MEMORY_TERMINALS terminals provisioned and signed on, then idle, on one node (H2).
memory_test() {
  local dir=$out/memory n=$MEMORY_TERMINALS
  mkdir -p "$dir"
  POSP_DEMO=on POSP_DATA_DIR="$dir/data" POSP_LOG_LEVEL=WARN POSP_TERMINAL_HOST=127.0.0.1 POSP_TERMINAL_PORT=7301 \
    POSP_TERMINAL_TLS_PORT=7302 POSP_HTTP_HOST=127.0.0.1 POSP_HTTP_PORT=7303 POSP_MANAGEMENT_HOST=127.0.0.1 \
    POSP_MANAGEMENT_PORT=7304 POSP_REMOTE_PORT=7305 POSP_METRICS_HOST=127.0.0.1 POSP_METRICS_PORT=7306 \
    POSP_DEMO_CARD_BUS_PORT=7307 POSP_DEMO_CARD_BUS_HTTP_PORT=7308 \
    "$java" -Xmx3g -Dposp.terminal.idle-passivation=6h -jar "$jar" > "$dir/node.log" 2>&1 &
  local node=$!
  pids+=($node)
  await_line "$dir/node.log" "POSP-NODE READY" 180
  sleep 5
  jcmd "$node" GC.run > /dev/null
  sleep 2
  jcmd "$node" GC.heap_info > "$dir/heap-before.txt"
  local t0=$SECONDS
  gen --nodes 127.0.0.1:7301 --first-tid 20000001 --terminals "$n" --provision http://127.0.0.1:7303 \
    --admin-token "$TOKEN" --provision-parallelism 64 --sign-on-parallelism 64 --sign-on-only \
    --report "$dir/sign-on.json" > "$dir/sign-on.log" 2>&1
  echo "  $n terminals provisioned and signed on in $((SECONDS - t0)) s"
  sleep 10
  jcmd "$node" GC.run > /dev/null
  sleep 2
  jcmd "$node" GC.heap_info > "$dir/heap-after.txt"
  jcmd "$node" GC.class_histogram > "$dir/class-histogram.txt"
  local hosted
  hosted=$(curl -s "http://127.0.0.1:7306/metrics" | awk -F'[ {}]' '/^pekko_cluster_sharding_region_hosted_entities_sum\{.*Terminal/ { s = $NF } END { print s }' || true)
  local before after
  before=$(awk '/ used /{for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub("K,?", "", v); print v; exit }}' "$dir/heap-before.txt")
  after=$(awk '/ used /{for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub("K,?", "", v); print v; exit }}' "$dir/heap-after.txt")
  {
    echo "terminals: $(grep -m1 '^sign-on: .* approved' "$dir/sign-on.log" || echo '?')"
    echo "heap used after full GC: before ${before} KiB, after ${after} KiB"
    awk -v b="$before" -v a="$after" -v n="$n" 'BEGIN { printf "per signed-on idle terminal entity: %.0f bytes (%.2f KB)\n", (a - b) * 1024 / n, (a - b) * 1024 / n / 1000 }'
    echo "top classes (jcmd GC.class_histogram):"
    sed -n 1,25p "$dir/class-histogram.txt"
  } > "$dir/memory.txt"
  cat "$dir/memory.txt" | head -4
  cleanup
}

for s in $SCENARIOS; do
  echo "== scenario $s"
  case "$s" in
    echo) scenario_echo ;;
    h2) scenario_h2 ;;
    pg1) scenario_pg 1 "$out/3-pg1" 2000 ;;
    pg3) scenario_pg 3 "$out/4-pg3" 3000 ;;
    *) echo "bench: unknown scenario $s (echo, h2, pg1, pg3)" >&2; exit 2 ;;
  esac
done
if [ -n "$(echo $SCENARIOS)" ]; then
  "$java" -cp "$tools" org.posp.sim.load.BenchReport "$out" > /dev/null
else
  echo "# Benchmark ${out##*/} (memory test only)" > "$out/report.md"
fi
if [ "$MEMORY_TERMINALS" -gt 0 ]; then
  echo "== memory test ($MEMORY_TERMINALS terminals)"
  memory_test
  { echo; echo "## Memory"; echo; echo '```'; cat "$out/memory/memory.txt"; echo '```'; } >> "$out/report.md"
fi
echo "== report: $out/report.md"
cat "$out/report.md"
