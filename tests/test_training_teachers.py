"""Distillation teachers: one checkpoint or an ensemble whose mean logits are the soft targets."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from bifsmn_mcu.training.checkpoint import save_checkpoint  # noqa: E402
from bifsmn_mcu.training.models import build_model  # noqa: E402
from bifsmn_mcu.training.teachers import TeacherEnsemble, load_teachers  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from bifsmn_mcu.cli import main  # noqa: E402
from bifsmn_mcu.data import LABELS  # noqa: E402


def _teacher_file(path, seed: int, labels=LABELS, feat_mean: int = 9000):
    torch.manual_seed(seed)
    m = build_model({"kind": "teacher"}, len(labels))
    ck = {
        "model_spec": {"kind": "teacher"},
        "labels": list(labels),
        "feature_config": {},
        "feat_mean": feat_mean,
        "feat_std": 2000.0,
        "state_dict": m.state_dict(),
        "epoch": 1,
    }
    return str(save_checkpoint(ck, path))


def _feats(n: int = 5) -> torch.Tensor:
    g = torch.Generator().manual_seed(3)
    return torch.randint(3840, 16000, (n, 32, 32), generator=g).float()


def test_one_teacher_is_used_as_is(tmp_path):
    first = _teacher_file(tmp_path / "a.pt", 0)
    primary, teacher, ck = load_teachers(first, (), LABELS)
    assert teacher is primary and ck["feat_mean"] == 9000
    assert not primary.training and not any(p.requires_grad for p in primary.parameters())


def test_ensemble_averages_logits_and_keeps_the_first_teachers_blocks(tmp_path):
    files = [_teacher_file(tmp_path / f"{i}.pt", i, feat_mean=8000 + 500 * i) for i in range(3)]
    primary, teacher, ck = load_teachers(files[0], files[1:], LABELS)
    assert isinstance(teacher, TeacherEnsemble) and teacher.first is primary and ck["feat_mean"] == 8000
    x = _feats()
    with torch.no_grad():
        each = [m(x)["1"] for m in (primary, *teacher.others)]
        out = teacher(x)["1"]
    # each member normalises with its own feature statistics, so the members disagree
    assert not torch.allclose(each[0]["logits"], each[1]["logits"])
    assert torch.allclose(out["logits"], sum(o["logits"] for o in each) / 3)
    assert out["blocks"].keys() == each[0]["blocks"].keys()
    assert all(torch.equal(out["blocks"][i], each[0]["blocks"][i]) for i in out["blocks"])
    assert not any(p.requires_grad for p in teacher.parameters()) and not teacher.training


def test_a_teacher_with_other_labels_is_refused(tmp_path):
    first = _teacher_file(tmp_path / "a.pt", 0)
    other = _teacher_file(tmp_path / "b.pt", 1, labels=[f"w{i}" for i in range(12)])
    with pytest.raises(ValueError, match="b.pt has labels"):
        load_teachers(first, [other], LABELS)


def test_cli_train_names_a_missing_ensemble_teacher(tmp_path):
    first = _teacher_file(tmp_path / "a.pt", 0)
    (tmp_path / "data").mkdir()
    args = ["train", "--config", "bifsmnv2_kd_t4w2", "--data", str(tmp_path / "data"), "--teacher", first]
    res = CliRunner().invoke(
        main, [*args, "--kd-teacher", str(tmp_path / "gone.pt"), "--out", str(tmp_path / "r")]
    )
    assert res.exit_code == 1 and "gone.pt: teacher checkpoint not found (--kd-teacher)" in res.output
    assert "Traceback" not in res.output


def test_model_card_loss_names_the_ensemble():
    from bifsmn_mcu.training.ship import _loss_text

    one = {"method": "fid", "weight": 0.01, "logit": True, "kd": 2.0, "kd_T": 4.0}
    assert _loss_text(one) == "`w * (CE + 0.01 * (FID + logit MSE) + 2 * soft-label KL (T = 4))`"
    ens = _loss_text({**one, "kd_teachers": ["runs/tA/best.pt", "runs/tB/best.pt"]})
    assert ens.endswith("; logit targets: the mean logits of the teacher and 2 more (`tA`, `tB`)")
