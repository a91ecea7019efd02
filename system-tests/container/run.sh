#!/usr/bin/env bash
# Container and local-loop tests for Tandem's SageMaker packaging.
#
#   TANDEM_BIN=.build/release/tandem system-tests/container/run.sh
#
# 1. artifacts  scripts/package-model makes single-model and repository model.tar.gz files,
#               extracted the way SageMaker does (tar -xzf into an empty directory).
# 2. local      the plain binary serves each extracted directory: `tandem serve --model-dir`,
#               /ping, /invocations, SIGTERM -> exit 0.
# 3. container  podman/buildah, rootful, everything under a private temp dir: a debootstrapped
#               bookworm imported as debian:bookworm-slim, the Dockerfile's runtime stage built
#               with the host binary (target runtime-prebuilt), then run as SageMaker runs it:
#               `IMAGE serve`, port 8080, model at /opt/ml/model, SIGTERM -> exit 0 within 30 s;
#               then `IMAGE train` as a SageMaker training job and `IMAGE serve` of what it trained
#               (system-tests/container/train.sh).
#
# Environment:
#   TANDEM_BIN               binary to test (default: .build/release/tandem, then .build/debug/tandem)
#   TANDEM_CONTAINER=0       skip section 3 (counted as skipped, not passed)
#   TANDEM_CONTAINER_FULL=1  also build the full multi-stage image (build stage included) with a
#                            local stand-in for swift:6.3-bookworm and the host toolchain mounted
#                            (about 12 minutes on 2 cores), then serve from that image
#   TANDEM_TOOLCHAIN         Swift toolchain root for the full build (default: /opt/swift)
#   TANDEM_PACKAGE_MIRROR    git mirror of github.com packages (default: /opt/swift-packages)
#   TANDEM_ROOTFS_TARBALL    reuse a bookworm minbase rootfs tarball instead of running debootstrap;
#                            created there when the file does not exist yet
#   DEBIAN_MIRROR            debootstrap mirror (default http://deb.debian.org/debian)
#   TANDEM_KEEP=1            keep the temp dir (logs, storage) for debugging
# Prints one line per check and ends with "N passed, N failed[, N skipped]"; exit 1 if any failed.

set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=system-tests/container/lib.sh
source "$HERE/lib.sh"
# shellcheck source=system-tests/container/podman.sh
source "$HERE/podman.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tandem-container.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS"
HOST_PIDS=()

cleanup() {
    local pid
    for pid in "${HOST_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    podman_cleanup
    if [[ ${TANDEM_KEEP:-0} == 1 ]]; then echo "# kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
    echo
    if ((SKIP > 0)); then echo "$PASS passed, $FAIL failed, $SKIP skipped"; else echo "$PASS passed, $FAIL failed"; fi
    ((FAIL == 0))
    exit $?
}

# --------------------------------------------------------------------------------------------
section "binary"
BIN=${TANDEM_BIN:-}
if [[ -z $BIN ]]; then
    for candidate in "$ROOT/.build/release/tandem" "$ROOT/.build/debug/tandem"; do
        [[ -x $candidate ]] && { BIN=$candidate; break; }
    done
fi
if [[ -z $BIN || ! -x $BIN ]]; then
    bad "TANDEM_BIN names an executable (got '${BIN:-unset}'; build with swift build -c release --static-swift-stdlib)"
    finish
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
note "TANDEM_BIN=$BIN"
check "tandem --version exits 0" "$BIN" --version
ROW=$(sample_row "$ROOT")

# --------------------------------------------------------------------------------------------
section "artifacts"
ART=$WORK/artifacts
check "package-model builds single and repository archives" make_archives "$ROOT" "$ART"
single_layout() { [[ $(tar -tzf "$ART/single.tar.gz") == model.onnx ]]; }
check "single archive holds exactly model.onnx at its root" single_layout
multi_layout() {
    local listing; listing=$(tar -tzf "$ART/multi.tar.gz" | grep -v '/$')
    [[ $listing == $'breast-cancer-logreg/1/model.onnx\nbreast-cancer-logreg/2/model.onnx\nbreast-cancer-logreg/model.yaml\nendpoint.yaml' ]]
}
check "repository archive holds endpoint.yaml, <model>/model.yaml and <model>/<version>/model.onnx" multi_layout
SM_SINGLE=$WORK/sm-single
SM_MULTI=$WORK/sm-multi
check "single archive extracts into an empty dir" extract_like_sagemaker "$ART/single.tar.gz" "$SM_SINGLE"
check "repository archive extracts into an empty dir" extract_like_sagemaker "$ART/multi.tar.gz" "$SM_MULTI"

# --------------------------------------------------------------------------------------------
section "local (plain binary)"
# serve_local NAME MODEL_DIR EXPECTED_VARIANT_REGEX: one server life: start, ping, invoke, SIGTERM.
serve_local() {
    local name=$1 dir=$2 variants=$3 port pid code variant
    port=$(free_port)
    "$BIN" serve --host 127.0.0.1 --port "$port" --model-dir "$dir" --workers 1 \
        >"$LOGS/local-$name.log" 2>&1 &
    pid=$!
    HOST_PIDS+=("$pid")
    if wait_ping "http://127.0.0.1:$port/ping" 60 "$pid"; then
        ok "local $name: /ping 200"
    else
        bad "local $name: /ping 200 within 60 s (log: $(tail -n 3 "$LOGS/local-$name.log" | tr '\n' ' '))"
        kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        return
    fi
    code=$(invoke "http://127.0.0.1:$port/invocations" "$ROW" "$WORK/h-$name" "$WORK/b-$name")
    variant=$(header_value "$WORK/h-$name" X-Amzn-Invoked-Production-Variant)
    check "local $name: POST /invocations text/csv -> 200 (got $code)" test "$code" = 200
    check "local $name: invoked variant '$variant' matches $variants" grep -Eqx "$variants" <<<"$variant"
    kill -TERM "$pid"
    wait_exit "$pid" 30
    check "local $name: SIGTERM -> exit 0 within 30 s (got $EXIT_STATUS)" test "$EXIT_STATUS" = 0
}
check "tandem check-config accepts the extracted single-model dir" "$BIN" check-config --model-dir "$SM_SINGLE"
check "tandem check-config accepts the extracted repository dir" "$BIN" check-config --model-dir "$SM_MULTI"
mkdir -p "$WORK/empty-model-dir"
check "tandem check-config rejects an empty model dir" \
    bash -c '! "$1" check-config --model-dir "$2" >/dev/null 2>&1' _ "$BIN" "$WORK/empty-model-dir"
serve_local single "$SM_SINGLE" 'AllTraffic'
serve_local multi "$SM_MULTI" 'control|challenger'

# --------------------------------------------------------------------------------------------
section "container (podman/buildah)"
if [[ ${TANDEM_CONTAINER:-1} == 0 ]]; then
    skip "container section (TANDEM_CONTAINER=0)"
    finish
fi
if ! podman_available; then
    bad "podman, buildah, debootstrap, runc and nsenter are installed (apt-get install podman buildah debootstrap runc uidmap)"
    finish
fi
podman_setup "$WORK/podman"
static_stdlib() { ! ldd "$BIN" 2>/dev/null | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime'; }
if ! check "TANDEM_BIN has the Swift runtime linked in (--static-swift-stdlib), as the image needs" static_stdlib; then
    note "build it with: swift build -c release --static-swift-stdlib"
    finish
fi

if podman_base_image "$WORK/rootfs" >"$LOGS/base-image.log" 2>&1; then
    ok "base image debian:bookworm-slim made locally (debootstrap minbase, podman import)"
else
    bad "base image debian:bookworm-slim (log: $(tail -n 3 "$LOGS/base-image.log" | tr '\n' ' '))"
    finish
fi

IMAGE=localhost/tandem:container-test
CONTEXT=$WORK/context
make_context "$ROOT" "$CONTEXT" "$BIN" "$SM_MULTI"
build_start=$SECONDS
if buildah_build "$CONTEXT" runtime-prebuilt "$IMAGE" >"$LOGS/build.log" 2>&1; then
    ok "buildah bud --target runtime-prebuilt ($((SECONDS - build_start)) s)"
else
    bad "buildah bud --target runtime-prebuilt (log: $(tail -n 5 "$LOGS/build.log" | tr '\n' ' '))"
    finish
fi
BASE_BYTES=$(podman_cmd image inspect --format '{{.Size}}' debian:bookworm-slim)
IMAGE_BYTES=$(podman_cmd image inspect --format '{{.Size}}' "$IMAGE")
note "image size: $((IMAGE_BYTES / 1000000)) MB ($IMAGE_BYTES bytes; base $((BASE_BYTES / 1000000)) MB, tandem layers $(((IMAGE_BYTES - BASE_BYTES) / 1000000)) MB)"
echo "image_size_bytes=$IMAGE_BYTES base_bytes=$BASE_BYTES" >"$WORK/image-size.txt"
[[ -n ${TANDEM_IMAGE_SIZE_FILE:-} ]] && cp "$WORK/image-size.txt" "$TANDEM_IMAGE_SIZE_FILE"

inspect() { podman_cmd image inspect --format "$1" "$IMAGE"; }
check "ENTRYPOINT is exec form [/usr/local/bin/tandem]" test "$(inspect '{{json .Config.Entrypoint}}')" = '["/usr/local/bin/tandem"]'
check "CMD is [serve]" test "$(inspect '{{json .Config.Cmd}}')" = '["serve"]'
check "EXPOSE 8080/tcp" grep -q '8080/tcp' <<<"$(inspect '{{json .Config.ExposedPorts}}')"
check "LABEL accept-bind-to-port=true" test "$(inspect '{{index .Config.Labels "com.amazonaws.sagemaker.capabilities.accept-bind-to-port"}}')" = true
check "HEALTHCHECK probes /ping" grep -q '/ping' <<<"$(inspect '{{json .Config.Healthcheck}}')"
check "user is root (SageMaker's rule)" grep -Eqx '|root|0' <<<"$(inspect '{{.Config.User}}')"
check "TANDEM_HOME=/opt/tandem" grep -q 'TANDEM_HOME=/opt/tandem' <<<"$(inspect '{{json .Config.Env}}')"
check "tandem --version runs in the image (runtime libraries present)" \
    podman_cmd run --rm "${RUN_FLAGS[@]}" --network none "$IMAGE" --version
check "bundled defaults exist at /opt/tandem/models and /opt/tandem/config" \
    podman_cmd run --rm "${RUN_FLAGS[@]}" --network none --entrypoint /bin/bash "$IMAGE" \
    -c 'test -d /opt/tandem/models && test -f /opt/tandem/config/endpoint.yaml'

# serve_container NAME MODEL_DIR(or -) VARIANT_REGEX [serve args...]: SageMaker's way.
# Own network namespace (--network none): the server binds 8080 exactly as on SageMaker; the
# host reaches it with nsenter into the container's namespace.
serve_container() {
    local name=$1 dir=$2 variants=$3; shift 3
    local mounts=() id pid code variant status start
    [[ $dir != - ]] && mounts=(-v "$dir:/opt/ml/model:ro")
    if ! id=$(podman_cmd run -d "${RUN_FLAGS[@]}" --network none "${mounts[@]}" "$IMAGE" "$@" 2>"$LOGS/ctr-$name.err"); then
        bad "container $name: podman run (log: $(tail -n 3 "$LOGS/ctr-$name.err" | tr '\n' ' '))"
        return
    fi
    CONTAINERS+=("$id")
    pid=$(podman_cmd inspect --format '{{.State.Pid}}' "$id")
    in_ns() { nsenter -t "$pid" -n "$@"; }
    if [[ -z $pid || $pid == 0 ]] ||
        ! in_ns bash -c "source '$HERE/lib.sh'; wait_ping http://127.0.0.1:8080/ping 60 $pid"; then
        podman_cmd logs "$id" >"$LOGS/ctr-$name.log" 2>&1
        bad "container $name: /ping 200 on 8080 within 60 s (log: $(tail -n 3 "$LOGS/ctr-$name.log" | tr '\n' ' '))"
        podman_cmd rm -f -t 0 "$id" >/dev/null 2>&1
        return
    fi
    ok "container $name: /ping 200 on 8080"
    code=$(in_ns bash -c "source '$HERE/lib.sh'; invoke http://127.0.0.1:8080/invocations '$ROW' '$WORK/ch-$name' '$WORK/cb-$name'")
    variant=$(header_value "$WORK/ch-$name" X-Amzn-Invoked-Production-Variant)
    check "container $name: POST /invocations -> 200 (got $code)" test "$code" = 200
    check "container $name: invoked variant '$variant' matches $variants" grep -Eqx "$variants" <<<"$variant"
    if [[ $name == single ]]; then
        check "container $name: HEALTHCHECK command reports healthy" \
            podman_cmd exec "$id" /bin/bash -c "$(healthcheck_script)"
    fi
    start=$SECONDS
    podman_cmd kill --signal TERM "$id" >/dev/null 2>&1
    status=$(timeout 35 "${PODMAN[@]}" wait "$id" 2>/dev/null || echo timeout)
    check "container $name: SIGTERM -> exit 0 within 30 s (got $status after $((SECONDS - start)) s)" \
        test "$status" = 0 -a $((SECONDS - start)) -le 30
    podman_cmd logs "$id" >"$LOGS/ctr-$name.log" 2>&1
}
serve_container single "$SM_SINGLE" 'AllTraffic' serve
serve_container multi "$SM_MULTI" 'control|challenger' serve
serve_container bundled - '.+' # no argument: CMD ["serve"], bundled /opt/tandem defaults

# Pipelines and multi-container endpoints set SAGEMAKER_BIND_TO_PORT (host network, free port).
bind_to_port() {
    local port id code pid
    port=$(free_port)
    id=$(podman_cmd run -d "${RUN_FLAGS[@]}" --network host -e SAGEMAKER_BIND_TO_PORT="$port" \
        -v "$SM_SINGLE:/opt/ml/model:ro" "$IMAGE" serve) || return 1
    CONTAINERS+=("$id")
    pid=$(podman_cmd inspect --format '{{.State.Pid}}' "$id")
    [[ -n $pid && $pid != 0 ]] && wait_ping "http://127.0.0.1:$port/ping" 60 "$pid" || return 1
    code=$(invoke "http://127.0.0.1:$port/invocations" "$ROW" "$WORK/bh" "$WORK/bb")
    podman_cmd kill --signal TERM "$id" >/dev/null 2>&1
    [[ $(timeout 35 "${PODMAN[@]}" wait "$id" 2>/dev/null) == 0 && $code == 200 ]]
}
check "container honours SAGEMAKER_BIND_TO_PORT (host network)" bind_to_port

# --------------------------------------------------------------------------------------------
section "container: multi-model endpoint on a read-only image"
# shellcheck source=system-tests/container/mme.sh
source "$HERE/mme.sh"
mme_section

# --------------------------------------------------------------------------------------------
section "container: training job (IMAGE train)"
# shellcheck source=system-tests/container/train.sh
source "$HERE/train.sh"
train_section

# --------------------------------------------------------------------------------------------
section "container: full multi-stage build"
if [[ ${TANDEM_CONTAINER_FULL:-0} != 1 ]]; then
    skip "full multi-stage build (set TANDEM_CONTAINER_FULL=1; about 12 minutes)"
    finish
fi
TOOLCHAIN=${TANDEM_TOOLCHAIN:-/opt/swift}
MIRROR=${TANDEM_PACKAGE_MIRROR:-/opt/swift-packages}
start=$SECONDS
if podman_swift_image "$TOOLCHAIN" "$MIRROR" >"$LOGS/swift-image.log" 2>&1; then
    ok "stand-in swift:6.3-bookworm image ($((SECONDS - start)) s)"
else
    bad "stand-in swift:6.3-bookworm image (log: $(tail -n 3 "$LOGS/swift-image.log" | tr '\n' ' '))"
    finish
fi
FULL_CONTEXT=$WORK/context-full
cp -r "$CONTEXT" "$FULL_CONTEXT"
rm -rf "$FULL_CONTEXT/prebuilt"
cp -r "$ROOT/Sources" "$ROOT/Tests" "$FULL_CONTEXT/"
start=$SECONDS
if buildah_build_full "$FULL_CONTEXT" localhost/tandem:full-test "$TOOLCHAIN" "$MIRROR" >"$LOGS/build-full.log" 2>&1; then
    ok "buildah bud, default target runtime, build stage included ($((SECONDS - start)) s)"
    podman_cmd rmi -f localhost/swift:6.3-bookworm docker.io/library/swift:6.3-bookworm >/dev/null 2>&1
    IMAGE=localhost/tandem:full-test
    FULL_BYTES=$(podman_cmd image inspect --format '{{.Size}}' "$IMAGE")
    note "full image size: $((FULL_BYTES / 1000000)) MB ($FULL_BYTES bytes)"
    check "full image: tandem --version" podman_cmd run --rm "${RUN_FLAGS[@]}" --network none "$IMAGE" --version
    serve_container full "$SM_MULTI" 'control|challenger' serve
else
    bad "buildah bud, default target runtime (log: $(tail -n 5 "$LOGS/build-full.log" | tr '\n' ' '))"
fi

finish
