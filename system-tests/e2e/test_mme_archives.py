"""Hostile model.tar.gz archives: each kind is refused with its reason and the entry's name, through POST /models
and through TargetModel, and nothing is created outside the model's own directory (nor is it left inside)."""
import io
import json
import tarfile

import pytest

from mme_support import load, mme_env


def hostile(path, kind):
    """A gzipped tar whose one bad entry is `kind`; returns the entry's name."""
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        ok = tarfile.TarInfo("model.onnx")
        ok.size = 3
        tar.addfile(ok, io.BytesIO(b"abc"))
        info = tarfile.TarInfo({"dotdot": "../../escaped.txt", "absolute": "/tmp/tandem-escaped.txt",
                                "symlink": "evil-link", "hardlink": "evil-hard", "device": "evil-dev",
                                "fifo": "evil-fifo"}.get(kind, f"big-{kind}"))
        data = b""
        if kind == "symlink":
            info.type, info.linkname = tarfile.SYMTYPE, "../../../etc"
        elif kind == "hardlink":
            info.type, info.linkname = tarfile.LNKTYPE, "../outside.txt"
        elif kind == "device":
            info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
        elif kind == "fifo":
            info.type = tarfile.FIFOTYPE
        elif kind == "bytes":
            data = b"x" * 5000
        elif kind in ("dotdot", "absolute"):
            data = b"pwned"
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        if kind == "files":
            for index in range(10):
                extra = tarfile.TarInfo(f"extra-{index}")
                tar.addfile(extra, io.BytesIO(b""))
            return "extra-3"
    return info.name


CASES = {
    "dotdot": "'..'",
    "absolute": "absolute path",
    "symlink": "points outside",
    "hardlink": "points outside",
    "device": "character device",
    "fifo": "FIFO",
    "bytes": "TANDEM_ARCHIVE_MAX_BYTES",
    "files": "TANDEM_ARCHIVE_MAX_FILES",
}


@pytest.fixture
def mme(start_server, tmp_path):
    models = tmp_path / "root"
    models.mkdir()
    return start_server(["--workers", "1"], env=mme_env(
        TANDEM_MME_EXTRACT_DIR=str(tmp_path / "area" / "extract"), TANDEM_MME_MODEL_ROOT=str(models),
        TANDEM_ARCHIVE_MAX_BYTES="4096", TANDEM_ARCHIVE_MAX_FILES="5"))


def everything_under(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


@pytest.mark.parametrize("kind", sorted(CASES))
def test_hostile_archive_is_refused_and_leaves_nothing(mme, tmp_path, kind):
    archive = tmp_path / "root" / f"{kind}.tar.gz"
    entry = hostile(archive, kind)
    before = everything_under(tmp_path)
    status, body = load(mme, kind, archive)
    assert status == 400, body
    assert CASES[kind] in body["message"] and entry.lstrip("/") in body["message"], body
    # Through the Runtime API's TargetModel too.
    status, headers, raw = mme.request("POST", "/endpoints/e/invocations", "1",
                                       {"Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Model": f"{kind}.tar.gz"})
    assert status == 400 and headers["x-amzn-errortype"] == "ValidationError", raw
    assert CASES[kind] in json.loads(raw)["message"]
    # Nothing new anywhere in the test's directory tree (the extraction area is empty again) nor in /tmp.
    after = [p for p in everything_under(tmp_path) if p not in before]
    assert after in ([], ["area/extract"]), after
    assert not (tmp_path / "area" / "extract").exists() or not any((tmp_path / "area" / "extract").iterdir())
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()
    assert not __import__("os").path.exists("/tmp/tandem-escaped.txt")
    assert mme.request("GET", f"/models/{kind}")[0] == 404
