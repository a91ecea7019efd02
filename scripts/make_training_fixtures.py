#!/usr/bin/env python3
"""Writes the training fixtures in fixtures/training/<set>/{train,validation,test}.csv from scikit-learn's
bundled data sets (label first, no header, as SageMaker's text/csv channels): breast cancer (binary),
wine (3 classes), digits (10 classes), diabetes (regression). A fixed 60/20/20 split (seed 0), so the
tests need neither scikit-learn nor a network. Rerun with `python3 scripts/make_training_fixtures.py`
(needs scikit-learn==1.9.1 and numpy).

The larger synthetic benchmark set (docs/training.md) is written with --synthetic ROWS DIR.
"""
import argparse
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "training"


def write(path: pathlib.Path, x: np.ndarray, y: np.ndarray, integer_label: bool):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        for row, label in zip(x, y):
            first = str(int(label)) if integer_label else f"{label:.9g}"
            f.write(first + "," + ",".join(f"{v:.9g}" for v in row) + "\n")


def split(name: str, x: np.ndarray, y: np.ndarray, integer_label: bool, root: pathlib.Path = ROOT):
    order = np.random.default_rng(0).permutation(len(y))
    a, b = int(len(y) * 0.6), int(len(y) * 0.8)
    for part, rows in (("train", order[:a]), ("validation", order[a:b]), ("test", order[b:])):
        write(root / name / f"{part}.csv", x[rows], y[rows], integer_label)


def synthetic(rows: int, directory: pathlib.Path):
    """A binary task with 20 features (8 informative, non-linear), 2% missing values, seed 0."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 20)).astype(np.float32)
    margin = x[:, 0] * x[:, 1] + np.sin(2 * x[:, 2]) + x[:, 3] ** 2 - 1 + 0.5 * x[:, 4] - np.abs(x[:, 5]) + x[:, 6] * (x[:, 7] > 0)
    y = (margin + rng.normal(scale=0.5, size=rows) > 0).astype(np.int64)
    x[rng.random(size=x.shape) < 0.02] = np.nan
    split("synthetic", x, y, True, root=directory)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", nargs=2, metavar=("ROWS", "DIR"))
    args = parser.parse_args()
    if args.synthetic:
        synthetic(int(args.synthetic[0]), pathlib.Path(args.synthetic[1]))
        return
    from sklearn import datasets
    for name, loader, integer in (("breast-cancer", datasets.load_breast_cancer, True), ("wine", datasets.load_wine, True),
                                  ("digits", datasets.load_digits, True), ("diabetes", datasets.load_diabetes, False)):
        data = loader()
        split(name, data.data, data.target, integer)


if __name__ == "__main__":
    main()
