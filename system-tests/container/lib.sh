# Shared helpers for system-tests/container/run.sh (sourced, not executed).
# Counting, HTTP probes, process control by pid, and SageMaker-style model directories.

PASS=0
FAIL=0
SKIP=0

ok()   { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
skip() { SKIP=$((SKIP + 1)); echo "skip - $*"; }
note() { echo "#      $*"; }
section() { echo; echo "## $*"; }

# check DESCRIPTION COMMAND...: one test, passes when COMMAND exits 0.
check() {
    local description=$1; shift
    if "$@"; then ok "$description"; else bad "$description"; fi
}

# A TCP port nobody listens on (Python picks it from the kernel).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# http_status URL [curl args...]: prints the status code (000 on connection failure).
http_status() {
    local url=$1; shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" || true
}

# wait_ping URL SECONDS [PID]: polls GET URL until 200; gives up early when PID has exited.
wait_ping() {
    local url=$1 seconds=$2 pid=${3:-} deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        [[ $(http_status "$url") == 200 ]] && return 0
        if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        sleep 0.25
    done
    return 1
}

# invoke URL CSV_ROW HEADERS_FILE BODY_FILE: POST text/csv; prints the status code.
invoke() {
    curl -s --max-time 30 -o "$4" -D "$3" -w '%{http_code}' \
        -H 'Content-Type: text/csv' -H 'Accept: */*' --data-binary "$2" "$1" || true
}

# header_value FILE NAME: the value of a response header (case-insensitive), CR stripped.
header_value() {
    awk -v name="$(tr '[:upper:]' '[:lower:]' <<<"$2")" -F': ' \
        'tolower($1) == name { sub(/\r$/, "", $2); print $2; exit }' "$1"
}

# wait_exit PID SECONDS: waits for a child of this shell (so not inside $(...)); sets
# EXIT_STATUS to its exit status, or "timeout".
wait_exit() {
    local pid=$1 deadline=$((SECONDS + $2))
    EXIT_STATUS=timeout
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"; EXIT_STATUS=$?; return 0
        fi
        sleep 0.1
    done
}

# extract_like_sagemaker ARCHIVE DIR: SageMaker untars ModelDataUrl into an empty /opt/ml/model.
extract_like_sagemaker() {
    rm -rf "$2" && mkdir -p "$2" && tar -xzf "$1" -C "$2"
}

# make_archives ROOT OUT: single-model and repository model.tar.gz from the zoo fixtures.
make_archives() {
    local root=$1 out=$2 zoo=$1/fixtures/zoo/breast-cancer-logreg
    mkdir -p "$out"
    cat >"$out/endpoint.yaml" <<'YAML'
endpoint: tandem-demo
production_variants:
  - {name: control, model: breast-cancer-logreg, version: 1, weight: 0.8}
  - {name: challenger, model: breast-cancer-logreg, version: 2, weight: 0.2}
YAML
    # A repository as a user keeps it: numeric versions, plus model.yaml asking the server to
    # load every version (its default policy loads only the latest).
    local repo=$out/repository/breast-cancer-logreg
    mkdir -p "$repo/1" "$repo/2"
    cp "$zoo/v1/model.onnx" "$repo/1/model.onnx"
    cp "$zoo/v2/model.onnx" "$repo/2/model.onnx"
    echo "versions: all" >"$repo/model.yaml"
    "$root/scripts/package-model" "$zoo/v1/model.onnx" -o "$out/single.tar.gz" >/dev/null &&
    "$root/scripts/package-model" --repository "$out/repository" --endpoint "$out/endpoint.yaml" \
        -o "$out/multi.tar.gz" >/dev/null
}

# The first data row of the fixture: what a SageMaker client would send as text/csv.
sample_row() {
    head -n 1 "$1/fixtures/zoo/breast-cancer-logreg/v1/input.csv"
}
