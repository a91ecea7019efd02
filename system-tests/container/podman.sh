# Private, rootful podman/buildah for system-tests/container/run.sh (sourced, not executed).
#
# Everything lives under one directory: vfs storage, run root, libpod tmp dir, configs. No
# registry is reachable, so builds use --pull=never and the base image is debootstrapped and
# imported under the name the Dockerfile uses. Containers made here are listed in CONTAINERS
# and removed by id on cleanup; the storage directory is deleted afterwards.

PODMAN=()
BUILDAH=()
RUN_FLAGS=()
CONTAINERS=()
PODMAN_DIR=

podman_available() {
    local tool
    for tool in podman buildah debootstrap runc nsenter curl tar python3; do
        command -v "$tool" >/dev/null 2>&1 || { echo "# missing: $tool"; return 1; }
    done
}

# podman_setup DIR: configs and storage under DIR; fills PODMAN, BUILDAH and RUN_FLAGS.
podman_setup() {
    PODMAN_DIR=$1
    mkdir -p "$PODMAN_DIR/graph" "$PODMAN_DIR/run" "$PODMAN_DIR/tmp"
    cat >"$PODMAN_DIR/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$PODMAN_DIR/graph"
runroot = "$PODMAN_DIR/run"
EOF
    # default_ulimits = []: the sandbox refuses podman's default nofile/nproc ulimits.
    cat >"$PODMAN_DIR/containers.conf" <<EOF
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "none"
tmp_dir = "$PODMAN_DIR/tmp"
EOF
    export CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf
    export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
    local storage=(--root "$PODMAN_DIR/graph" --runroot "$PODMAN_DIR/run" --storage-driver vfs)
    PODMAN=(podman "${storage[@]}" --cgroup-manager cgroupfs --runtime runc --events-backend none
            --tmpdir "$PODMAN_DIR/tmp")
    BUILDAH=(buildah "${storage[@]}")
    # Podman schedules HEALTHCHECKs with systemd timers, absent here; the test runs the
    # image's healthcheck command itself (podman exec).
    RUN_FLAGS=(--no-healthcheck)
}

podman_cmd() { "${PODMAN[@]}" "$@"; }

# podman_base_image ROOTFS_DIR: debian:bookworm-slim from debootstrap (or a cached tarball).
podman_base_image() {
    local rootfs=$1 tarball=${TANDEM_ROOTFS_TARBALL:-}
    if [[ -z $tarball || ! -s $tarball ]]; then
        debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" || return 1
        # Trim to roughly what debian:bookworm-slim ships, so the recorded image size means something.
        rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
            "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
            "$rootfs"/usr/share/locale/* "$rootfs"/usr/share/info/*
        tarball=${tarball:-$PODMAN_DIR/rootfs.tar}
        mkdir -p "$(dirname "$tarball")"
        tar -C "$rootfs" --numeric-owner -cf "$tarball" . || return 1
        rm -rf "$rootfs"
    fi
    podman_cmd import "$tarball" localhost/debian:bookworm-slim || return 1
    # Tag the Docker Hub name as well so FROM debian:bookworm-slim resolves with --pull=never.
    podman_cmd tag localhost/debian:bookworm-slim docker.io/library/debian:bookworm-slim
}

# make_context ROOT CONTEXT BIN FALLBACK_REPOSITORY: what `docker build .` would see, plus the
# host binary at prebuilt/tandem. Uses the repository's models/ and config/ when they exist,
# else the extracted repository archive as the bundled defaults.
make_context() {
    local root=$1 context=$2 bin=$3 fallback=$4
    mkdir -p "$context/prebuilt" "$context/config"
    cp "$root/Dockerfile" "$root/.dockerignore" "$root/Package.swift" "$context/"
    if [[ -d $root/models && -f $root/config/endpoint.yaml ]]; then
        cp -r "$root/models" "$context/models"
        cp -r "$root/config/." "$context/config/"
    else
        echo "# no models/ + config/endpoint.yaml in the repository; bundling the test repository"
        cp -r "$fallback" "$context/models"
        mv "$context/models/endpoint.yaml" "$context/config/endpoint.yaml"
    fi
    # The build stage strips its binary; do the same so the recorded size matches.
    cp "$bin" "$context/prebuilt/tandem"
    strip "$context/prebuilt/tandem" 2>/dev/null || true
}

# buildah_build CONTEXT TARGET TAG: Docker format keeps HEALTHCHECK (OCI drops it).
buildah_build() {
    "${BUILDAH[@]}" bud --isolation chroot --network host --pull=never --format docker \
        --target "$2" -t "$3" -f "$1/Dockerfile" "$1"
}

# The image's own HEALTHCHECK command (["CMD", "/bin/bash", "-c", SCRIPT] -> SCRIPT).
healthcheck_script() {
    podman_cmd image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMAGE" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[-1])'
}

podman_cleanup() {
    [[ -z $PODMAN_DIR || ${#PODMAN[@]} -eq 0 ]] && return 0
    local id
    for id in "${CONTAINERS[@]}"; do podman_cmd rm -f -t 0 "$id" >/dev/null 2>&1; done
    podman_cmd rmi -a -f >/dev/null 2>&1
    "${BUILDAH[@]}" rm -a >/dev/null 2>&1
}

# podman_swift_image TOOLCHAIN MIRROR: a stand-in for swift:6.3-bookworm (which cannot be pulled
# here): the local bookworm base plus the toolchain's runtime packages, PATH pointing at
# TOOLCHAIN/usr/bin, and git reading github.com from MIRROR when that directory exists. The
# toolchain itself is not copied in; buildah_build_full bind-mounts it into the build stage.
podman_swift_image() {
    local toolchain=$1 mirror=$2 ctr rewrite=true
    ctr=$("${BUILDAH[@]}" from --pull=never docker.io/library/debian:bookworm-slim) || return 1
    [[ -d $mirror ]] && rewrite="git config --system url.$mirror/.insteadOf https://github.com/"
    "${BUILDAH[@]}" run --isolation chroot --network host "$ctr" -- sh -c "
        apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            binutils git gcc libc6-dev libstdc++-12-dev libgcc-12-dev libcurl4 libxml2 libncurses6 \
            libedit2 libsqlite3-0 libz3-4 zlib1g-dev pkg-config tzdata ca-certificates libpython3.11 &&
        rm -rf /var/lib/apt/lists/* && $rewrite" || return 1
    "${BUILDAH[@]}" config --env "PATH=$toolchain/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$ctr" &&
    "${BUILDAH[@]}" commit --format docker "$ctr" localhost/swift:6.3-bookworm &&
    "${BUILDAH[@]}" tag localhost/swift:6.3-bookworm docker.io/library/swift:6.3-bookworm &&
    "${BUILDAH[@]}" rm "$ctr" >/dev/null
}

# buildah_build_full CONTEXT TAG TOOLCHAIN MIRROR: the Dockerfile's default target (runtime),
# build stage included, with the host toolchain and package mirror mounted read-only.
buildah_build_full() {
    local mounts=(-v "$3:$3:ro")
    [[ -d $4 ]] && mounts+=(-v "$4:$4:ro")
    "${BUILDAH[@]}" bud --isolation chroot --network host --pull=never --format docker \
        "${mounts[@]}" -t "$2" -f "$1/Dockerfile" "$1"
}
