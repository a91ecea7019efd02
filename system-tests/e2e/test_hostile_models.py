"""Random and mutated model files: `check-config` loads each one (the ONNX runtime parses and validates it)
and either accepts it or refuses it with exit 1 and a message; it never crashes (no signal), never hangs
(bounded by a timeout) and stays under a memory bound. Bounded: a fixed set of seeds."""
from __future__ import annotations

import random
import resource
import subprocess

import pytest

from conftest import REPO, ZOO, tandem_binary

MODEL = "breast-cancer-logreg"


def check(model_dir) -> subprocess.CompletedProcess:
    return subprocess.run([tandem_binary(), "check-config", "--model-dir", str(model_dir)], capture_output=True,
                          text=True, timeout=60, cwd=str(REPO))


def mutated(seed: int) -> bytes:
    data = bytearray((ZOO / MODEL / "v1" / "model.onnx").read_bytes())
    rng = random.Random(seed)
    for _ in range(rng.choice([1, 4, 32])):
        data[rng.randrange(len(data))] = rng.randrange(256)
    if seed % 5 == 0:
        data = data[:rng.randrange(len(data))]  # truncated
    return bytes(data)


@pytest.mark.parametrize("seed", range(12))
def test_mutated_and_random_model_files_are_refused_or_served_never_crash(tmp_path, seed):
    directory = tmp_path / "model"
    directory.mkdir()
    payload = mutated(seed) if seed < 10 else random.Random(seed).randbytes(4096 * seed)
    (directory / "model.onnx").write_bytes(payload)
    result = check(directory)
    assert result.returncode in (0, 1), f"check-config died: {result.returncode} {result.stderr[-1000:]}"
    if result.returncode == 1:
        assert (result.stdout + result.stderr).strip(), "refused without a message"
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert peak < 1 << 30
