#!/usr/bin/env bash
# Throughput of a 3-node Redraft cluster next to durable redis-server, in one
# run on one machine.
#
# Starts, on free loopback ports and in a fresh temporary directory:
#   - redis-server with appendonly yes, appendfsync always   ("redis always")
#   - redis-server with appendonly yes, appendfsync everysec ("redis everysec")
#   - a fresh 3-node Redraft cluster (--bootstrap-expect 3)
# then measures, for each pipeline depth:
#   - after setting every key of -r 100000 on each server (loadgen -fill),
#     redis-benchmark -c $BENCH_CLIENTS -n $BENCH_N -r 100000 -t $BENCH_TESTS
#     against redis always, redis everysec, the Redraft leader and a Redraft
#     follower (its writes are forwarded to the leader, its GETs are
#     linearizable reads);
#   - bench/loadgen (Go, go-redis) GET with the same -c/-n/-r/-P against the
#     same four targets and against the follower on connections that sent
#     READONLY first (local reads). redis-benchmark cannot send READONLY, so
#     the READONLY row is only comparable with the other loadgen rows.
# and prints a markdown table with the ratios to redis always and redis
# everysec measured by the same client. Everything it starts is stopped on
# exit and its directory removed.
#
# Environment:
#   BENCH_N                 requests per test (default 50000)
#   BENCH_CLIENTS           parallel connections (default 50)
#   BENCH_TESTS             redis-benchmark -t list (default set,get,lpush,rpop)
#   BENCH_GO_TESTS          loadgen -t list (default get; set also works)
#   BENCH_PIPELINES         pipeline depths (default "1 16")
#   BENCH_TIMEOUT           seconds allowed for one benchmark run (default 120)
#   BENCH_ELECTION_TIMEOUT  --election-timeout of the Redraft nodes (default: theirs, 1s)
#   BENCH_DIR               parent of the temporary directory (default $TMPDIR or /tmp);
#                           it must be on a real disk for the fsync figures to mean anything
#   REDRAFT_BIN             use this redraft binary instead of building one
#   LOADGEN_BIN             use this loadgen binary instead of building one
set -euo pipefail

cd "$(dirname "$0")/.."
N="${BENCH_N:-50000}"
CLIENTS="${BENCH_CLIENTS:-50}"
TESTS="${BENCH_TESTS:-set,get,lpush,rpop}"
GO_TESTS="${BENCH_GO_TESTS:-get}"
PIPELINES="${BENCH_PIPELINES:-1 16}"
RUN_TIMEOUT="${BENCH_TIMEOUT:-120}"
[ "$RUN_TIMEOUT" -ge 2 ] || { echo "bench: BENCH_TIMEOUT must be at least 2 (seconds)" >&2; exit 1; }
ELECTION_TIMEOUT="${BENCH_ELECTION_TIMEOUT:-}"

for tool in redis-server redis-cli redis-benchmark go python3 timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "bench: $tool is required (redis-server/redis-tools from apt)" >&2
		exit 1
	fi
done

WORK="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/redraft-cluster-bench.XXXXXX")"
PIDS=()
CURRENT="" # the benchmark client running now
cleanup() {
	local status=$?
	trap - EXIT INT TERM
	if [ -n "$CURRENT" ]; then
		kill -TERM "$CURRENT" 2>/dev/null || true
		wait "$CURRENT" 2>/dev/null || true
	fi
	if [ ${#PIDS[@]} -gt 0 ]; then
		kill -TERM "${PIDS[@]}" 2>/dev/null || true
		# A node that does not finish its shutdown within 15s is killed.
		(sleep 15 && kill -KILL "${PIDS[@]}" 2>/dev/null) &
		local watchdog=$!
		for pid in "${PIDS[@]}"; do
			wait "$pid" 2>/dev/null || true
		done
		kill "$watchdog" 2>/dev/null || true
		wait "$watchdog" 2>/dev/null || true
	fi
	rm -rf "$WORK"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cli() { # port args...
	local port=$1
	shift
	timeout 5 redis-cli -h 127.0.0.1 -p "$port" "$@" 2>/dev/null || true
}

# client CMD...: runs a benchmark client bounded by timeout, its stdout to
# $WORK/client.out; in the background so that a signal stops it at once.
client() {
	timeout "$RUN_TIMEOUT" "$@" >"$WORK/client.out" &
	CURRENT=$!
	local rc=0
	wait "$CURRENT" || rc=$?
	CURRENT=""
	return "$rc"
}

wait_pong() { # port name logfile
	local deadline=$((SECONDS + 30))
	while [ "$(cli "$1" ping)" != "PONG" ]; do
		if [ $SECONDS -ge $deadline ]; then
			echo "bench: $2 did not answer PING within 30s; its log:" >&2
			tail -50 "$3" >&2
			exit 1
		fi
		sleep 0.1
	done
}

if [ -n "${REDRAFT_BIN:-}" ]; then
	BIN="$REDRAFT_BIN"
else
	BIN="$WORK/redraft"
	echo "building redraft..." >&2
	go build -o "$BIN" ./cmd/redraft
fi
if [ -n "${LOADGEN_BIN:-}" ]; then
	LOADGEN="$LOADGEN_BIN"
else
	LOADGEN="$WORK/loadgen"
	echo "building bench/loadgen..." >&2
	go build -o "$LOADGEN" ./bench/loadgen
fi

declare -A PORT
for mode in always everysec; do
	port="$(free_port)"
	mkdir -p "$WORK/redis-$mode"
	redis-server --port "$port" --bind 127.0.0.1 --save '' \
		--appendonly yes --appendfsync "$mode" \
		--dir "$WORK/redis-$mode" --logfile "$WORK/redis-$mode.log" &
	PIDS+=($!)
	PORT["redis-$mode"]=$port
	wait_pong "$port" "redis-server ($mode)" "$WORK/redis-$mode.log"
	got="$(cli "$port" config get appendfsync | tail -1)"
	if [ "$got" != "$mode" ]; then
		echo "bench: redis-server ($mode) reports appendfsync '$got'" >&2
		exit 1
	fi
done

# Three fresh Redraft nodes, each listing all three Raft addresses.
declare -A NODE_PORT
RAFT_ADDRS=()
for i in 1 2 3; do
	NODE_PORT[n$i]="$(free_port)"
	RAFT_ADDRS+=("127.0.0.1:$(free_port)")
done
JOIN="$(IFS=,; echo "${RAFT_ADDRS[*]}")"
extra=()
[ -n "$ELECTION_TIMEOUT" ] && extra+=(--election-timeout "$ELECTION_TIMEOUT")
for i in 1 2 3; do
	"$BIN" server --id "n$i" --listen "127.0.0.1:${NODE_PORT[n$i]}" --raft-listen "${RAFT_ADDRS[$((i - 1))]}" \
		--data-dir "$WORK/n$i" --join "$JOIN" --bootstrap-expect 3 "${extra[@]}" \
		>"$WORK/n$i.log" 2>&1 &
	PIDS+=($!)
done
for i in 1 2 3; do
	wait_pong "${NODE_PORT[n$i]}" "redraft n$i" "$WORK/n$i.log"
done

# leader: the ID every node reports, once they agree.
leader() {
	local ids
	ids="$(for i in 1 2 3; do cli "${NODE_PORT[n$i]}" raft leader; echo; done | sort -u | grep -v '^$' || true)"
	if [ "$(wc -l <<<"$ids")" = 1 ] && [ -n "${NODE_PORT[$ids]:-}" ]; then
		echo "$ids"
	fi
}
deadline=$((SECONDS + 60))
LEADER=""
while [ -z "$LEADER" ]; do
	if [ $SECONDS -ge $deadline ]; then
		echo "bench: the cluster elected no leader within 60s; logs:" >&2
		tail -20 "$WORK"/n?.log >&2
		exit 1
	fi
	sleep 0.2
	LEADER="$(leader)"
done
FOLLOWER=""
for i in 1 2 3; do
	[ "n$i" != "$LEADER" ] && [ -z "$FOLLOWER" ] && FOLLOWER="n$i"
done
PORT[leader]=${NODE_PORT[$LEADER]}
PORT[follower]=${NODE_PORT[$FOLLOWER]}
PORT[follower-readonly]=${NODE_PORT[$FOLLOWER]}
# A write through the follower proves forwarding works before measuring.
if [ "$(cli "${PORT[follower]}" set bench:probe 1)" != "OK" ]; then
	echo "bench: SET through follower $FOLLOWER failed; logs:" >&2
	tail -20 "$WORK"/n?.log >&2
	exit 1
fi
echo "cluster up: leader $LEADER (port ${PORT[leader]}), follower $FOLLOWER (port ${PORT[follower]})" >&2

# Every key redis-benchmark -r 100000 and loadgen draw (key:000000000000 ...
# key:000000099999) is set first, so GETs find a 3-byte value everywhere.
for target in redis-always redis-everysec leader; do
	client "$LOADGEN" -addr "127.0.0.1:${PORT[$target]}" -c "$CLIENTS" -P 16 -r 100000 -fill \
		-timeout "$((RUN_TIMEOUT - 1))s" || { echo "bench: filling $target failed" >&2; exit 1; }
done
# A linearizable read on the follower returns once it has applied the fill.
if [ "$(cli "${PORT[follower]}" get key:000000099999)" != "xxx" ]; then
	echo "bench: follower $FOLLOWER does not see the filled keys" >&2
	exit 1
fi

CHANGED=() # rows during which the leader changed
check_leader() { # label
	local now
	now="$(leader)"
	if [ "$now" != "$LEADER" ]; then
		echo "bench: WARNING leader changed from $LEADER to '${now:-none}' during $1" >&2
		CHANGED+=("$1")
		if [ -n "$now" ]; then
			LEADER=$now
			FOLLOWER=""
			for i in 1 2 3; do
				[ "n$i" != "$LEADER" ] && [ -z "$FOLLOWER" ] && FOLLOWER="n$i"
			done
			PORT[leader]=${NODE_PORT[$LEADER]}
			PORT[follower]=${NODE_PORT[$FOLLOWER]}
			PORT[follower-readonly]=${NODE_PORT[$FOLLOWER]}
		fi
	fi
}

csv_rows() { # -> lines "TEST rps"
	awk -F'","' 'NR > 1 { gsub(/"/, "", $1); gsub(/"/, "", $2); print $1, $2 }'
}

declare -A RPS
RB_TARGETS=(redis-always redis-everysec leader follower)
GO_TARGETS=(redis-always redis-everysec leader follower follower-readonly)
uptime_start="$(uptime)"
start=$SECONDS
for p in $PIPELINES; do
	for target in "${RB_TARGETS[@]}"; do
		echo "redis-benchmark -> $target (port ${PORT[$target]}), -P $p, -n $N, -c $CLIENTS..." >&2
		client redis-benchmark -h 127.0.0.1 -p "${PORT[$target]}" -c "$CLIENTS" -n "$N" \
			-P "$p" -r 100000 -t "$TESTS" --csv 2>"$WORK/rb.err" ||
			{ echo "bench: redis-benchmark failed or timed out:" >&2; tail -3 "$WORK/rb.err" >&2; }
		while read -r test rps; do
			[ -n "$test" ] && RPS["redis-benchmark,$target,$p,$test"]="$rps"
		done < <(csv_rows <"$WORK/client.out")
		case $target in leader | follower) check_leader "redis-benchmark $target -P $p" ;; esac
	done
	for target in "${GO_TARGETS[@]}"; do
		ro=()
		[ "$target" = follower-readonly ] && ro=(-readonly)
		echo "loadgen -> $target (port ${PORT[$target]}), -P $p, -n $N, -c $CLIENTS ${ro[*]}..." >&2
		client "$LOADGEN" -addr "127.0.0.1:${PORT[$target]}" -c "$CLIENTS" -n "$N" \
			-P "$p" -r 100000 -t "$GO_TESTS" -timeout "$((RUN_TIMEOUT - 1))s" "${ro[@]}" ||
			echo "bench: loadgen failed or timed out" >&2
		while read -r test rps; do
			[ -n "$test" ] && RPS["loadgen,$target,$p,$test"]="$rps"
		done < <(csv_rows <"$WORK/client.out")
		case $target in leader | follower*) check_leader "loadgen $target -P $p" ;; esac
	done
done
elapsed=$((SECONDS - start))

ratio() { # a b
	if [ -n "$1" ] && [ -n "$2" ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
	else
		echo "n/a"
	fi
}
row() { # client target pipeline TEST
	local r a e
	r="${RPS["$1,$2,$3,$4"]:-}"
	a="${RPS["$1,redis-always,$3,$4"]:-}"
	e="${RPS["$1,redis-everysec,$3,$4"]:-}"
	echo "| $4 | $3 | $2 | $1 | ${r:-failed/timeout} | $(ratio "$r" "$a") | $(ratio "$r" "$e") |"
}

echo
echo "$(date -u +%F), $(nproc) cores, redis-server $(redis-server --version | awk '{print $3}' | tr -d 'v='), redraft 3 nodes ($(basename "$BIN")${ELECTION_TIMEOUT:+, --election-timeout $ELECTION_TIMEOUT}), -c $CLIENTS -n $N -r 100000"
echo "load average before: ${uptime_start##*load average: }; after: $(uptime | sed 's/.*load average: //')"
echo
echo "| test | pipeline | target | client | req/s | vs redis always | vs redis everysec |"
echo "|------|---------:|--------|--------|------:|----------------:|------------------:|"
IFS=',' read -ra TESTLIST <<<"$TESTS"
IFS=',' read -ra GOTESTLIST <<<"$GO_TESTS"
for p in $PIPELINES; do
	for t in "${TESTLIST[@]}"; do
		for target in "${RB_TARGETS[@]}"; do
			row redis-benchmark "$target" "$p" "${t^^}"
		done
	done
	for t in "${GOTESTLIST[@]}"; do
		for target in "${GO_TARGETS[@]}"; do
			row loadgen "$target" "$p" "${t^^}"
		done
	done
done
echo
if [ ${#CHANGED[@]} -gt 0 ]; then
	echo "WARNING: the leader changed during: ${CHANGED[*]} (those rows mix roles; rerun)"
	echo
fi
echo "total benchmark time: ${elapsed}s"
