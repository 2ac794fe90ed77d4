"""``train --compile``: the compiled training step computes the eager step's loss and gradients;
a missing toolchain is a one-line error before any data is loaded."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from bifsmn_mcu.training.compiling import (  # noqa: E402
    CompileUnavailable,
    compile_for_training,
    compile_toolchain_problem,
)
from bifsmn_mcu.training.config import load_config  # noqa: E402
from bifsmn_mcu.training.models import build_model  # noqa: E402
from bifsmn_mcu.training.trainer import batch_loss  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from bifsmn_mcu.cli import main  # noqa: E402


def test_missing_compiler_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("CXX", str(tmp_path / "no-such-g++"))
    assert compile_toolchain_problem() == f"{tmp_path / 'no-such-g++'} not found"
    with pytest.raises(CompileUnavailable, match="no-such-g.. not found .apt-get install g.. python3-dev"):
        compile_for_training(torch.nn.Linear(2, 2))
    (tmp_path / "data").mkdir()
    args = ["train", "--config", "plain_bnn", "--data", str(tmp_path / "data"), "--compile"]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "run")])
    assert res.exit_code == 1 and "--compile needs a C++ compiler" in res.output
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_compiled_step_matches_eager_loss_and_gradients():
    assert compile_toolchain_problem() is None, compile_toolchain_problem()
    cfg = load_config("bifsmnv2_kd_t4w2")
    torch.manual_seed(0)
    model = build_model(cfg["model"], 12)
    model.norm.set(7859, 1644.0)
    teacher = build_model({"kind": "teacher"}, 12).eval()
    teacher.norm.set(7859, 1644.0)
    g = torch.Generator().manual_seed(1)
    x = torch.randint(3840, 16000, (16, 32, 32), generator=g).float()
    y = torch.randint(0, 12, (16,), generator=g)
    paths, weights = ("1", "1/8"), {"1": 1.0, "1/8": 0.125}

    def step(net):
        model.zero_grad(set_to_none=True)
        loss, _ = batch_loss(net, teacher, x, y, paths, weights, cfg["distill"])
        loss.backward()
        return loss.item(), {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}

    eager_loss, eager_grads = step(model)
    compiled_loss, compiled_grads = step(compile_for_training(model))
    assert compiled_loss == pytest.approx(eager_loss, rel=1e-4)
    assert compiled_grads.keys() == eager_grads.keys()
    # the device grid rounds (floor) in the forward: float32 re-association in the fused kernels can
    # move a value across a rounding edge, so single scalars (LPB alphas) may differ by ~1 %; the whole
    # gradient agrees to ~1e-5 (measured), a wrong kernel would be off by orders of magnitude more
    flat_e = torch.cat([g.flatten() for g in eager_grads.values()])
    flat_c = torch.cat([compiled_grads[n].flatten() for n in eager_grads])
    assert (flat_c - flat_e).norm() / flat_e.norm() < 1e-3
    for name, grad in eager_grads.items():
        rel = (compiled_grads[name] - grad).norm() / grad.norm().clamp_min(1e-12)
        assert rel < 5e-2, (name, float(rel))


@pytest.mark.slow
@pytest.mark.data
def test_train_with_compile_runs_an_epoch_and_evaluates_eagerly(shared_data, tmp_path):
    from bifsmn_mcu.training.checkpoint import load_model
    from bifsmn_mcu.training.evaluation import accuracy_per_path
    from bifsmn_mcu.training.trainer import train

    cfg = load_config("bifsmnv2")
    cfg["data"].update(
        root=str(shared_data / "speech_commands_v0.02_part"),
        noise=None,
        copies=1,
        max_clips=32,
        cache=str(tmp_path / "cache"),
        extra_train=[],
    )
    cfg["distill"].update(method="none", teacher=None)
    cfg["train"].update(epochs=1, batch_size=16, threads=1, compile=True)
    summary = train(cfg, tmp_path / "run", progress=False, log=lambda *_: None)
    row = summary["history"][0]
    assert row["epoch"] == 1 and set(row["dev"]) == {"1", "1/2", "1/4", "1/8"}
    # the dev figures come from the eager model: the saved checkpoint reproduces them exactly
    model, _ = load_model(tmp_path / "run" / "last.pt")
    from bifsmn_mcu.training.data import build_featuresets

    _, _, dev = build_featuresets(cfg["data"], progress=False)
    assert accuracy_per_path(model, dev.feats[:, 0], dev.labels, ("1", "1/2", "1/4", "1/8")) == row["dev"]
