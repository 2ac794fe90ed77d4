"""``bifsmn-mcu export`` on a real (randomly initialised, BN-calibrated) BiFSMNv2 checkpoint."""

import hashlib

import numpy as np
import pytest
from click.testing import CliRunner

from bifsmn_mcu.cli import main
from bifsmn_mcu.model.ir import load_ir
from bifsmn_mcu.model.random_deploy import random_features


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch = pytest.importorskip("torch")
    from bifsmn_mcu.training.checkpoint import save_checkpoint
    from bifsmn_mcu.training.models import build_model

    from bifsmn_mcu.data.labels import LABELS
    from bifsmn_mcu.frontend import DEFAULT_FEATURES

    torch.manual_seed(0)
    spec = {"kind": "student", "act": "dsa", "lpb": True, "weight_scale": True}
    m = build_model(spec, 12)
    m.norm.set(8000, 2000.0)
    for mod in m.modules():
        if isinstance(mod, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            mod.momentum = None  # cumulative statistics of the calibration batch
    m.train()
    with torch.no_grad():
        m(torch.from_numpy(random_features(0, 16).astype(np.float32)), ("1", "1/2", "1/4", "1/8"))
    m.eval()
    ckpt = {
        "model_spec": spec,
        "labels": list(LABELS),
        "feature_config": DEFAULT_FEATURES.to_dict(),
        "feat_mean": 8000,
        "feat_std": 2000.0,
        "state_dict": m.state_dict(),
        "epoch": 0,
        "metrics": {},
        "config": {},
    }
    return save_checkpoint(ckpt, tmp_path_factory.mktemp("ck") / "student.pt")


def test_export_cli_is_deterministic_and_complete(checkpoint, tmp_path):
    from bifsmn_mcu.model.fold import fold
    from bifsmn_mcu.model.from_checkpoint import deploy_from_checkpoint

    r1 = CliRunner().invoke(main, ["export", str(checkpoint), "-o", str(tmp_path / "a.npz")])
    r2 = CliRunner().invoke(main, ["export", str(checkpoint), "-o", str(tmp_path / "b.npz")])
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    a, b = load_ir(tmp_path / "a.npz"), load_ir(tmp_path / "b.npz")
    assert a.sha256 == b.sha256 and a.sha256 in r1.output
    assert a.widths == ["1", "1/2", "1/4", "1/8"]
    assert a.header["source"]["checkpoint_sha256"] == hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    again = fold(deploy_from_checkpoint(checkpoint))
    assert all((again.arrays[k] == v).all() for k, v in a.arrays.items())
    for w in a.widths:
        assert f"width {w:>3}:" in r1.output


def test_export_refuses_a_non_checkpoint(tmp_path):
    bad = tmp_path / "x.pt"
    bad.write_bytes(b"garbage" * 50)
    r = CliRunner().invoke(main, ["export", str(bad), "-o", str(tmp_path / "m.npz")])
    assert r.exit_code != 0
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and "x.pt" in lines[0]
    assert not (tmp_path / "m.npz").exists()
