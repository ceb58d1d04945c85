#!/usr/bin/env bash
# Throughput of Redraft next to redis-server, measured with redis-benchmark.
#
# Builds bin/redraft-bench, starts a redis-server (no persistence) and a
# fresh single Redraft node on free loopback ports, runs the same
# redis-benchmark workloads against both, without and with pipelining, and
# prints a markdown table of requests per second and the redraft/redis
# ratio. Everything it starts is stopped on exit.
#
# Environment:
#   BENCH_N         requests per test (default 50000)
#   BENCH_CLIENTS   parallel connections (default 50)
#   BENCH_TESTS     redis-benchmark -t list (default set,get,lpush,rpop,hset,zadd)
#   BENCH_PIPELINES pipeline depths (default "1 16")
#   BENCH_TIMEOUT   seconds allowed for one redis-benchmark run (default 60)
#   REDRAFT_BIN     use this redraft binary instead of building one
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
N="${BENCH_N:-50000}"
CLIENTS="${BENCH_CLIENTS:-50}"
TESTS="${BENCH_TESTS:-set,get,lpush,rpop,hset,zadd}"
PIPELINES="${BENCH_PIPELINES:-1 16}"
RUN_TIMEOUT="${BENCH_TIMEOUT:-60}"

for tool in redis-server redis-cli redis-benchmark go python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "bench: $tool is required (redis-server/redis-tools from apt)" >&2
		exit 1
	fi
done

WORK="$(mktemp -d -t redraft-bench.XXXXXX)"
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_pong() { # port name logfile
	local deadline=$((SECONDS + 20))
	while [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null || true)" != "PONG" ]; do
		if [ $SECONDS -ge $deadline ]; then
			echo "bench: $2 did not answer PING within 20s; its log:" >&2
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

REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$WORK" --logfile "$WORK/redis.log" &
PIDS+=($!)
wait_pong "$REDIS_PORT" redis-server "$WORK/redis.log"

RD_PORT="$(free_port)"
RD_RAFT_PORT="$(free_port)"
"$BIN" server --id bench --listen "127.0.0.1:$RD_PORT" --raft-listen "127.0.0.1:$RD_RAFT_PORT" \
	--data-dir "$WORK/redraft-data" >"$WORK/redraft.log" 2>&1 &
PIDS+=($!)
wait_pong "$RD_PORT" redraft "$WORK/redraft.log"

# bench PORT PIPELINE -> lines "TEST rps"
bench() {
	timeout "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$1" -c "$CLIENTS" -n "$N" -P "$2" \
		-r 100000 -t "$TESTS" --csv 2>/dev/null |
		awk -F'","' 'NR > 1 { gsub(/"/, "", $1); gsub(/"/, "", $2); print $1, $2 }' || true
}

declare -A RPS
start=$SECONDS
for p in $PIPELINES; do
	for target in redis redraft; do
		port=$REDIS_PORT
		[ "$target" = redraft ] && port=$RD_PORT
		echo "running redis-benchmark against $target, -P $p, -n $N, -c $CLIENTS..." >&2
		while read -r test rps; do
			[ -n "$test" ] && RPS["$target,$p,$test"]="$rps"
		done < <(bench "$port" "$p")
	done
done

echo
echo "redis-benchmark -c $CLIENTS -n $N -r 100000, $(nproc) cores; redis-server $(redis-server --version | awk '{print $3}' | tr -d 'v=') vs redraft ($(basename "$BIN")), single node"
echo
echo "| test | pipeline | redis-server req/s | redraft req/s | redraft/redis |"
echo "|------|---------:|-------------------:|--------------:|--------------:|"
IFS=',' read -ra TESTLIST <<< "$TESTS"
for p in $PIPELINES; do
	for t in "${TESTLIST[@]}"; do
		T="${t^^}"
		r="${RPS["redis,$p,$T"]:-}"
		d="${RPS["redraft,$p,$T"]:-}"
		ratio="n/a"
		if [ -n "$r" ] && [ -n "$d" ]; then
			ratio="$(awk -v a="$d" -v b="$r" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
		fi
		echo "| $T | $p | ${r:-failed/timeout} | ${d:-failed/timeout} | $ratio |"
	done
done
echo
echo "total benchmark time: $((SECONDS - start))s"
