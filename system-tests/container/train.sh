# shellcheck shell=bash
# The training half of the container test (sourced by run.sh after the serving checks): the image run
# as a SageMaker training job (`IMAGE train`, /opt/ml mounted, hyperparameters as strings, CSV train and
# validation channels), a broken channel giving exit non-zero and /opt/ml/output/failure, then
# `IMAGE serve` on the trained model, and two trained versions served as control and challenger.
# Uses run.sh's globals: ROOT, WORK, LOGS, IMAGE, RUN_FLAGS, PODMAN, CONTAINERS, HERE, ROW.

# ml_layout DIR HYPERPARAMETERS_JSON: /opt/ml/input for a training job with the breast-cancer fixture.
ml_layout() {
    local dir=$1 hp=$2
    mkdir -p "$dir/input/config" "$dir/input/data/train" "$dir/input/data/validation" "$dir/model" "$dir/output"
    printf '%s\n' "$hp" >"$dir/input/config/hyperparameters.json"
    printf '%s\n' '{"train": {"ContentType": "text/csv", "TrainingInputMode": "File"}, "validation": {"ContentType": "text/csv", "TrainingInputMode": "File"}}' \
        >"$dir/input/config/inputdataconfig.json"
    printf '%s\n' '{"current_host": "algo-1", "hosts": ["algo-1"]}' >"$dir/input/config/resourceconfig.json"
    cp "$ROOT/fixtures/training/breast-cancer/train.csv" "$dir/input/data/train/part-0.csv"
    cp "$ROOT/fixtures/training/breast-cancer/validation.csv" "$dir/input/data/validation/part-0.csv"
}

# train_container NAME DIR: runs `IMAGE train` with DIR as /opt/ml; sets TRAIN_STATUS, log in $LOGS.
train_container() {
    local name=$1 dir=$2
    TRAIN_STATUS=0
    timeout 300 "${PODMAN[@]}" run --rm "${RUN_FLAGS[@]}" --network none -v "$dir:/opt/ml" "$IMAGE" train \
        >"$LOGS/train-$name.out" 2>"$LOGS/train-$name.err" || TRAIN_STATUS=$?
}

# split_by_weight URL N: N invocations; prints "control challenger" counts.
split_by_weight() {
    local url=$1 n=$2 i control=0 challenger=0 variant
    for ((i = 0; i < n; i++)); do
        invoke "$url" "$ROW" "$WORK/sh" "$WORK/sb" >/dev/null
        variant=$(header_value "$WORK/sh" X-Amzn-Invoked-Production-Variant)
        [[ $variant == control ]] && control=$((control + 1))
        [[ $variant == challenger ]] && challenger=$((challenger + 1))
    done
    echo "$control $challenger"
}

train_section() {
    local ml1=$WORK/ml-1 ml2=$WORK/ml-2 broken=$WORK/ml-broken repo=$WORK/trained-repo
    ml_layout "$ml1" '{"objective": "binary:logistic", "num_round": "20", "max_depth": "3", "eta": "0.2", "eval_metric": "logloss"}'
    train_container v1 "$ml1"
    check "IMAGE train exits 0 (got $TRAIN_STATUS; log: $(tail -n 2 "$LOGS/train-v1.err" | tr '\n' ' '))" test "$TRAIN_STATUS" = 0
    check "IMAGE train writes /opt/ml/model/model.onnx and tandem-model.json" \
        test -s "$ml1/model/model.onnx" -a -s "$ml1/model/tandem-model.json"
    check "IMAGE train prints 20 'validation-logloss: <value>' metric lines" \
        test "$(grep -Ec '^validation-logloss: [0-9.]+$' "$LOGS/train-v1.out")" = 20
    check "IMAGE train leaves no /opt/ml/output/failure" test ! -e "$ml1/output/failure"

    ml_layout "$broken" '{"objective": "binary:logistic", "num_round": "5"}'
    printf '1,2,3\nnot-a-label,4,5\n' >"$broken/input/data/train/part-0.csv"
    train_container broken "$broken"
    check "IMAGE train on a broken channel exits non-zero (got $TRAIN_STATUS)" test "$TRAIN_STATUS" != 0
    check "IMAGE train on a broken channel names file and line in /opt/ml/output/failure" \
        grep -q 'part-0.csv:2: non-numeric label' "$broken/output/failure"

    serve_container trained "$ml1/model" 'AllTraffic' serve

    ml_layout "$ml2" '{"objective": "binary:logistic", "num_round": "40", "max_depth": "5", "eta": "0.1"}'
    train_container v2 "$ml2"
    check "IMAGE train of a second version exits 0 (got $TRAIN_STATUS)" test "$TRAIN_STATUS" = 0
    mkdir -p "$repo/breast-cancer/1" "$repo/breast-cancer/2"
    cp "$ml1/model/"* "$repo/breast-cancer/1/"
    cp "$ml2/model/"* "$repo/breast-cancer/2/"
    printf 'versions: all\n' >"$repo/breast-cancer/model.yaml"
    cat >"$repo/endpoint.yaml" <<'YAML'
endpoint: trained
repository: .
production_variants:
  - {name: control, model: breast-cancer, version: 1, weight: 0.5}
  - {name: challenger, model: breast-cancer, version: 2, weight: 0.5}
YAML
    local id pid counts
    if ! id=$(podman_cmd run -d "${RUN_FLAGS[@]}" --network none -v "$repo:/opt/ml/model:ro" "$IMAGE" serve 2>"$LOGS/ctr-ab.err"); then
        bad "container trained A/B: podman run (log: $(tail -n 3 "$LOGS/ctr-ab.err" | tr '\n' ' '))"
        return
    fi
    CONTAINERS+=("$id")
    pid=$(podman_cmd inspect --format '{{.State.Pid}}' "$id")
    if [[ -n $pid && $pid != 0 ]] && nsenter -t "$pid" -n bash -c "source '$HERE/lib.sh'; wait_ping http://127.0.0.1:8080/ping 60 $pid"; then
        counts=$(nsenter -t "$pid" -n bash -c "source '$HERE/lib.sh'; source '$HERE/train.sh'; ROW='$ROW'; WORK='$WORK'; split_by_weight http://127.0.0.1:8080/invocations 200")
        # 200 draws at 0.5: each side within 60..140 fails with probability < 1e-8.
        check "container trained A/B: two trained versions split 200 requests by weight (control challenger = $counts)" \
            bash -c 'read -r a b <<<"$1"; ((a + b == 200 && a >= 60 && b >= 60))' _ "$counts"
    else
        bad "container trained A/B: /ping 200 on 8080 within 60 s"
    fi
    podman_cmd rm -f -t 5 "$id" >/dev/null 2>&1
}
