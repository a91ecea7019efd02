# syntax=docker/dockerfile:1
#
# Tandem as a SageMaker "bring your own container" image: inference (serve) and training (train).
#
#   docker build -t tandem .                      # full multi-stage build (needs the swift image)
#   docker run --rm -p 8080:8080 tandem           # serves the bundled models (CMD is "serve")
#   docker run --rm -p 8080:8080 -v "$PWD/model:/opt/ml/model:ro" tandem serve
#   docker run --rm -v "$PWD/ml:/opt/ml" tandem train   # a SageMaker training job (docs/training.md)
#
# Stages:
#   build            swift:6.3-bookworm + libevent-dev + libopenblas-dev; release binary, Swift runtime linked statically
#   runtime-base     debian:bookworm-slim + libevent runtime libraries, bundled models, SageMaker metadata
#   runtime-prebuilt runtime-base + a binary from the build context (prebuilt/tandem); used by the test
#                    harness (system-tests/container/run.sh) where the swift image cannot be pulled
#   runtime          runtime-base + the binary from the build stage (the default, last stage)
#
# The image runs as root on purpose: SageMaker starts serving containers as root and mounts
# /opt/ml/model root-owned; see docs/deployment.md.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libevent-dev libopenblas-dev zlib1g-dev \
        libsqlite3-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer so that source edits do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# SwiftPM insists that every target in the manifest has its directory, test targets included,
# even for --product; Tests/ is small and nothing under it is compiled here.
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product tandem \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/tandem" /out/tandem \
 && strip /out/tandem \
 && /out/tandem --version

# ---------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime-base
# libevent-2.1-7 + libevent-pthreads-2.1-7 are what the binary links (libevent_core comes with
# them); libopenblas0-pthread provides libopenblas.so.0 (TandemBLAS's matrix products, single
# threaded); libsqlite3-0 and libpq5 are the experiment ledger's clients; libstdc++6 is already in slim (apt needs it) and listed for clarity. No curl: the
# HEALTHCHECK below speaks HTTP through bash's /dev/tcp. No ca-certificates: Tandem opens no TLS
# connection (it serves plain HTTP behind SageMaker and reads training data from /opt/ml).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libevent-2.1-7 libevent-pthreads-2.1-7 libopenblas0-pthread libstdc++6 \
        libsqlite3-0 libpq5 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin

# Defaults baked into the image. SageMaker extracts ModelDataUrl into /opt/ml/model, which the
# server prefers over these whenever it exists (--model-dir > $SM_MODEL_DIR > /opt/ml/model >
# $TANDEM_HOME/models + $TANDEM_HOME/config/endpoint.yaml).
ENV TANDEM_HOME=/opt/tandem
COPY models /opt/tandem/models
COPY config /opt/tandem/config
WORKDIR /opt/tandem

LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true \
      com.amazonaws.sagemaker.capabilities.multi-models=true \
      org.opencontainers.image.title="tandem" \
      org.opencontainers.image.description="Tandem: SageMaker-compatible ONNX inference server with A/B variants"
EXPOSE 8080

# SageMaker ignores HEALTHCHECK (it polls /ping itself); docker and podman use it. Ready means
# GET /ping answers 200 on the port the server listens on.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SAGEMAKER_BIND_TO_PORT:-8080} && printf 'GET /ping HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r -t 2 _ status _ <&3 && [ \"$status\" = 200 ]"]

# Exec form: tandem is PID 1 and receives SageMaker's SIGTERM directly. SageMaker runs
# "IMAGE serve", which replaces CMD; a bare "docker run IMAGE" serves too.
ENTRYPOINT ["/usr/local/bin/tandem"]
CMD ["serve"]

# ---------------------------------------------------------------------------------------------
FROM runtime-base AS runtime-prebuilt
COPY prebuilt/tandem /usr/local/bin/tandem

# ---------------------------------------------------------------------------------------------
FROM runtime-base AS runtime
COPY --from=build /out/tandem /usr/local/bin/tandem
