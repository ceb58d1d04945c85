#!/usr/bin/env bash
# Builds the Kubernetes test binaries the operator tests need -- etcd,
# kube-apiserver, kube-controller-manager, kubectl and helm -- from the Go
# module proxy (the only download source on the test machines: envtest's and
# setup-envtest's own downloads do not work there), into a cache directory
# keyed by the versions. A binary that is already there and reports the
# expected version is not rebuilt, so a warm run takes about a second; a cold
# one takes ~20 minutes on 2 cores and fills ~4 GB of Go build cache and
# ~1.4 GB of module cache (both kept at their defaults so CI can cache ~/.cache
# and the module cache).
#
#   hack/k8s-tools.sh              build what is missing; the last line of
#                                  stdout is the directory (progress: stderr)
#   hack/k8s-tools.sh --print-dir  only print the directory, build nothing
#
#   export KUBEBUILDER_ASSETS="$(hack/k8s-tools.sh --print-dir)"
#
# How (nothing of the repository's go.mod is used or touched; everything runs
# in throwaway modules in a temporary directory, with a private
# GOFLAGS=-mod=mod and GOWORK=off):
#   etcd        a module importing go.etcd.io/etcd/server/v3 (etcd's main
#               package; `go install` refuses it because of its replace
#               directives), go get @ETCD_VERSION, go mod tidy, go build.
#   kube-*      a module requiring k8s.io/kubernetes@K8S_VERSION with its go
#   kubectl     and godebug lines, and a replace k8s.io/X => k8s.io/X v0.MINOR.PATCH
#               for every k8s.io/* v0.0.0 (staging) requirement of kubernetes'
#               go.mod (sample-* ones excepted: not on the proxy, not needed);
#               go mod tidy; go build with the version stamped by -ldflags -X,
#               as kubernetes' hack/lib/version.sh does (otherwise the binaries
#               and the apiserver's /version report v0.0.0).
#   helm        go install helm.sh/helm/v3/cmd/helm@HELM_VERSION with the
#               -ldflags -X of helm's Makefile (version, and the default
#               Capabilities.KubeVersion derived from its client-go).
# Each binary is built under a temporary name, checked, and renamed into place;
# a lock (flock) serialises concurrent runs. Needs Go >= 1.26 (helm v3.22).
#
# Environment: REDRAFT_K8S_TOOLS_DIR (the directory; default
# ${XDG_CACHE_HOME:-$HOME/.cache}/redraft/k8s-<k8s>-etcd-<etcd>-helm-<helm>),
# REDRAFT_K8S_VERSION (v1.34.4), REDRAFT_ETCD_VERSION (v3.6.16),
# REDRAFT_HELM_VERSION (v3.22.0), REDRAFT_K8S_TOOLS_VERBOSE=1 (show the go
# commands' output instead of keeping it in a log).
#
# The pins are the newest patch releases on the module proxy for
# controller-runtime v0.22 (k8s 1.34, etcd 3.6) as of writing: the proxy
# serves k8s.io/kubernetes up to v1.34.4, etcd up to v3.6.16, helm v3 up to
# v3.22.0.
set -euo pipefail

K8S_VERSION="${REDRAFT_K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${REDRAFT_ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${REDRAFT_HELM_VERSION:-v3.22.0}"
DIR="${REDRAFT_K8S_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:?}/.cache}/redraft/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}-helm-${HELM_VERSION}}"
VERBOSE="${REDRAFT_K8S_TOOLS_VERBOSE:-0}"

# Build order: the k8s binaries share one module and most of their packages.
TOOLS=(etcd kube-apiserver kubectl kube-controller-manager helm)

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

case "${1-}" in
--print-dir)
	printf '%s\n' "$DIR"
	exit 0
	;;
-h | --help)
	usage
	exit 0
	;;
"") ;;
*)
	echo "usage: $0 [--print-dir]" >&2
	exit 2
	;;
esac

log() { printf 'k8s-tools: %s\n' "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

[[ "$K8S_VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "REDRAFT_K8S_VERSION must look like v1.34.4, not $K8S_VERSION"
K8S_MINOR="${BASH_REMATCH[1]}"
K8S_PATCH="${BASH_REMATCH[2]}"
STAGING_VERSION="v0.${K8S_MINOR}.${K8S_PATCH}" # k8s.io/api etc. for kubernetes v1.X.Y
[[ "$ETCD_VERSION" =~ ^v3\.[0-9]+\.[0-9]+$ ]] || die "REDRAFT_ETCD_VERSION must look like v3.6.16, not $ETCD_VERSION"
[[ "$HELM_VERSION" =~ ^v3\.[0-9]+\.[0-9]+$ ]] || die "REDRAFT_HELM_VERSION must be a helm v3 release like v3.22.0, not $HELM_VERSION"

# Microseconds since the epoch.
now_us() {
	if [ -n "${EPOCHREALTIME-}" ]; then
		local t="${EPOCHREALTIME/[.,]/}"
		echo "$((10#$t))"
	else
		echo "$(($(date +%s%N) / 1000))"
	fi
}

# Formats a duration given in microseconds: 0.4s, 12.3s, 7m52s.
fmt_dur() {
	local ds=$(($1 / 100000)) # tenths of a second
	if ((ds < 600)); then
		printf '%d.%ds' $((ds / 10)) $((ds % 10))
	else
		printf '%dm%02ds' $((ds / 600)) $((ds / 10 % 60))
	fi
}

# The command that prints a tool's version, and what its output must contain.
version_cmd() {
	case "$1" in
	etcd | kube-apiserver | kube-controller-manager) echo "--version" ;;
	kubectl) echo "version --client" ;;
	helm) echo "version --short" ;;
	esac
}
version_re() {
	case "$1" in
	etcd) echo "^etcd Version: ${ETCD_VERSION#v}\$" ;;
	kube-apiserver | kube-controller-manager) echo "^Kubernetes ${K8S_VERSION}\$" ;;
	kubectl) echo "^Client Version: ${K8S_VERSION}\$" ;;
	helm) echo "^${HELM_VERSION}(\\+.*)?\$" ;;
	esac
}

# version_ok TOOL PATH: PATH is an executable answering with TOOL's expected
# version. Sets VERSION_OUT to the matching line.
VERSION_OUT=""
version_ok() {
	local tool="$1" bin="$2" out
	VERSION_OUT=""
	[ -x "$bin" ] || return 1
	# shellcheck disable=SC2046 # version_cmd is a fixed word list
	out="$(timeout 30 "$bin" $(version_cmd "$tool") 2>/dev/null)" || return 1
	VERSION_OUT="$(grep -E -m1 "$(version_re "$tool")" <<<"$out")" || return 1
}

# Which tools are missing (or answer with the wrong version), into MISSING.
MISSING=()
check_all() {
	local tool
	MISSING=()
	for tool in "${TOOLS[@]}"; do
		if version_ok "$tool" "$DIR/$tool"; then
			log "  ok       $tool ($VERSION_OUT)"
		else
			MISSING+=("$tool")
		fi
	done
}

START="$(now_us)"
mkdir -p "$DIR"

# Fast path, without the lock: binaries only ever appear by an atomic rename,
# so whatever is there is complete.
log "checking $DIR"
check_all
if ((${#MISSING[@]} == 0)); then
	log "all ${#TOOLS[@]} tools present ($(fmt_dur $(($(now_us) - START))))"
	printf '%s\n' "$DIR"
	exit 0
fi

command -v go >/dev/null 2>&1 || die "go not found in PATH (Go >= 1.26 is needed)"

# One build at a time per directory.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$DIR/.lock"
	if ! flock -n 9; then
		log "another run is building into $DIR; waiting for its lock ($DIR/.lock)"
		flock 9
		log "lock acquired after $(fmt_dur $(($(now_us) - START))); checking again"
		check_all
	fi
else
	log "WARNING: flock not found; not locking $DIR against concurrent runs"
fi
# Holding the lock, nothing else is building here: leftovers are from killed runs.
rm -rf "$DIR"/.tmp.*
if ((${#MISSING[@]} == 0)); then
	log "all ${#TOOLS[@]} tools present ($(fmt_dur $(($(now_us) - START))))"
	printf '%s\n' "$DIR"
	exit 0
fi

# Private settings for the throwaway modules: never the repository's go.mod
# or go.work; GOCACHE, GOMODCACHE and GOPROXY stay as configured.
export GOFLAGS=-mod=mod
export GOWORK=off

WORK="$(mktemp -d "${TMPDIR:-/tmp}/redraft-k8s-tools.XXXXXX")"
TMPPFX="$DIR/.tmp.$$"
CHILD=""
KEEP_WORK=0
cleanup() {
	if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
		kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null || true
		wait "$CHILD" 2>/dev/null || true
	fi
	rm -rf "$TMPPFX".*
	if [ "$KEEP_WORK" = 1 ]; then
		log "logs and throwaway modules kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# step LABEL LOGNAME FUNCTION [ARGS...]: runs FUNCTION in the background (its
# own process group, so an interrupted run stops the go commands too), its
# output in $WORK/LOGNAME.log, with a heartbeat every minute; on failure shows
# the end of the log. Sets STEP_US to the elapsed time.
STEP_US=0
step() {
	local label="$1" logf="$WORK/$2.log" rc=0 t0 n=0
	shift 2
	t0="$(now_us)"
	log "$label ..."
	if [ "$VERBOSE" = 1 ]; then
		set -m
		("$@" 2>&1 | tee "$logf" >&2) &
		CHILD=$!
		set +m
	else
		set -m
		("$@" >"$logf" 2>&1) &
		CHILD=$!
		set +m
	fi
	while kill -0 "$CHILD" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		if ((n % 60 == 0)) && kill -0 "$CHILD" 2>/dev/null; then
			log "  ... $label: $(fmt_dur $(($(now_us) - t0)))"
		fi
	done
	wait "$CHILD" || rc=$?
	CHILD=""
	STEP_US=$(($(now_us) - t0))
	if ((rc != 0)); then
		KEEP_WORK=1
		if [ "$VERBOSE" != 1 ]; then
			log "---- last lines of $logf ----"
			tail -n 40 "$logf" >&2 || true
			log "----"
		fi
		die "$label failed after $(fmt_dur "$STEP_US") (exit $rc)"
	fi
	log "  done in $(fmt_dur "$STEP_US")"
}

# install TOOL BUILT: checks the freshly built binary and renames it into place.
install_tool() {
	local tool="$1" built="$2"
	chmod 0755 "$built"
	if ! version_ok "$tool" "$built"; then
		local out
		# shellcheck disable=SC2046
		out="$(timeout 30 "$built" $(version_cmd "$tool") 2>&1 | head -n 5)" || true
		die "built $tool does not report the expected version (want /$(version_re "$tool")/), it says: $out"
	fi
	mv -f "$built" "$DIR/$tool"
	log "  installed $DIR/$tool ($VERSION_OUT, $(du -h "$DIR/$tool" | cut -f1))"
}

# GoMod path of MODULE@VERSION in the module cache (downloading the module).
gomod_of() {
	go mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}

write_tools_go() { # FILE IMPORT...
	local f="$1" p
	shift
	{
		echo "//go:build tools"
		echo
		echo "// Package tools only pins the programs this throwaway module builds."
		echo "package tools"
		echo
		echo "import ("
		for p in "$@"; do echo "	_ \"$p\""; done
		echo ")"
	} >"$f"
}

# ---- etcd ----

etcd_module() {
	local m="$WORK/etcd"
	mkdir -p "$m"
	cd "$m"
	go mod init redraft-k8s-tools/etcd
	write_tools_go tools.go go.etcd.io/etcd/server/v3
	go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
	go mod tidy
}

etcd_build() {
	cd "$WORK/etcd"
	go build -o "$1" go.etcd.io/etcd/server/v3
}

# ---- kube-apiserver, kubectl, kube-controller-manager ----

k8s_module() {
	local m="$WORK/k8s" gomod gover kv mod n=0
	mkdir -p "$m"
	cd "$m"
	gomod="$(gomod_of "k8s.io/kubernetes@$K8S_VERSION")"
	[ -s "$gomod" ] || {
		echo "no go.mod for k8s.io/kubernetes@$K8S_VERSION"
		return 1
	}
	go mod init redraft-k8s-tools/k8s
	go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
	# kubernetes' own go and godebug lines.
	gover="$(awk '$1 == "go" { print $2; exit }' "$gomod")"
	[ -n "$gover" ] && go mod edit -go="$gover"
	for kv in $(awk '
		/^godebug[[:space:]]*\(/ { inblock = 1; next }
		inblock && /^\)/ { inblock = 0; next }
		inblock && $1 !~ /^\/\// { print $1; next }
		$1 == "godebug" && $2 != "(" { print $2 }' "$gomod"); do
		go mod edit -godebug="$kv"
	done
	# Its staging modules are required at v0.0.0 and replaced by local
	# directories; here they come from the proxy at the matching v0.X.Y.
	for mod in $(awk '
		/^require[[:space:]]*\(/ { inblock = 1; next }
		inblock && /^\)/ { inblock = 0; next }
		inblock && $1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1; next }
		$1 == "require" && $2 ~ /^k8s\.io\// && $3 == "v0.0.0" { print $2 }' "$gomod"); do
		case "$mod" in k8s.io/sample-*) continue ;; esac
		go mod edit -replace="$mod=$mod@$STAGING_VERSION"
		n=$((n + 1))
	done
	echo "replaced $n staging modules with $STAGING_VERSION"
	write_tools_go tools.go \
		k8s.io/kubernetes/cmd/kube-apiserver \
		k8s.io/kubernetes/cmd/kubectl \
		k8s.io/kubernetes/cmd/kube-controller-manager
	go mod tidy
	cat go.mod
}

k8s_build() { # TOOL OUT
	local tool="$1" out="$2" date p ldflags=()
	cd "$WORK/k8s"
	# Build date: the release tag's time, so rebuilds are identical.
	date="$(go list -m -f '{{with .Time}}{{.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' k8s.io/kubernetes)"
	date="${date:-1970-01-01T00:00:00Z}"
	for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
		ldflags+=(
			"-X $p.gitVersion=$K8S_VERSION"
			"-X $p.gitMajor=1"
			"-X $p.gitMinor=$K8S_MINOR"
			"-X $p.buildDate=$date"
		)
	done
	go build -ldflags "${ldflags[*]}" -o "$out" "k8s.io/kubernetes/cmd/$tool"
}

# ---- helm ----

helm_build() { # OUTDIR
	local gobin="$1" gomod cg major minor ldflags
	cd "$WORK"
	# As helm's Makefile: the version, and the default Capabilities.KubeVersion
	# (helm template, helm lint) from the client-go it is built with.
	ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
	gomod="$(gomod_of "helm.sh/helm/v3@$HELM_VERSION")"
	cg="$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")"
	if [[ "$cg" =~ ^v([0-9]+)\.([0-9]+)\. ]]; then
		major=$((BASH_REMATCH[1] + 1))
		minor="${BASH_REMATCH[2]}"
		for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
			ldflags+=" -X $p.k8sVersionMajor=$major -X $p.k8sVersionMinor=$minor"
		done
	fi
	mkdir -p "$gobin"
	GOBIN="$gobin" go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

# ---- main ----

log "building ${MISSING[*]} (all five: ~20 min on 2 cores with a cold Go build cache, $(go env GOCACHE))"
log "$(go version); GOFLAGS=$GOFLAGS; work dir $WORK"

declare -A TOOK=()
need() {
	local t
	for t in "${MISSING[@]}"; do [ "$t" = "$1" ] && return 0; done
	return 1
}

if need etcd; then
	step "etcd $ETCD_VERSION: module (go get, go mod tidy)" etcd-module etcd_module
	mod_us=$STEP_US
	step "etcd $ETCD_VERSION: go build" etcd-build etcd_build "$TMPPFX.etcd"
	install_tool etcd "$TMPPFX.etcd"
	TOOK[etcd]=$((mod_us + STEP_US))
fi

k8s_mod_us=0
for tool in kube-apiserver kubectl kube-controller-manager; do
	need "$tool" || continue
	if [ ! -f "$WORK/k8s/go.sum" ]; then
		step "kubernetes $K8S_VERSION: module (staging replaces -> $STAGING_VERSION, go mod tidy)" k8s-module k8s_module
		k8s_mod_us=$STEP_US
		TOOK[k8s-module]=$k8s_mod_us
	fi
	step "$tool $K8S_VERSION: go build" "$tool-build" k8s_build "$tool" "$TMPPFX.$tool"
	install_tool "$tool" "$TMPPFX.$tool"
	TOOK[$tool]=$STEP_US
done

if need helm; then
	step "helm $HELM_VERSION: go install" helm-build helm_build "$TMPPFX.helm"
	install_tool helm "$TMPPFX.helm/helm"
	TOOK[helm]=$STEP_US
fi

log "summary:"
[ -n "${TOOK[k8s-module]-}" ] && log "  $(printf '%-24s' 'k8s module (tidy)') $(fmt_dur "${TOOK[k8s-module]}")"
for tool in "${TOOLS[@]}"; do
	if [ -n "${TOOK[$tool]-}" ]; then
		log "  $(printf '%-24s' "$tool") built in $(fmt_dur "${TOOK[$tool]}")"
	else
		log "  $(printf '%-24s' "$tool") cached"
	fi
done
log "total $(fmt_dur $(($(now_us) - START))); $(du -sh "$DIR" | cut -f1) in $DIR"
printf '%s\n' "$DIR"
