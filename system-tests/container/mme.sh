# Sourced by run.sh: the image as a SageMaker multi-model endpoint (SAGEMAKER_MULTI_MODEL=true), run with a
# read-only root filesystem (`podman run --read-only`, as serverless and hardened Kubernetes run it; podman
# keeps /tmp a tmpfs, the one directory Tandem is told to write: TANDEM_MME_EXTRACT_DIR=/tmp/tandem-models).
# SageMaker's steps: the platform extracts model.tar.gz into /opt/ml/models/<hash>/model, then POST /models
# {"model_name": "<hash>", "url": ".../model"}, POST /models/<hash>/invoke, DELETE /models/<hash>.
# Uses run.sh's IMAGE, ART (archives), ROW, WORK, LOGS, RUN_FLAGS, CONTAINERS.

mme_section() {
    local hash=5f2b8c0e9a7d4f3b models=$WORK/mme-models id pid code body
    check "LABEL multi-models=true" \
        test "$(podman_cmd image inspect --format '{{index .Config.Labels "com.amazonaws.sagemaker.capabilities.multi-models"}}' "$IMAGE")" = true
    extract_like_sagemaker "$ART/single.tar.gz" "$models/$hash/model"
    cp "$ART/multi.tar.gz" "$models/ab.tar.gz"
    if ! id=$(podman_cmd run -d "${RUN_FLAGS[@]}" --read-only --network none -e SAGEMAKER_MULTI_MODEL=true \
        -v "$models:/opt/ml/models:ro" "$IMAGE" serve 2>"$LOGS/ctr-mme.err"); then
        bad "container mme: podman run --read-only (log: $(tail -n 3 "$LOGS/ctr-mme.err" | tr '\n' ' '))"
        return
    fi
    CONTAINERS+=("$id")
    pid=$(podman_cmd inspect --format '{{.State.Pid}}' "$id")
    in_ns() { nsenter -t "$pid" -n "$@"; }
    if [[ -z $pid || $pid == 0 ]] || ! in_ns bash -c "source '$HERE/lib.sh'; wait_ping http://127.0.0.1:8080/ping 60 $pid"; then
        podman_cmd logs "$id" >"$LOGS/ctr-mme.log" 2>&1
        bad "container mme: /ping 200 with no model loaded (log: $(tail -n 3 "$LOGS/ctr-mme.log" | tr '\n' ' '))"
        return
    fi
    ok "container mme: read-only root filesystem, SAGEMAKER_MULTI_MODEL=true, /ping 200 with no model loaded"
    post() { in_ns curl -s --max-time 60 -o "$WORK/mme-body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$2" "http://127.0.0.1:8080$1"; }
    code=$(post /models "{\"model_name\": \"$hash\", \"url\": \"/opt/ml/models/$hash/model\"}")
    check "container mme: POST /models (extracted by the platform) -> 200 (got $code: $(head -c 200 "$WORK/mme-body"))" test "$code" = 200
    code=$(post /models "{\"model_name\": \"$hash\", \"url\": \"/opt/ml/models/$hash/model\"}")
    check "container mme: POST /models again -> 409 (got $code)" test "$code" = 409
    code=$(in_ns bash -c "source '$HERE/lib.sh'; invoke http://127.0.0.1:8080/models/$hash/invoke '$ROW' '$WORK/mh' '$WORK/mb'")
    check "container mme: POST /models/<hash>/invoke -> 200 (got $code)" test "$code" = 200
    code=$(post /models '{"model_name": "ab", "url": "/opt/ml/models/ab.tar.gz"}')
    check "container mme: an archive url is extracted under /tmp on the read-only image -> 200 (got $code: $(head -c 200 "$WORK/mme-body"))" test "$code" = 200
    code=$(in_ns bash -c "source '$HERE/lib.sh'; invoke http://127.0.0.1:8080/models/ab/invoke '$ROW' '$WORK/mh2' '$WORK/mb2'")
    check "container mme: the archive's A/B endpoint answers (got $code, variant $(header_value "$WORK/mh2" X-Amzn-Invoked-Production-Variant))" \
        grep -Eqx 'control|challenger' <<<"$(header_value "$WORK/mh2" X-Amzn-Invoked-Production-Variant)"
    body=$(in_ns curl -s --max-time 10 http://127.0.0.1:8080/models)
    check "container mme: GET /models lists both" grep -q "\"$hash\".*\"ab\"\|\"ab\".*\"$hash\"" <<<"$body"
    code=$(in_ns curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:8080/models/$hash")
    check "container mme: DELETE /models/<hash> -> 200 (got $code)" test "$code" = 200
    podman_cmd logs "$id" >"$LOGS/ctr-mme.log" 2>&1
    check "container mme: start-up names the one directory it writes" grep -q 'writes only to: /tmp/tandem-models' "$LOGS/ctr-mme.log"
    podman_cmd kill --signal TERM "$id" >/dev/null 2>&1
    check "container mme: SIGTERM -> exit 0" test "$(timeout 35 "${PODMAN[@]}" wait "$id" 2>/dev/null)" = 0
}
