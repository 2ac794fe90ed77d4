"""Model IR: round trip, canonical hash, and one clear error for every kind of bad file."""

import json

import numpy as np
import pytest

from bifsmn_mcu.model.errors import IRError
from bifsmn_mcu.model.fold import fold
from bifsmn_mcu.model.ir import FORMAT_VERSION, canonical_sha256, ir_bytes, load_ir, save_ir
from bifsmn_mcu.model.random_deploy import random_deploy_state


@pytest.fixture(scope="module")
def ir():
    return fold(random_deploy_state(11))


def test_round_trip_keeps_every_array_and_hash(ir, tmp_path):
    p = save_ir(ir, tmp_path / "m.npz")
    back = load_ir(p)
    assert back.sha256 == ir.sha256
    assert set(back.arrays) == set(ir.arrays)
    for k, v in ir.arrays.items():
        assert back.arrays[k].dtype == v.dtype and (back.arrays[k] == v).all()
    assert back.header["labels"] == ir.labels


def test_hash_is_canonical_not_zip_bytes(ir, tmp_path):
    a = save_ir(ir, tmp_path / "a.npz")
    b = save_ir(ir, tmp_path / "b.npz")
    assert load_ir(a).sha256 == load_ir(b).sha256 == canonical_sha256(ir.header, ir.arrays)
    changed = dict(ir.arrays)
    changed["conv2.W"] = changed["conv2.W"].copy()
    changed["conv2.W"][0, 0] ^= 1
    assert canonical_sha256(ir.header, changed) != ir.sha256


def test_loading_needs_no_torch():
    import subprocess
    import sys

    code = (
        "import sys; import bifsmn_mcu.model.ir, bifsmn_mcu.model.intref, bifsmn_mcu.codegen.generate; "
        "sys.exit(1 if 'torch' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def _bad(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_truncated_file(ir, tmp_path):
    raw = ir_bytes(ir)
    with pytest.raises(IRError, match="corrupt or truncated"):
        load_ir(_bad(tmp_path, "t.npz", raw[: len(raw) // 2]))


def test_garbage_and_empty_files(tmp_path):
    for data in (b"", b"not a zip at all" * 10):
        with pytest.raises(IRError):
            load_ir(_bad(tmp_path, "g.npz", data))
    with pytest.raises(IRError, match="no such"):
        load_ir(tmp_path / "missing.npz")


def _rewrite(ir, tmp_path, header=None, drop=None, change=None):
    h = dict(ir.header, **(header or {}))
    arrays = {k: v for k, v in ir.arrays.items() if k != drop}
    if change:
        arrays[change] = arrays[change] + 1
    p = tmp_path / "x.npz"
    payload = {"__header__": np.frombuffer(json.dumps(h).encode(), np.uint8), **arrays}
    with open(p, "wb") as f:
        np.savez(f, **payload)
    return p


def test_newer_format_version(ir, tmp_path):
    with pytest.raises(IRError, match=f"newer than this bifsmn-mcu reads \\({FORMAT_VERSION}\\)"):
        load_ir(_rewrite(ir, tmp_path, header={"format_version": FORMAT_VERSION + 1}))


def test_missing_array(ir, tmp_path):
    with pytest.raises(IRError, match="missing array 'block3.fc1.W'"):
        load_ir(_rewrite(ir, tmp_path, drop="block3.fc1.W"))


def test_modified_content_fails_checksum(ir, tmp_path):
    with pytest.raises(IRError, match="checksum"):
        load_ir(_rewrite(ir, tmp_path, change="proj.B"))


def test_not_an_ir(tmp_path):
    p = tmp_path / "plain.npz"
    np.savez(p, a=np.zeros(3))
    with pytest.raises(IRError, match="no header"):
        load_ir(p)


def test_corrupted_member_bytes(ir, tmp_path):
    raw = bytearray(ir_bytes(ir))
    mid = len(raw) // 2
    raw[mid : mid + 64] = bytes(64)
    with pytest.raises(IRError):
        load_ir(_bad(tmp_path, "c.npz", bytes(raw)))


def test_saved_file_is_world_readable(ir, tmp_path):
    import os

    old = os.umask(0o022)
    try:
        p = save_ir(ir, tmp_path / "perm.npz")
    finally:
        os.umask(old)
    assert p.stat().st_mode & 0o777 == 0o644
