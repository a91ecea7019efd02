#!/usr/bin/env python3
"""Training time and held-out quality of `tandem train` against XGBoost (tree_method hist) on the same
split with the same hyperparameters: XGBoost single-threaded and on all cores. Prints a Markdown table
(the one in docs/training.md).

  swift build -c release --product tandem
  python3 scripts/make_training_fixtures.py --synthetic 200000 /tmp/tandem-bench   # the large set
  TANDEM_BIN=.build/release/tandem python3 bench/training_vs_xgboost.py [--synthetic /tmp/tandem-bench] [--repeat 3]

Needs numpy, onnxruntime and xgboost. Tandem's time is the wall time of the whole `tandem train`
process (reading the CSV files and writing the model included); XGBoost's is `xgb.train` on an
in-memory DMatrix (parsing excluded), the best of --repeat runs for both.
"""
import argparse
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "system-tests" / "e2e"))
from training_support import (FIXTURES, SETS, load_csv, make_ml_root, metric, onnx_scores, run_train,  # noqa: E402
                              xgboost_scores, xgboost_train)

SYNTHETIC = {"objective": "binary:logistic", "num_round": "200", "max_depth": "6", "eta": "0.1"}


def bench(name: str, directory: pathlib.Path, hp: dict, repeat: int) -> str:
    train, test = directory / "train.csv", directory / "test.csv"
    x, y = load_csv(test)
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            root = make_ml_root(pathlib.Path(tmp), hp, {"train": [train]})
            start = time.perf_counter()
            result = run_train(root, timeout=3600)
            elapsed = time.perf_counter() - start
            assert result.returncode == 0, result.stderr
            _, scores = onnx_scores(root / "model" / "model.onnx", x)
        best = min(best, elapsed)
    ours = metric(hp["objective"], y, scores)
    data = load_csv(train)
    times = {}
    for threads in (1, os.cpu_count() or 1):
        times[threads] = min(xgboost_train(hp, data, nthread=threads)[1] for _ in range(repeat))
    booster, _ = xgboost_train(hp, data, nthread=os.cpu_count() or 1)
    theirs = metric(hp["objective"], y, xgboost_scores(booster, hp["objective"], x))
    quality = " / ".join(f"{k} {ours[k]:.4f} vs {theirs[k]:.4f}" for k in ours)
    rows = len(data[1])
    return (f"| {name} | {rows} × {data[0].shape[1]} | {hp['objective']} | {quality} | {best:.2f} s | "
            f"{times[1]:.2f} s | {times[os.cpu_count() or 1]:.2f} s |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", type=pathlib.Path, help="directory holding synthetic/{train,test}.csv")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"| set | train rows × features | objective | held-out quality (Tandem vs XGBoost) | Tandem ({os.cpu_count()} cores) "
          f"| XGBoost 1 thread | XGBoost {os.cpu_count()} threads |")
    print("|---|---|---|---|---|---|---|")
    for name, hp in SETS.items():
        print(bench(name, FIXTURES / name, hp, args.repeat), flush=True)
    if args.synthetic:
        print(bench("synthetic", args.synthetic / "synthetic", SYNTHETIC, args.repeat), flush=True)


if __name__ == "__main__":
    main()
