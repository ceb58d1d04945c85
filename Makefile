# Redraft build and test entry points. `make test` is what CI runs.
#
#   make build          build bin/redraft
#   make test           deps, vet, Go tests (race), Python tests, brief fuzzing
#   make deps           install test prerequisites if missing (hack/deps.sh)
#   make test-go        go test -race ./... (all but the fault suite)
#   make test-k8s-e2e   the Kubernetes end-to-end test, verbose (root)
#   make test-fault     the fault-tolerance suite, verbose so its reports print (root: network namespaces)
#   make test-python    pytest $(PYTEST_DIRS) (needs $(VENV), see .ci/run)
#   make fuzz           run every Fuzz target for $(FUZZTIME)
#   make bench          redis-benchmark: Redraft vs redis-server (bench/run.sh)
#   make bench-go       Go benchmarks of the write path (FSM apply, 3-node in-process cluster)
#   make k8s-tools      build etcd, kube-apiserver, kube-controller-manager, kubectl, helm (cached)
#   make generate       deepcopy code of the operator's API (controller-gen)
#   make manifests      CRD and RBAC in config/, copied into charts/redraft (controller-gen)
#   make operator       build bin/redraft-operator
#
# Variables: VENV (.venv), PYTEST, PYTEST_DIRS (test/python test/huey), FUZZTIME (10s),
# GOTEST_TIMEOUT (30m), GOTESTFLAGS (extra go test flags, e.g. -run or -v).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO             ?= go
VENV           ?= .venv
PYTEST         ?= $(VENV)/bin/pytest
FUZZTIME       ?= 10s
GOTEST_TIMEOUT ?= 30m
GOTESTFLAGS    ?=
PYTEST_DIRS    ?= test/python test/huey

.PHONY: all build deps vet test test-go test-fault test-k8s-e2e test-python fuzz bench clean generate manifests operator

all: build

build:
	$(GO) build -o bin/redraft ./cmd/redraft

vet:
	@echo "==> go vet ./..."
	$(GO) vet ./...
	@echo "==> gofmt"
	@files="$$(git ls-files --cached --others --exclude-standard '*.go' 2>/dev/null || true)"; \
	if [ -z "$$files" ]; then files="$$(find . -name '*.go' -not -path './.venv/*')"; fi; \
	unformatted="$$(gofmt -l $$files)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi

test: deps
	$(MAKE) -k vet test-go test-fault test-k8s-e2e test-python fuzz

# deps also builds the Kubernetes test tools (etcd, kube-apiserver,
# kube-controller-manager, kubectl, helm) for the operator tests: ~20 min the
# first time on 2 cores, cached afterwards (hack/k8s-tools.sh).
deps:
	VENV=$(VENV) hack/deps.sh
	hack/k8s-tools.sh

FAULT_PKG := ./test/fault
E2E_PKG   := ./test/k8se2e
K8S_ASSETS = KUBEBUILDER_ASSETS="$${KUBEBUILDER_ASSETS:-$$(hack/k8s-tools.sh --print-dir)}"

test-go:
	@echo "==> go test -race (every package but $(FAULT_PKG) and $(E2E_PKG))"
	$(K8S_ASSETS) $(GO) test -race -count=1 -timeout $(GOTEST_TIMEOUT) $(GOTESTFLAGS) \
		$$($(GO) list ./... | grep -v -e '/test/fault$$' -e '/test/k8se2e$$')

# The fault suite runs real clusters through kill -9, pauses and network
# partitions (network namespaces need root) and prints a Jepsen-style report
# per scenario, hence -v.
test-fault:
	@echo "==> fault-tolerance suite ($(FAULT_PKG))"
	$(GO) test -v -count=1 -timeout $(GOTEST_TIMEOUT) $(GOTESTFLAGS) $(FAULT_PKG)

# The Kubernetes end-to-end test: kube-apiserver, etcd, kube-controller-
# manager, a test kubelet running real redraft processes, helm install, scale,
# rolling upgrade, pod deletions; verbose so its event log prints.
test-k8s-e2e:
	@echo "==> Kubernetes end-to-end test ($(E2E_PKG))"
	$(K8S_ASSETS) $(GO) test -v -count=1 -timeout $(GOTEST_TIMEOUT) $(GOTESTFLAGS) $(E2E_PKG)

test-python:
	@echo "==> pytest $(PYTEST_DIRS)"
	@if [ ! -x "$(PYTEST)" ]; then \
		echo "$(PYTEST) not found: create the venv first (python3 -m venv $(VENV) && $(VENV)/bin/pip install -r test/python/requirements.txt)"; \
		exit 1; \
	fi
	$(PYTEST) -q $(PYTEST_DIRS)

# Every Fuzz target of every package, each for $(FUZZTIME). The targets are
# discovered with go test -list; a package that fails to build fails here.
# The Kubernetes test packages are left out: their TestMain needs the
# control plane (and has no fuzz targets).
fuzz:
	@echo "==> fuzzing ($(FUZZTIME) per target)"
	@list="$$($(GO) test -list '^Fuzz' $$($(GO) list ./... | grep -v -e '/operator/envtest$$' -e '/test/k8se2e$$') 2>&1)" || { echo "$$list"; exit 1; }; \
	targets="$$(awk '/^Fuzz/ { names = names " " $$1; next } /^ok/ { if (names != "") print $$2 names; names = "" }' <<< "$$list")"; \
	if [ -z "$$targets" ]; then echo "no fuzz targets found"; exit 0; fi; \
	while read -r pkg names; do \
		for name in $$names; do \
			echo "--> $$pkg $$name"; \
			$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) "$$pkg"; \
		done; \
	done <<< "$$targets"

bench:
	bench/run.sh

# Go benchmarks of the write path: the state machine's apply, and writes
# through an in-process 3-node cluster (real Raft over TCP, bolt logs).
.PHONY: bench-go
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 3 ./fsm ./cluster

# 3-node cluster vs redis-server appendfsync always/everysec (bench/cluster.sh)
.PHONY: bench-cluster
bench-cluster:
	bench/cluster.sh

# etcd, kube-apiserver, kube-controller-manager, kubectl and helm for the
# operator tests, built from the Go module proxy into a cache directory keyed
# by their versions (~20 min cold on 2 cores, ~1 s warm). Point envtest at it:
#   export KUBEBUILDER_ASSETS="$(hack/k8s-tools.sh --print-dir)"
.PHONY: k8s-tools
k8s-tools:
	hack/k8s-tools.sh

# The operator's generated files are checked in; `make generate manifests`
# rewrites them from the +kubebuilder markers in operator/. controller-gen
# is installed into bin/ at the version that pairs with controller-runtime
# v0.22 (k8s 1.34).
CONTROLLER_TOOLS_VERSION ?= v0.19.0
CONTROLLER_GEN ?= $(CURDIR)/bin/controller-gen-$(CONTROLLER_TOOLS_VERSION)

$(CONTROLLER_GEN):
	mkdir -p bin/.controller-gen
	GOBIN=$(CURDIR)/bin/.controller-gen $(GO) install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)
	mv bin/.controller-gen/controller-gen $(CONTROLLER_GEN)

generate: $(CONTROLLER_GEN)
	$(CONTROLLER_GEN) object paths=./operator/api/...

manifests: $(CONTROLLER_GEN)
	$(CONTROLLER_GEN) crd rbac:roleName=redraft-operator paths=./operator/... \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	mkdir -p charts/redraft/crds charts/redraft/files
	cp config/crd/bases/redraft.io_redraftclusters.yaml charts/redraft/crds/
	cp config/rbac/role.yaml charts/redraft/files/role.yaml

operator:
	$(GO) build -o bin/redraft-operator ./cmd/redraft-operator

clean:
	rm -rf bin
