"""Checkpoints: round trip, corrupt/foreign/mismatched files give one-line errors (API and CLI)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # 2 threads on a shared 2-core machine spin and crawl

from bifsmn_mcu.training.checkpoint import CheckpointError, load_model, save_checkpoint, strip  # noqa: E402
from bifsmn_mcu.training.models import WIDTHS, build_model  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from bifsmn_mcu.cli import main  # noqa: E402
from bifsmn_mcu.data import LABELS  # noqa: E402


def _ckpt(spec: dict, seed: int = 0) -> dict:
    torch.manual_seed(seed)
    m = build_model(spec, len(LABELS))
    return {
        "model_spec": spec,
        "labels": list(LABELS),
        "feature_config": {},
        "feat_mean": 9000,
        "feat_std": 2000.0,
        "state_dict": m.state_dict(),
        "epoch": 3,
        "optimizer": {"x": 1},
    }


def test_round_trip_same_outputs(tmp_path):
    spec = {"kind": "student", "act": "dsa", "lpb": True, "weight_scale": True}
    ck = _ckpt(spec)
    path = save_checkpoint(strip(ck), tmp_path / "s.pt")
    assert not list(tmp_path.glob(".*tmp"))  # atomic write leaves no temporary file
    model, meta = load_model(path)
    assert "optimizer" not in meta and meta["epoch"] == 3
    ref = build_model(spec, 12)
    ref.load_state_dict(ck["state_dict"])
    ref.norm.set(9000, 2000.0)
    ref.eval()
    x = torch.randint(3840, 16000, (3, 32, 32)).float()
    with torch.no_grad():
        a, b = model(x, WIDTHS), ref(x, WIDTHS)
    for w in WIDTHS:
        assert torch.equal(a[w]["logits"], b[w]["logits"])
    assert model.norm.feat_mean.item() == 9000


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        load_model(tmp_path / "nope.pt")


def test_corrupt_file(tmp_path):
    good = save_checkpoint(_ckpt({"kind": "teacher"}), tmp_path / "t.pt")
    data = good.read_bytes()
    (tmp_path / "trunc.pt").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.pt").write_bytes(b"this is not a checkpoint")
    for name in ("trunc.pt", "junk.pt"):
        with pytest.raises(CheckpointError, match="corrupt or truncated"):
            load_model(tmp_path / name)


def test_foreign_torch_file(tmp_path):
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a bifsmn-mcu checkpoint"):
        load_model(tmp_path / "other.pt")


def test_mismatched_weights(tmp_path):
    ck = _ckpt({"kind": "teacher"})
    ck["model_spec"] = {"kind": "student"}  # teacher weights labelled as a student
    save_checkpoint(ck, tmp_path / "mix.pt")
    with pytest.raises(CheckpointError, match="do not match the model"):
        load_model(tmp_path / "mix.pt")
    ck = _ckpt({"kind": "student"})
    ck["labels"] = ck["labels"][:10]  # classifier has 12 outputs
    save_checkpoint(ck, tmp_path / "classes.pt")
    with pytest.raises(CheckpointError, match="another shape"):
        load_model(tmp_path / "classes.pt")


def test_cli_evaluate_reports_bad_checkpoint_without_traceback(tmp_path):
    (tmp_path / "bad.pt").write_bytes(b"\x00" * 100)
    data = tmp_path / "data" / "yes"
    data.mkdir(parents=True)
    res = CliRunner().invoke(
        main, ["evaluate", "--checkpoint", str(tmp_path / "bad.pt"), "--data", str(tmp_path / "data")]
    )
    assert res.exit_code == 1
    assert "corrupt or truncated" in res.output and "Traceback" not in res.output


@pytest.mark.data
def test_cli_evaluate_json_accuracy_per_path(shared_data, tmp_path):
    import json

    root = tmp_path / "data"
    for label in ("yes", "no", "_silence_"):
        (root / label).mkdir(parents=True)
        for f in sorted((shared_data / "speech_commands_v0.02_part" / label).glob("*.wav"))[:2]:
            (root / label / f.name).symlink_to(f)
    save_checkpoint(_ckpt({"kind": "student"}), tmp_path / "s.pt")
    args = ["evaluate", "--checkpoint", str(tmp_path / "s.pt"), "--data", str(root), "--json"]
    res = CliRunner().invoke(main, [*args, "--cache", str(tmp_path / "cache")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output.strip().splitlines()[-1])
    assert out["clips"] == 6 and set(out["accuracy"]) == set(WIDTHS)
    assert all(0.0 <= a <= 1.0 for a in out["accuracy"].values()) and "ensemble" not in out
    # --ensemble: the mean logits of a checkpoint and itself are its own logits
    save_checkpoint(_ckpt({"kind": "student"}, seed=0), tmp_path / "same.pt")
    res = CliRunner().invoke(
        main, [*args, "--cache", str(tmp_path / "cache"), "--ensemble", str(tmp_path / "same.pt")]
    )
    ens = json.loads(res.output.strip().splitlines()[-1])["ensemble"]
    assert ens["checkpoints"][1].endswith("same.pt") and ens["accuracy"] == out["accuracy"]["1"]
    # the Wilson interval of k/6 contains k/6 and is wide for 6 clips
    for w, a in out["accuracy"].items():
        lo, hi = out["ci95"][w]
        assert lo <= a <= hi and hi - lo > 0.3
    bad = tmp_path / "other" / "banana"
    bad.mkdir(parents=True)
    (bad / "x.wav").symlink_to(next((root / "yes").iterdir()))
    res = CliRunner().invoke(
        main, ["evaluate", "--checkpoint", str(tmp_path / "s.pt"), "--data", str(bad.parent)]
    )
    assert res.exit_code == 1 and "not classes of" in res.output
    # a raw Speech Commands folder counts for the 12-class task, as in validate (bed -> _unknown_)
    (tmp_path / "raw" / "bed").mkdir(parents=True)
    (tmp_path / "raw" / "bed" / "x.wav").symlink_to(next((root / "yes").iterdir()))
    raw = [*args[:4], str(tmp_path / "raw"), "--json", "--cache", str(tmp_path / "cache")]
    res = CliRunner().invoke(main, raw)
    assert res.exit_code == 0, res.output
    assert json.loads(res.output.strip().splitlines()[-1])["clips"] == 1
    # --per-class: per path, the class recalls add up to the path's accuracy
    res = CliRunner().invoke(main, [*args, "--cache", str(tmp_path / "cache"), "--per-class"])
    rep = json.loads(res.output.strip().splitlines()[-1])
    assert set(rep["per_class"]) == set(WIDTHS)
    for w, classes in rep["per_class"].items():
        assert {k: v["n"] for k, v in classes.items() if v["n"]} == {"yes": 2, "no": 2, "_silence_": 2}
        hits = sum(round(v["recall"] * v["n"]) for v in classes.values() if v["n"])
        assert hits == round(rep["accuracy"][w] * 6)
        assert all(
            sum(v["confused_with"].values()) == v["n"] - round(v["recall"] * v["n"])
            for v in classes.values()
            if v["n"]
        )
    res = CliRunner().invoke(main, [*args[:-1], "--cache", str(tmp_path / "cache"), "--per-class"])
    assert res.exit_code == 0 and "recall per class" in res.output and "width-1 misses" in res.output


def test_per_class_recall_and_confusions():
    import numpy as np
    from bifsmn_mcu.training.evaluation import per_class

    y = np.array([0, 0, 0, 0, 1, 1, 2])
    pred = np.array([0, 2, 1, 2, 1, 1, 0])
    rep = per_class(pred, y, ["a", "b", "c", "d"])
    assert rep["a"] == {"n": 4, "recall": 0.25, "confused_with": {"c": 2, "b": 1}}
    assert list(rep["a"]["confused_with"]) == ["c", "b"]  # most first
    assert rep["b"] == {"n": 2, "recall": 1.0, "confused_with": {}}
    assert rep["c"] == {"n": 1, "recall": 0.0, "confused_with": {"a": 1}}
    assert rep["d"]["n"] == 0 and rep["d"]["recall"] is None
