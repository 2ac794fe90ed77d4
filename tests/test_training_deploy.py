"""deploy_state (SPEC section 4) against the torch eval forward, in float64.

On the device grid (SPEC section 3) the float64 torch eval forward, the numpy float reference and the
integer reference compute the same numbers: logits equal exactly (torch * ONE == integer logits)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # 2 threads on a shared 2-core machine spin and crawl

from bifsmn_mcu.training.deploy import NotDeployable, deploy_state  # noqa: E402
from bifsmn_mcu.training.models import WIDTHS, build_model  # noqa: E402

from bifsmn_mcu.model import float_reference as fr  # noqa: E402
from bifsmn_mcu.model import intref  # noqa: E402
from bifsmn_mcu.model.fold import ONE, fold  # noqa: E402
from bifsmn_mcu.model.random_deploy import random_features  # noqa: E402

LABELS = [f"c{i}" for i in range(12)]


def _random_student(seed: int = 0):
    torch.manual_seed(seed)
    m = build_model({"kind": "student"}, 12)
    m.norm.set(9000, 2100.5)
    for mod in m.modules():
        if isinstance(mod, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 2.0)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.3, 0.3)
        if isinstance(mod, torch.nn.PReLU):
            mod.weight.data.uniform_(-0.2, 0.5)
    for name, p in m.named_parameters():
        if name.endswith(("t1", "t2")):
            p.data.uniform_(-0.3, 0.3)
    return m.double().eval()


@pytest.mark.parametrize("seed", [0, 2])
def test_deploy_dict_matches_torch_eval_forward(seed):
    """The numpy float reference of deploy_state(model) == the float64 torch eval forward, exactly."""
    m = _random_student(seed)
    x = torch.randint(3840, 16000, (3, 32, 32)).double()
    st = deploy_state(m, LABELS)
    with torch.no_grad():
        out = m(x, WIDTHS)
    for w in WIDTHS:
        np.testing.assert_array_equal(fr.forward(st, x.numpy(), w), out[w]["logits"].numpy())


def test_deploy_dict_shapes_and_types():
    st = deploy_state(_random_student(1), LABELS)
    assert isinstance(st["feat_mean"], int) and st["feat_mean"] == 9000
    assert st["feat_std"] == pytest.approx(2100.5)
    assert st["paths"] == {"1": list(range(8)), "1/2": [1, 3, 5, 7], "1/4": [3, 7], "1/8": [7]}
    assert st["conv2"]["w_sign"].shape == (32, 16, 5, 5) and st["conv2"]["w_sign"].dtype == np.int8
    assert set(np.unique(st["proj"]["w_sign"])) <= {-1, 1}
    q = st["conv1"]["w"] / st["conv1"]["w_scale"][:, None, None, None]
    assert np.allclose(q, np.round(q)) and np.abs(q).max() <= 127
    q = st["classifier"]["w"] / st["classifier"]["w_scale"][:, None]
    assert np.allclose(q, np.round(q)) and np.abs(q).max() <= 127
    assert sorted(st["blocks"][7]["fc2"]["paths"]) == sorted(WIDTHS)
    assert sorted(st["blocks"][0]["fc2"]["paths"]) == ["1"]
    for blk in st["blocks"]:
        assert blk["mem"]["w_sign"].shape == (128, 5) and blk["fc1"]["w_sign"].shape == (256, 128)


def test_baselines_are_not_deployable():
    with pytest.raises(NotDeployable):
        deploy_state(build_model({"kind": "student", "act": "single"}, 12), LABELS)
    with pytest.raises(NotDeployable):
        deploy_state(build_model({"kind": "teacher"}, 12), LABELS)


@pytest.mark.parametrize("seed", [3, 4])
def test_float64_torch_float_reference_and_integer_reference_agree_exactly(seed):
    """Same logits (torch * ONE == integer logits), so the same top-1, and activations on the Q16 grid."""
    fr = pytest.importorskip("bifsmn_mcu.model.float_reference")
    m = _random_student(seed)
    f = random_features(seed + 20, 12)
    st = deploy_state(m, LABELS)
    ir = fold(st)
    with torch.no_grad():
        out = m(torch.from_numpy(f.astype(np.float64)), WIDTHS)
    for w in WIDTHS:
        lt = out[w]["logits"].numpy()
        li = intref.logits(ir, f, w)
        lf = fr.forward(st, f, w)
        np.testing.assert_array_equal(lt * ONE, li)
        np.testing.assert_array_equal(lf, lt)
        assert (lt.argmax(1) == li.argmax(1)).all()
        for i, p in out[w]["blocks"].items():  # block outputs: int32 values / ONE, equal to the integer ones
            np.testing.assert_array_equal(p.numpy() * ONE, np.round(p.numpy() * ONE))
            if w == "1":
                np.testing.assert_array_equal(p.numpy() * ONE, intref.run_layers(ir, f, w)[f"block{i}.fc2"])


def test_shipped_checkpoint_exports_to_the_shipped_ir_and_equals_it_in_float64():
    from bifsmn_mcu.model.default import default_checkpoint_path, default_ir_path
    from bifsmn_mcu.model.from_checkpoint import export_checkpoint, load_checkpoint_model
    from bifsmn_mcu.model.ir import load_ir

    if not default_checkpoint_path().is_file() or not default_ir_path().is_file():
        pytest.skip("no shipped model in bifsmn_mcu/pretrained")
    shipped = load_ir(default_ir_path())
    assert export_checkpoint(default_checkpoint_path()).sha256 == shipped.sha256
    model, _ = load_checkpoint_model(default_checkpoint_path())
    f = random_features(7, 8)
    with torch.no_grad():
        out = model.double()(torch.from_numpy(f.astype(np.float64)), WIDTHS)
    for w in WIDTHS:
        np.testing.assert_array_equal(out[w]["logits"].numpy() * ONE, intref.logits(shipped, f, w))


def test_torch_predictions_of_a_checkpoint_equal_the_integer_model(tmp_path):
    """What ``simulate`` compares: the checkpoint's PyTorch top-1 (float64) against its exported IR."""
    from bifsmn_mcu.training.checkpoint import save_checkpoint

    from bifsmn_mcu.model.from_checkpoint import export_checkpoint, torch_predictions

    m = _random_student(5).float()
    ck = {"model_spec": {"kind": "student"}, "labels": LABELS, "feat_mean": 9000, "feat_std": 2100.5}
    path = save_checkpoint({**ck, "state_dict": m.state_dict()}, tmp_path / "student.pt")
    ir = export_checkpoint(path)
    f = random_features(9, 40)
    for w in ("1", "1/8"):
        np.testing.assert_array_equal(torch_predictions(path, f, w), intref.logits(ir, f, w).argmax(1))


def test_saturated_thresholds_and_capped_s2_agree_exactly():
    """Edge cases of the grid: thresholds beyond int32 (saturated, never / always fire), s2 at its cap."""
    m = _random_student(6)
    with torch.no_grad():
        m.conv2.binact.t2[:8] = -1e5  # |r| ~ 1e5 over a quarter of the sample: s2 hits s2_max (64)
        m.proj.binact.t1[:64] = 1e12  # beyond int32 in Q16: saturates, b1 = -1 always
        m.proj.binact.t1[64:128] = -1e12  # b1 = +1 always
        m.blocks[7].fc1.binact.t2[:] = 3e4  # near the int32 limit, not beyond
    f = random_features(11, 6)
    st = deploy_state(m, LABELS)
    ir = fold(st)
    _, _, s2 = intref.dsa(
        intref.conv1(ir, f), ir.get("conv2", "T1"), ir.get("conv2", "T2"), (1, 2, 3), one=ONE, s2_max=1 << 22
    )
    assert (s2 == 1 << 22).all()  # the cap is reached
    with torch.no_grad():
        out = m(torch.from_numpy(f.astype(np.float64)), WIDTHS)
    for w in WIDTHS:
        np.testing.assert_array_equal(out[w]["logits"].numpy() * ONE, intref.logits(ir, f, w))
