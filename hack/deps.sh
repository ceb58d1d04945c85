#!/usr/bin/env bash
# Installs what the tests need on a Debian machine, idempotently: Debian's
# redis-server and redis-tools (the reference server and redis-cli),
# iproute2, a Python venv with the test requirements, and the Go modules.
# With everything in place it only checks. Needs root for apt-get.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VENV="${VENV:-$ROOT/.venv}"

section() { printf '\n========== %s ==========\n' "$*"; }

section "system packages (redis-server, redis-tools, iproute2)"
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v redis-benchmark >/dev/null 2>&1 || missing+=(redis-tools)
command -v ss >/dev/null 2>&1 || missing+=(iproute2)
if ((${#missing[@]} > 0)); then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Keep the package's init script from starting a redis-server service
	# on 6379 during installation (the standard Debian policy-rc.d hook).
	policy=/usr/sbin/policy-rc.d
	created_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' > "$policy"
		chmod +x "$policy"
		created_policy=1
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
else
	echo "already installed"
fi
redis-server --version

# The tests start their own redis-server instances on free ports; a system
# service left running on 6379 is not wanted on a test machine.
if command -v service >/dev/null 2>&1; then
	service redis-server stop >/dev/null 2>&1 || true
fi
for pidfile in /run/redis/redis-server.pid /var/run/redis/redis-server.pid; do
	if [ -s "$pidfile" ]; then
		kill "$(cat "$pidfile")" 2>/dev/null || true
	fi
done

section "python venv ($VENV)"
if [ ! -x "$VENV/bin/python" ]; then
	if ! python3 -m venv "$VENV"; then
		# Debian's own python3 needs the venv module from a separate package.
		rm -rf "$VENV"
		pyver="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${pyver}-venv" >/dev/null ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
		python3 -m venv "$VENV"
	fi
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r test/python/requirements.txt
"$VENV/bin/pip" list --disable-pip-version-check 2>/dev/null | grep -iE '^(redis|pytest|huey) '

section "go modules"
go mod download
go mod verify

