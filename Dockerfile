# syntax=docker/dockerfile:1
#
# Redraft's container image: static binaries on distroless, run as the
# non-root user 65532, with the data directory a volume at /data.
#
#   docker build -t redraft .
#   docker buildx build --platform linux/amd64,linux/arm64 -t redraft .
#
# test/image builds the binaries with this file's go build command and runs
# them as this image would (chrooted into a directory holding only them and
# /data, as uid 65532): keep the two in step.

# Build on the builder's own platform and cross-compile to the target's.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static binaries (no cgo: no libc, no dynamic loader in the image), without
# build paths or symbol tables. ./cmd/... builds every command: redraft, and
# the Kubernetes operator (cmd/redraft-operator) once it exists.
ENV CGO_ENABLED=0
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" -o /out/bin/ ./cmd/...
# The data directory, owned by the runtime user (copied with the owner below).
RUN mkdir -p -m 0700 /out/rootfs/data

# distroless/static has no shell and no package manager; its nonroot user is
# 65532. The node needs nothing from it but the user: no CA certificates
# (Redraft makes no TLS connections), no time zone data (logs are in UTC),
# no /etc/passwd. The container runtime provides /etc/hosts, /etc/resolv.conf
# (for --join and --raft-advertise DNS names) and /proc (process metrics).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bin/ /
COPY --from=build --chown=65532:65532 /out/rootfs/ /
USER 65532:65532
# Every flag can be set as REDRAFT_<FLAG> (see README.md). These are the
# image's defaults; a pod must also set, from its own identity:
#   REDRAFT_ID              a stable node ID: the pod name (StatefulSet)
#   REDRAFT_RAFT_ADVERTISE  the address peers dial, e.g. $(POD_NAME).redraft.$(NAMESPACE).svc:7379
#                           (required: 0.0.0.0 is not advertisable, the node refuses to start)
#   REDRAFT_ADVERTISE       the client address reported to tools, e.g. $(POD_NAME).redraft.$(NAMESPACE).svc:6379
#   REDRAFT_JOIN            the founders' Raft addresses, comma-separated
#   REDRAFT_BOOTSTRAP_EXPECT  how many founders bootstrap the cluster together
# and may set REDRAFT_REQUIREPASS (from a Secret), REDRAFT_NONVOTER, etc.
ENV REDRAFT_LISTEN=0.0.0.0:6379 \
    REDRAFT_RAFT_LISTEN=0.0.0.0:7379 \
    REDRAFT_HTTP_LISTEN=0.0.0.0:8080 \
    REDRAFT_DATA_DIR=/data \
    REDRAFT_LOG_FORMAT=json
# RESP clients, Raft and the internal RPC, HTTP probes/metrics/status.
EXPOSE 6379 7379 8080
VOLUME ["/data"]
ENTRYPOINT ["/redraft"]
CMD ["server"]
