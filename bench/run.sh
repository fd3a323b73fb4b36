#!/usr/bin/env bash
# Parley's benchmark, against a plain `ws` server and Socket.IO 4 (bench/peers): bench/run.sh [a|b|c|d|e|k|r|s ...]
#   a  one room of 1000, 10 senders, a ramp of delivery rates     b  1000 rooms of 10, one sender each, a ramp
#   c  15000 idle connections in rooms of 10: memory per connection
#   d  a cluster of 3 (Parley nodes; Socket.IO workers with the cluster adapter), one room of 999, 9 senders
#   e  scale-out (Parley only): 100,000 connections joined to one room over a cluster of six nodes, then one message to
#      all of them (time to the last member, memory and CPU per node); then one room of 6,000 at 30k deliveries/s on
#      clusters of 1, 3 and 6 nodes (delivery cost per node)
#   k  acknowledgement: 100 rooms of one sender each, a ramp of message rates (each message's only delivery is its
#      echo to its sender, so latency is the time to be stored and acknowledged)
#   r  rooms ever created: 20000 rooms with a message each, then the heap after a full GC (Parley alone, in one JVM)
#   s  a's room and ramp, its 1000 clients on Parley's SockJS event-bus bridge (/eventbus, SockJS's WebSocket
#      transport) instead of /ws (Parley targets only): run with a to compare
# Targets: parley (its default storage, SQLite in a fresh DATA_DIR), parley-memory (STORAGE=memory), parley-pg
# (PostgreSQL: a throw-away server of Debian's binaries, started by this script), parley-write-delay (the default
# storage with WRITE_DELAY_MS=$BENCH_WRITE_DELAY_MS, 2 unless set), socketio, ws.
# Each server runs pinned to core 0, the load generator (io.parley.bench.LoadGenerator) to core 1. Every result is
# a JSON line, printed and appended to target/bench/results.jsonl; bench/summarize.mjs tabulates them at the end.
# BENCH_QUICK=1: tiny sizes and 2 s steps, for a smoke run. BENCH_TARGETS="parley ws" picks the servers.
# PARLEY_JVM_OPTS and LOADGEN_JVM_OPTS override the JVM options below.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- scenario parameters --------------------------------------------------------------------------------------
DURATION_S=${DURATION_S:-10}  # measurement seconds per step
WARMUP_S=${WARMUP_S:-30}  # seconds of sending before the first step: the JIT compilers (JVM's, V8's) finish
# d's: three JVMs share one core at 30 messages a second, and their C2 compilers were still busy (19% of the core) 50 s
# into a 30 s warm-up; 120 s is past them. D_WARMUP_S=30 gives the figure of earlier runs.
D_WARMUP_S=${D_WARMUP_S:-120}
# seconds of sending at each later step's rate before its window: a new rate sets the JIT compiling again (C2 took 1.1 s
# of Parley's one core in the first 6 s of b's 50k step, the queue behind it p99 0.5-0.8 s); STEP_WARMUP_S=0, earlier runs
STEP_WARMUP_S=${STEP_WARMUP_S:-10}
TEXT_BYTES=100
A_CONNECTIONS=1000; A_ROOMS=1;    A_SENDERS=10;   A_RAMP=${A_RAMP:-20000,50000,100000,150000,200000,300000}
B_CONNECTIONS=10000; B_ROOMS=1000; B_SENDERS=1000; B_RAMP=${B_RAMP:-20000,50000,100000}
C_CONNECTIONS=15000; C_ROOMS=1500
D_CONNECTIONS=999;  D_ROOMS=1;    D_SENDERS=9;    D_RATE=30000; D_NODES=3
E_CONNECTIONS=100000; E_NODES=6; E_LOADGENS=6; E_CONCURRENT_JOINS=20
E_ROOM_SIZE=6000;   E_ROOM_SENDERS=6; E_ROOM_RATE=30000; E_ROOM_NODES=${E_ROOM_NODES:-"1 3 6"}
E_PARTS=${E_PARTS:-"one two"}  # e's parts to run: one (the 100,000), two (the fixed room on E_ROOM_NODES)
K_CONNECTIONS=100;  K_ROOMS=100;  K_SENDERS=100;  K_RAMP=1000,10000,20000,30000,40000
R_ROOMS=20000
S_CONNECTIONS=1000; S_ROOMS=1;    S_SENDERS=10;   S_RAMP=$A_RAMP
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  DURATION_S=2; WARMUP_S=1; D_WARMUP_S=1; STEP_WARMUP_S=0
  A_CONNECTIONS=100; A_SENDERS=4; A_RAMP=2000,10000
  B_CONNECTIONS=200; B_ROOMS=20; B_SENDERS=20; B_RAMP=2000,5000
  C_CONNECTIONS=300; C_ROOMS=30
  D_CONNECTIONS=30; D_SENDERS=3; D_RATE=3000
  E_CONNECTIONS=3000; E_NODES=3; E_LOADGENS=2; E_ROOM_SIZE=600; E_ROOM_SENDERS=3; E_ROOM_RATE=3000; E_ROOM_NODES="1 3"
  K_CONNECTIONS=10; K_ROOMS=10; K_SENDERS=10; K_RAMP=500,1000
  R_ROOMS=500
  S_CONNECTIONS=100; S_SENDERS=4; S_RAMP=2000,10000
fi
TARGETS=${BENCH_TARGETS:-parley socketio ws}
# A 16 MB young generation: a young pause is mostly the copying of what survives (b's stored history), so a
# small one pauses for 5 ms where 64 MB paused for 14-23 (docs/BENCHMARKS.md, "JVM options"). The native heap is
# trimmed every 5 s: what the C2 compilers freed goes back to the system instead of staying in RSS (each trim takes
# 1-3 ms of the server's one core, up to 14: each second was too often for a's tail).
PARLEY_JVM_OPTS=${PARLEY_JVM_OPTS:-"-XX:+UseSerialGC -Xms512m -Xmx512m -Xmn16m -XX:+AlwaysPreTouch -XX:TrimNativeHeapInterval=5000"}
LOADGEN_JVM_OPTS=${LOADGEN_JVM_OPTS:-"-XX:+UseSerialGC -Xms2g -Xmx2g -Xmn128m -XX:+AlwaysPreTouch"}
# e: six nodes and six client processes share the machine; heaps sized, not pre-touched, so that RSS means something
E_PARLEY_JVM_OPTS=${E_PARLEY_JVM_OPTS:-"-XX:+UseSerialGC -Xms1g -Xmx1g -Xmn128m"}
E_CLIENT_JVM_OPTS=${E_CLIENT_JVM_OPTS:-"-XX:+UseSerialGC -Xmx1g"}
E_MAX_OPEN_FILES=20000  # per process, nodes and client processes alike
SERVER_CPU=0
LOADGEN_CPU=1
# ----------------------------------------------------------------------------------------------------------------

OUT=target/bench
RESULTS=$OUT/results.jsonl
LOGS=$OUT/logs
RUN_ID=$(date +%Y%m%dT%H%M%S)
STARTED=()       # every process this script started, killed on exit
SERVER_PIDS=""   # the current target's processes, measured by the load generator
SERVERS=""       # the current target's host:port list

cleanup() {
  for pid in "${STARTED[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  stop_postgres
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[bench] $*" >&2; }

build() {
  if [ ! -f target/parley.jar ] || [ -n "$(find pom.xml src conf webroot -newer target/parley.jar -print -quit)" ]; then
    log "building (mvn package, tests compiled but not run)"
    mvn -q -B -DskipTests package
  fi
  if [ ! -f target/bench.classpath ] || [ pom.xml -nt target/bench.classpath ]; then
    mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
  fi
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
}

# A free port below the kernel's ephemeral range: a port the kernel handed out (listen on 0) and let go of may be
# the source port of the next outgoing connection (Hazelcast's members connect to each other as they start), and
# the node that was to bind it fails with "Address already in use" (it did, in e's cluster of six).
free_port() {
  node -e '
    const net = require("net");
    const low = 20000 + Math.floor(Math.random() * 10000);
    const attempt = (port) => {
      const s = net.createServer();
      s.once("error", () => attempt(port + 1));
      s.listen(port, "127.0.0.1", () => { console.log(port); s.close(); });
    };
    attempt(low);'
}

# Waits until "$2" succeeds, for at most $3 seconds, while process $1 lives.
wait_for() {
  local pid=$1 check=$2 seconds=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    if eval "$check"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { log "process $pid died (see $LOGS)"; return 1; }
    sleep 0.1
  done
  log "timed out waiting for: $check"
  return 1
}

# A throw-away PostgreSQL for the parley-pg target (and Parley's cluster): Debian's binaries, in target/bench/pg,
# on a free port; stopped on exit. As root, it runs as the postgres user, as PostgreSQL insists.
PG_PORT=""
pg_run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  [ -n "$PG_PORT" ] && return 0
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  [ -x "$bin/initdb" ] || { log "PostgreSQL's server is not installed (apt-get install postgresql)"; return 1; }
  PG_BIN=$bin; PG_DIR=$(mktemp -d /tmp/parley-bench-pg-XXXXXX); PG_PORT=$(free_port)
  echo bench > "$PG_DIR/pw"
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$PG_DIR"
  pg_run "$bin/initdb" -D "$PG_DIR/data" -U parley --pwfile="$PG_DIR/pw" --auth-local=trust --auth-host=scram-sha-256 \
    >"$LOGS/postgres-init.log" 2>&1 || { log "initdb failed (see $LOGS/postgres-init.log)"; return 1; }
  # its log in its own folder: the server runs as postgres, which may not write into the checkout
  pg_run "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null \
    || { log "PostgreSQL did not start (see $PG_DIR/server.log)"; return 1; }
  PG_STARTED=1
  log "PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DIR)"
}
stop_postgres() {
  if [ -n "${PG_STARTED:-}" ]; then pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true; fi
}
# fresh_database: a new database on it, as DATABASE_URL (called in a subshell: the name is random).
fresh_database() {
  local db="bench_${RUN_ID}_$RANDOM$RANDOM"
  PGPASSWORD=bench "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U parley "$db"
  echo "postgresql://parley:bench@127.0.0.1:$PG_PORT/$db"
}

# The storage of the current Parley target, as environment assignments.
STORAGE_ENV=()
storage_for() {
  case "$1" in
    parley-memory) STORAGE_ENV=(STORAGE=memory) ;;
    parley-write-delay) STORAGE_ENV=(DATA_DIR="$OUT/data/$RUN_ID-$1-$RANDOM" WRITE_DELAY_MS="${BENCH_WRITE_DELAY_MS:-2}") ;;
    parley-pg) start_postgres >&2 && STORAGE_ENV=(DATABASE_URL="$(fresh_database)") ;;
    *) STORAGE_ENV=(DATA_DIR="$OUT/data/$RUN_ID-$1-$RANDOM") ;;
  esac
}

# launch_parley NAME [VAR=value ...]: one node, pinned, on a free HTTP port; adds it to SERVERS and SERVER_PIDS.
launch_parley() {
  local name=$1; shift
  local port; port=$(free_port)
  env HTTP_PORT="$port" EVENT_LOOPS=1 MAX_CONNECTIONS_PER_IP=0 RATE_LIMIT_PER_S=1000000 RATE_LIMIT_BURST=1000000 ROOM_CREATE_PER_MIN=1000000 "$@" \
    ${NODE_LIMITS:-} taskset -c $SERVER_CPU java $PARLEY_JVM_OPTS -jar target/parley.jar > "$LOGS/$name.log" 2>&1 &
  STARTED+=($!)
  SERVERS=${SERVERS:+$SERVERS,}127.0.0.1:$port
  SERVER_PIDS=${SERVER_PIDS:+$SERVER_PIDS,}$!
}

# Waits until every launched node answers /health with 200.
wait_parley_healthy() {
  local servers=(${SERVERS//,/ }) pids=(${SERVER_PIDS//,/ }) i
  for ((i = 0; i < ${#pids[@]}; i++)); do
    wait_for "${pids[$i]}" "curl -fs -o /dev/null http://${servers[$i]}/health" 120 || return 1
  done
}

start_parley_cluster() {
  local nodes=$1 target=$2 hz=() members="" i
  # one database for the whole cluster: PostgreSQL, unless memory
  if [ "$target" = parley-memory ]; then STORAGE_ENV=(STORAGE=memory); else storage_for parley-pg || return 1; fi
  for ((i = 0; i < nodes; i++)); do
    hz+=("$(free_port)")
    members=${members:+$members,}127.0.0.1:${hz[$i]}
  done
  # Parley logs Hazelcast at WARN; this configuration adds Hazelcast's INFO membership lines ("Members {size:3")
  for ((i = 0; i < nodes; i++)); do
    PARLEY_JVM_OPTS="$PARLEY_JVM_OPTS -Dlogback.configurationFile=bench/logback-cluster.xml" \
      launch_parley "parley-node$i" CLUSTER_ENABLED=true HAZELCAST_PORT="${hz[$i]}" EVENTBUS_PORT="$(free_port)" \
      CLUSTER_MEMBERS="$members" "${STORAGE_ENV[@]}"
  done
  wait_parley_healthy || return 1
  # healthy is not yet clustered: wait until every node has seen all the members
  local pids=(${SERVER_PIDS//,/ })
  for ((i = 0; i < nodes; i++)); do
    wait_for "${pids[$i]}" "grep -q 'Members {size:$nodes' '$LOGS/parley-node$i.log'" 120 || return 1
  done
}

# start_node NAME SCRIPT ARGS...: a Node peer, pinned; waits for its "listening <port>" line.
start_node() {
  local name=$1 script=$2; shift 2
  # Emptied first: the redirection below happens in the background job, maybe after the first check, which would
  # then find the last scenario's "listening" line, and read the port from the file once it is truncated (b once
  # got '127.0.0.1:').
  : > "$LOGS/$name.log"
  taskset -c $SERVER_CPU node "bench/peers/$script" "$@" > "$LOGS/$name.log" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  wait_for "$pid" "grep -Eq '^listening [0-9]+$' '$LOGS/$name.log'" 60 || return 1
  SERVERS=127.0.0.1:$(sed -n 's/^listening //p' "$LOGS/$name.log")
  # the cluster variant names its primary and workers
  SERVER_PIDS=$(sed -n 's/^pids //p' "$LOGS/$name.log")
  SERVER_PIDS=${SERVER_PIDS:-$pid}
  STARTED+=(${SERVER_PIDS//,/ })
}

stop_servers() {
  local pids=${SERVER_PIDS//,/ } i
  kill $pids 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 $pids 2>/dev/null || break
    sleep 0.1
  done
  kill -9 $pids 2>/dev/null || true
  SERVERS=""; SERVER_PIDS=""
}

# loadgen SCENARIO TARGET ARGS...: runs the load generator, pinned, against SERVERS; prints and keeps its lines.
loadgen() {
  local scenario=$1 target=$2; shift 2
  local rc=0
  log "scenario $scenario, $target: $*"
  taskset -c $LOADGEN_CPU java $LOADGEN_JVM_OPTS -Dlogback.configurationFile=bench/logback-loadgen.xml \
    -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.parley.bench.LoadGenerator \
    --target "${target%%-*}" --servers "$SERVERS" --server-pids "$SERVER_PIDS" --label "$RUN_ID" --scenario "$scenario" \
    --text-bytes "$TEXT_BYTES" "$@" 2> >(tee "$LOGS/$scenario-$target-loadgen.log" >&2) \
    | sed "s/\"target\":\"${target%%-*}\"/\"target\":\"$target\"/" | tee -a "$RESULTS" || rc=$?
  if [ "$rc" -ne 0 ]; then
    failed "$scenario" "$target" "load generator exited $rc (see $LOGS/$scenario-$target-loadgen.log)"
  fi
}

failed() {
  echo "{\"label\":\"$RUN_ID\",\"scenario\":\"$1\",\"target\":\"$2\",\"failed\":\"$3\"}" | tee -a "$RESULTS"
}

# start TARGET SCENARIO: the target's server(s) for the scenario.
start() {
  local target=$1 scenario=$2
  case "$target/$scenario" in
    parley*/d) start_parley_cluster "$D_NODES" "$target" ;;
    parley*/*) storage_for "$target" && launch_parley "$target" "${STORAGE_ENV[@]}" && wait_parley_healthy ;;
    socketio/d) start_node socketio socketio-cluster.mjs "$D_NODES" 0 ;;
    socketio/*) start_node socketio socketio-server.mjs 0 ;;
    ws/*) start_node ws ws-server.mjs 0 ;;
  esac
}

# Scenario e (ScaleOut): part one, E_CONNECTIONS in one room over E_NODES nodes, from E_LOADGENS client processes
# (each from its own source address, 127.0.0.10 on); part two, a room of E_ROOM_SIZE at E_ROOM_RATE on clusters of
# each of E_ROOM_NODES. Nodes and clients run unpinned (six JVMs on one core join too slowly to measure anything
# else), each process with at most E_MAX_OPEN_FILES open files.
scale_out() {
  local target=$1
  if [[ " $E_PARTS " == *" one "* ]]; then scale_out_part_one "$target"; fi
  if [[ " $E_PARTS " == *" two "* ]]; then scale_out_part_two "$target"; fi
}

# e, part one: E_CONNECTIONS over E_NODES nodes from E_LOADGENS client processes (io.parley.bench.ScaleOut).
scale_out_part_one() {
  local target=$1 dir="$OUT/e-$RUN_ID" per i pids=()
  local cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
  mkdir -p "$dir"
  per=$(( (E_CONNECTIONS + E_LOADGENS - 1) / E_LOADGENS ))
  log "scenario e, $target: $E_CONNECTIONS connections over $E_NODES nodes, $E_LOADGENS client processes of $per"
  if ! SERVER_CPU=0-1 NODE_LIMITS="prlimit --nofile=$E_MAX_OPEN_FILES:$E_MAX_OPEN_FILES" \
      PARLEY_JVM_OPTS="$E_PARLEY_JVM_OPTS" start_parley_cluster "$E_NODES" parley-memory; then
    failed e "$target" "the cluster did not start (see $LOGS)"; stop_servers; return
  fi
  for ((i = 0; i < E_LOADGENS; i++)); do
    local count=$(( i == E_LOADGENS - 1 ? E_CONNECTIONS - i * per : per ))
    prlimit --nofile=$E_MAX_OPEN_FILES:$E_MAX_OPEN_FILES java $E_CLIENT_JVM_OPTS \
      -Dlogback.configurationFile=bench/logback-loadgen.xml -cp "$cp" io.parley.bench.ScaleOut clients \
      --servers "$SERVERS" --first $((i * per)) --count "$count" --local-address "127.0.0.$((10 + i))" \
      --concurrent-joins "$E_CONCURRENT_JOINS" --dir "$dir" --id "$i" > "$LOGS/e-clients$i.log" 2>&1 &
    pids+=($!); STARTED+=($!)
  done
  java -Dlogback.configurationFile=bench/logback-loadgen.xml -cp "$cp" io.parley.bench.ScaleOut coordinate \
    --dir "$dir" --processes "$E_LOADGENS" --server-pids "$SERVER_PIDS" --label "$RUN_ID" --target "$target" \
    > "$dir/result.json" 2> "$LOGS/e-coordinator.log" &
  local coordinator=$!; STARTED+=($coordinator)
  # the coordinator ends with the run; a client process that dies ends it
  local alive=("${pids[@]}") still
  while kill -0 "$coordinator" 2>/dev/null; do
    still=()
    for i in "${alive[@]}"; do
      if kill -0 "$i" 2>/dev/null; then
        still+=("$i")
      elif ! wait "$i"; then
        log "a client process failed (see $LOGS/e-clients*.log)"; kill "$coordinator" 2>/dev/null || true
      fi
    done
    alive=("${still[@]}")
    sleep 1
  done
  if wait "$coordinator" && [ -s "$dir/result.json" ]; then
    sed "s/\"target\":\"parley\"/\"target\":\"$target\"/" "$dir/result.json" | tee -a "$RESULTS"
  else
    failed e "$target" "part one did not finish (see $LOGS/e-coordinator.log, $LOGS/e-clients*.log)"
  fi
  kill "${pids[@]}" 2>/dev/null || true
  stop_servers
}

# e, part two: a fixed room, the same load, on clusters of each size in E_ROOM_NODES.
scale_out_part_two() {
  local target=$1 nodes
  for nodes in $E_ROOM_NODES; do
    if ! PARLEY_JVM_OPTS="$E_PARLEY_JVM_OPTS" start_parley_cluster "$nodes" parley-memory; then
      failed "e-room-n$nodes" "$target" "the cluster did not start (see $LOGS)"; stop_servers; continue
    fi
    loadgen "e-room-n$nodes" "$target" --connections "$E_ROOM_SIZE" --rooms 1 --senders "$E_ROOM_SENDERS" \
      --rate "$E_ROOM_RATE" --duration "$DURATION_S" --warmup "$WARMUP_S"
    stop_servers
  done
}

# Scenario r: not a load against a server but a program that is the server and its clients (RoomsEverCreated).
rooms_ever_created() {
  log "scenario r: $R_ROOMS rooms with a message each"
  java $PARLEY_JVM_OPTS -Dlogback.configurationFile=bench/logback-loadgen.xml \
    -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.parley.bench.RoomsEverCreated "$R_ROOMS" \
    2> "$LOGS/r.log" | grep '^{' | sed "s/^{/{\"label\":\"$RUN_ID\",\"target\":\"parley\",/" | tee -a "$RESULTS" \
    || failed r parley "see $LOGS/r.log"
}

run_scenario() {
  local scenario=$1 target
  if [ "$scenario" = r ]; then rooms_ever_created; return; fi
  for target in $TARGETS; do
    if [ "$scenario" = k ] && [ "${target#parley}" = "$target" ]; then
      echo "{\"label\":\"$RUN_ID\",\"target\":\"$target\",\"scenario\":\"k\",\"skipped\":\"stores nothing: k measures storage\"}" | tee -a "$RESULTS"
      continue
    fi
    if [ "$scenario" = e ]; then
      if [ "${target#parley}" = "$target" ]; then
        echo "{\"label\":\"$RUN_ID\",\"target\":\"$target\",\"scenario\":\"e\",\"skipped\":\"e is Parley's cluster\"}" | tee -a "$RESULTS"
      else
        scale_out "$target"
      fi
      continue
    fi
    if [ "$scenario" = s ] && [ "${target#parley}" = "$target" ]; then
      echo "{\"label\":\"$RUN_ID\",\"target\":\"$target\",\"scenario\":\"s\",\"skipped\":\"s is Parley's bridge\"}" | tee -a "$RESULTS"
      continue
    fi
    if [ "$scenario" = d ] && [ "$target" = ws ]; then
      echo "{\"label\":\"$RUN_ID\",\"target\":\"ws\",\"scenario\":\"d\",\"skipped\":\"ws has no cluster mode\"}" | tee -a "$RESULTS"
      continue
    fi
    if ! start "$target" "$scenario"; then
      failed "$scenario" "$target" "server did not start (see $LOGS)"
      stop_servers
      continue
    fi
    local ramp_timing="--duration $DURATION_S --warmup $WARMUP_S --step-warmup $STEP_WARMUP_S"  # a ramp's steps
    case "$scenario" in
      a) loadgen a "$target" --connections $A_CONNECTIONS --rooms $A_ROOMS --senders $A_SENDERS --ramp $A_RAMP \
           $ramp_timing ;;
      b) loadgen b "$target" --connections $B_CONNECTIONS --rooms $B_ROOMS --senders $B_SENDERS --ramp $B_RAMP \
           $ramp_timing ;;
      c) loadgen c "$target" --connections $C_CONNECTIONS --rooms $C_ROOMS --idle ;;
      d) loadgen d "$target" --connections $D_CONNECTIONS --rooms $D_ROOMS --senders $D_SENDERS --rate $D_RATE \
           --duration $DURATION_S --warmup $D_WARMUP_S ;;
      s) loadgen s "$target" --transport bridge --connections $S_CONNECTIONS --rooms $S_ROOMS --senders $S_SENDERS \
           --ramp $S_RAMP $ramp_timing ;;
      k) loadgen k "$target" --connections $K_CONNECTIONS --rooms $K_ROOMS --senders $K_SENDERS --ramp $K_RAMP \
           $ramp_timing ;;
    esac
    stop_servers
  done
}

main() {
  local scenarios=("$@") scenario
  [ ${#scenarios[@]} -gt 0 ] || scenarios=(a b c d e k r s)
  for scenario in "${scenarios[@]}"; do
    case "$scenario" in a | b | c | d | e | k | r | s) ;; *) echo "usage: bench/run.sh [a|b|c|d|e|k|r|s ...]" >&2; exit 2 ;; esac
  done
  mkdir -p "$LOGS"
  build >&2  # stdout is for result lines
  # 15000 connections need as many descriptors, in the load generator and in the server
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  log "run $RUN_ID: scenarios ${scenarios[*]}, targets $TARGETS, open files $(ulimit -n)"
  for scenario in "${scenarios[@]}"; do
    run_scenario "$scenario"
  done
  node bench/summarize.mjs "$RESULTS"
}

main "$@"
