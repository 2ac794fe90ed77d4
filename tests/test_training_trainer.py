"""The trainer on tiny real data: metrics per path, checkpoints, exact resume, 2-process gloo DDP."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # 2 threads on a shared 2-core machine spin and crawl

from bifsmn_mcu.training.checkpoint import load_model, save_checkpoint  # noqa: E402
from bifsmn_mcu.training.config import load_config  # noqa: E402
from bifsmn_mcu.training.models import build_model  # noqa: E402
from bifsmn_mcu.training.trainer import train  # noqa: E402

from bifsmn_mcu.data import LABELS  # noqa: E402


def _tiny(shared_data: Path, tmp_path: Path, name: str = "bifsmnv2", epochs: int = 2) -> dict:
    cfg = load_config(name)
    cfg["data"].update(
        {
            "root": str(shared_data / "speech_commands_v0.02_part"),
            "noise": None,
            "copies": 1,
            "max_clips": 32,
            "cache": str(tmp_path / "cache"),
            "extra_train": [],
        }
    )
    cfg["train"].update({"epochs": epochs, "batch_size": 16, "threads": 1})
    if cfg["distill"].get("teacher"):
        teacher = build_model({"kind": "teacher"}, 12)
        ck = {
            "model_spec": {"kind": "teacher"},
            "labels": list(LABELS),
            "feature_config": {},
            "feat_mean": 9000,
            "feat_std": 2000.0,
            "state_dict": teacher.state_dict(),
            "epoch": 0,
        }
        cfg["distill"]["teacher"] = str(save_checkpoint(ck, tmp_path / "teacher.pt"))
    return cfg


def _rows(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.data
def test_train_writes_metrics_per_path_and_checkpoints(shared_data, tmp_path):
    cfg = _tiny(shared_data, tmp_path, epochs=1)
    summary = train(cfg, tmp_path / "run", progress=False, log=lambda *_: None)
    rows = _rows(tmp_path / "run")
    assert [r["epoch"] for r in rows] == [1]
    assert set(rows[0]["dev"]) == {"1", "1/2", "1/4", "1/8"}
    assert all(0.0 <= a <= 1.0 for a in rows[0]["dev"].values()) and rows[0]["clips_per_s"] > 0
    model, ck = load_model(tmp_path / "run" / "best.pt")
    assert (
        ck["epoch"] == 1 and summary["best"]["epoch"] == 1 and ck["feat_mean"] == model.norm.feat_mean.item()
    )
    # shipping the run: a stripped checkpoint that loads, and a card with the dev figures and their interval
    from bifsmn_mcu.training.ship import main as ship

    ship(
        ["--run", str(tmp_path / "run"), "--out", str(tmp_path / "ship"), "--command", "bifsmn-mcu train ..."]
    )
    shipped, sck = load_model(tmp_path / "ship" / "bifsmnv2_default.pt")
    assert sck["epoch"] == 1 and "optimizer" not in sck
    card = (tmp_path / "ship" / "MODEL_CARD.md").read_text()
    n_dev = rows[0]["dev_clips"]
    assert f"| 95 % interval (Wilson, {n_dev} clips) |" in card and "bifsmn-mcu train ..." in card
    assert f"{100 * rows[0]['dev']['1']:.2f}" in card


@pytest.mark.data
def test_resume_continues_at_saved_epoch_with_same_metrics(shared_data, tmp_path):
    cfg = _tiny(shared_data, tmp_path, epochs=2)
    train(cfg, tmp_path / "full", progress=False, log=lambda *_: None)
    cut = json.loads(json.dumps(cfg))
    cut["train"]["stop_after"] = 1  # an interruption after epoch 1
    train(cut, tmp_path / "part", progress=False, log=lambda *_: None)
    assert [r["epoch"] for r in _rows(tmp_path / "part")] == [1]
    log: list[str] = []
    train(cfg, tmp_path / "part", resume=True, progress=False, log=log.append)
    assert any("after epoch 1" in line for line in log)
    full, resumed = _rows(tmp_path / "full"), _rows(tmp_path / "part")
    assert [r["epoch"] for r in resumed] == [1, 2]
    for a, b in zip(full, resumed, strict=True):
        assert a["dev"] == b["dev"]
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-4)


@pytest.mark.data
def test_ddp_two_process_gloo_step(shared_data, tmp_path):
    torchrun = shutil.which("torchrun") or str(Path(sys.executable).with_name("torchrun"))
    if not Path(torchrun).exists():
        pytest.skip("torchrun not installed")
    cfg = _tiny(shared_data, tmp_path, name="teacher", epochs=1)
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps(cfg))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [
        torchrun,
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "bifsmn_mcu.cli.train",
        "--config",
        str(cfg_path),
        "--out",
        str(tmp_path / "ddp"),
        "--cache",
        str(tmp_path / "cache"),
        "--quiet",
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    rows = _rows(tmp_path / "ddp")
    assert rows[0]["world"] == 2 and rows[0]["epoch"] == 1


@pytest.mark.data
def test_custom_vocabulary_fsdd(shared_data, tmp_path):
    cfg = load_config("fsdd")
    cfg["data"].update({"root": str(shared_data / "fsdd"), "noise": None, "copies": 1, "max_clips": 40,
                        "cache": str(tmp_path / "cache")})  # fmt: skip
    cfg["train"].update({"epochs": 1, "batch_size": 16})
    train(cfg, tmp_path / "fsdd", progress=False, log=lambda *_: None)
    model, ck = load_model(tmp_path / "fsdd" / "last.pt")
    assert ck["labels"] == ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    assert model.classifier.out_features == 10
    assert set(_rows(tmp_path / "fsdd")[0]["dev"]) == {"1", "1/2", "1/4", "1/8"}


@pytest.mark.data
def test_init_checkpoint_of_another_model_is_refused(shared_data, tmp_path):
    cfg = _tiny(shared_data, tmp_path, epochs=1)
    cfg["train"]["init_checkpoint"] = cfg["distill"]["teacher"]  # a teacher cannot initialise a student run
    with pytest.raises(ValueError, match="another model or label set"):
        train(cfg, tmp_path / "bad", progress=False, log=lambda *_: None)


@pytest.mark.data
def test_two_stage_schedule_real_weights_then_one_bit(shared_data, tmp_path):
    cfg = _tiny(shared_data, tmp_path, epochs=1)
    cfg["train"]["real_weights"] = True  # stage 1: binary activations, real weights
    train(cfg, tmp_path / "st1", progress=False, log=lambda *_: None)
    assert _rows(tmp_path / "st1")[0]["real_weights"] is True  # its dev figures are labelled as such
    model, _ = load_model(tmp_path / "st1" / "last.pt")  # loads as a 1-bit student
    assert not any(getattr(m, "real_weights", False) for m in model.modules())
    cfg2 = _tiny(shared_data, tmp_path, epochs=1)
    cfg2["train"]["init_checkpoint"] = str(tmp_path / "st1" / "last.pt")  # stage 2 starts from stage 1
    train(cfg2, tmp_path / "st2", progress=False, log=lambda *_: None)
    assert "real_weights" not in _rows(tmp_path / "st2")[0]
    from bifsmn_mcu.training.ship import main as ship

    ship(
        ["--run", str(tmp_path / "st2"), "--out", str(tmp_path / "ship"), "--command", "bifsmn-mcu train ..."]
    )
    card = (tmp_path / "ship" / "MODEL_CARD.md").read_text()
    assert "Two-stage schedule: stage 1 (1 epochs" in card and "real-valued weights" in card


@pytest.mark.data
def test_kept_epochs_average_back_to_the_logged_accuracy(shared_data, tmp_path):
    """--keep-epochs keeps the last N epochs (stripped); averaging one epoch reproduces its dev figures."""
    from bifsmn_mcu.training.average import average_run, average_state_dicts
    from bifsmn_mcu.training.checkpoint import read_checkpoint

    cfg = _tiny(shared_data, tmp_path, epochs=3)
    cfg["train"]["keep_epochs"] = 2
    train(cfg, tmp_path / "run", progress=False, log=lambda *_: None)
    kept = sorted(p.name for p in (tmp_path / "run" / "epochs").iterdir())
    assert kept == ["epoch_002.pt", "epoch_003.pt"]
    e2, e3 = (read_checkpoint(tmp_path / "run" / "epochs" / k) for k in kept)
    assert e3["epoch"] == 3 and "optimizer" not in e3
    # one epoch: the same weights, the same BN re-estimation, so exactly the accuracy the trainer logged
    ck, acc = average_run(tmp_path / "run", 1, progress=False)
    assert acc == _rows(tmp_path / "run")[-1]["dev"] and ck["metrics"]["averaged_epochs"] == [3]
    # two epochs: every floating tensor is the mean, integer buffers come from the last epoch
    avg = average_state_dicts([e2["state_dict"], e3["state_dict"]])
    for k, v in avg.items():
        if torch.is_floating_point(v):
            mean = (e2["state_dict"][k].double() + e3["state_dict"][k].double()) / 2
            torch.testing.assert_close(v, mean.to(v.dtype))
        else:
            assert torch.equal(v, e3["state_dict"][k])
    ck2, _ = average_run(tmp_path / "run", 2, progress=False)
    assert ck2["metrics"]["averaged_epochs"] == [2, 3]
    model, _ = load_model(save_checkpoint(ck2, tmp_path / "run" / "avg.pt"))  # an ordinary checkpoint
    assert model.widths == ("1", "1/2", "1/4", "1/8")
    from bifsmn_mcu.training.ship import main as ship

    ship(["--run", str(tmp_path / "run"), "--checkpoint", "avg.pt", "--out", str(tmp_path / "ship")])
    card = (tmp_path / "ship" / "MODEL_CARD.md").read_text()
    assert "the average of epochs 2-3 of the 3 run" in card and "Selected epoch" not in card
    with pytest.raises(SystemExit, match="holds 2 epochs"):
        average_run(tmp_path / "run", 3, progress=False)
    with pytest.raises(ValueError, match="different tensors"):
        average_state_dicts([e2["state_dict"], {"x": torch.zeros(1)}])
