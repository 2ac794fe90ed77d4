"""BiFSMNv2 student and baselines: binarization, LPB gradients, thin paths, one step per variant."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # 2 threads on a shared 2-core machine spin and crawl

from bifsmn_mcu.training.config import CONFIG_DIR, load_config  # noqa: E402
from bifsmn_mcu.training.distill import soft_kl  # noqa: E402
from bifsmn_mcu.training.models import (  # noqa: E402
    PATH_BLOCKS,
    WIDTHS,
    build_model,
    grid,  # noqa: E402
)
from bifsmn_mcu.training.models.binary import BinaryConv, use_real_weights  # noqa: E402
from bifsmn_mcu.training.models.quant import lpb_sign  # noqa: E402
from bifsmn_mcu.training.trainer import batch_loss, make_optimizer  # noqa: E402

from bifsmn_mcu.model.fold import ONE  # noqa: E402

VARIANTS = sorted(p.stem for p in CONFIG_DIR.glob("*.json"))


def _feats(n: int = 6, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(3840, 16000, (n, 32, 32), generator=g).float()


def test_all_documented_configs_exist():
    assert set(VARIANTS) >= {
        "teacher",
        "bifsmnv2",
        "plain_bnn",
        "bifsmn_v1",
        "bifsmnv2_no_fid",
        "bifsmnv2_no_dsa",
        "bifsmnv2_no_lpb",
        "bifsmnv2_kd",
        "bifsmnv2_kd_t4w2",
        "fsdd",
    }


def test_train_help_names_every_shipped_config():
    from click.testing import CliRunner

    from bifsmn_mcu.cli import main

    res = CliRunner().invoke(main, ["train", "--help"], terminal_width=1000)
    assert res.exit_code == 0
    assert all(name in res.output for name in VARIANTS)


@pytest.mark.parametrize("name", VARIANTS)
def test_one_training_step_per_variant(name):
    cfg = load_config(name)
    torch.manual_seed(0)
    model = build_model(cfg["model"], 12)
    model.norm.set(9000, 2000.0)
    teacher = None
    if cfg["distill"]["method"] != "none":
        teacher = build_model({"kind": "teacher"}, 12).eval()
        teacher.norm.set(9000, 2000.0)
    paths = tuple(cfg["train"]["paths"]) if cfg["model"]["kind"] == "student" else ("1",)
    weights = dict(zip(cfg["train"]["paths"], cfg["train"]["path_weights"], strict=True))
    weights = {w: weights.get(w, 1.0) for w in paths}
    opt = make_optimizer(model, cfg["train"])
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    x, y = _feats(), torch.arange(6) % 12
    loss, out = batch_loss(model, teacher, x, y, paths, weights, cfg["distill"])
    assert torch.isfinite(loss)
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert set(out) == set(paths)
    changed = [k for k, v in model.named_parameters() if not torch.equal(v, before[k])]
    assert any("classifier" in k for k in changed) and any("blocks.7." in k for k in changed)


def test_lpb_alpha_and_thresholds_receive_gradients():
    model = build_model({"kind": "student"}, 12)
    model.norm.set(9000, 2000.0)
    out = model(_feats(), WIDTHS)
    sum(o["logits"].pow(2).mean() for o in out.values()).backward()
    for name, p in model.named_parameters():
        if name.endswith(("alpha1", "alpha2", "alpha_w")) and ".fc2_" not in name:
            assert p.grad is not None and p.grad.abs().item() > 0, name
    assert model.blocks[7].fc2.binact.alpha1.grad.abs().item() > 0
    assert model.blocks[3].mem.binact.t1.grad.abs().sum().item() > 0


def test_no_lpb_has_no_alpha():
    model = build_model({"kind": "student", "lpb": False}, 12)
    assert not [n for n, _ in model.named_parameters() if "alpha" in n]


def test_binarized_weights_take_two_values_per_output_channel():
    model = build_model({"kind": "student"}, 12)
    layers = [m for m in model.modules() if isinstance(m, BinaryConv)]
    assert len(layers) == 2 + 3 * 8  # conv2, proj, and mem/fc1/fc2 of every block
    for layer in layers:
        w = layer.binary_weight().detach()
        flat = w.reshape(w.shape[0], -1)
        s = layer.weight.detach().abs().reshape(w.shape[0], -1).mean(dim=1)
        for o in range(flat.shape[0]):
            vals = set(torch.unique(flat[o]).tolist())
            assert vals <= {s[o].item(), -s[o].item()} and len(vals) >= 1


def test_real_weight_stage_uses_latent_weights_and_switches_back_to_one_bit():
    torch.manual_seed(0)
    layer = BinaryConv("pointwise", 16, 8, "frame").double()
    x = torch.randn(3, 16, 5, dtype=torch.float64)
    one_bit = layer(x)
    a = layer.binact(x)  # activations stay binary in both stages
    latent = torch.matmul(layer.weight[:, :, 0], a)
    model = torch.nn.Sequential(layer)
    assert use_real_weights(model) == 1
    assert torch.allclose(layer(x), latent, atol=1e-12) and not torch.allclose(latent, one_bit)
    layer(x).sum().backward()  # the latent weights learn directly
    assert layer.weight.grad is not None and layer.weight.grad.abs().sum() > 0
    use_real_weights(model, False)
    assert torch.equal(layer(x), one_bit)
    assert "real_weights" not in "".join(layer.state_dict())  # a training stage, not a parameter


def test_binarized_activation_is_two_planes():
    model = build_model({"kind": "student"}, 12)
    act = model.blocks[0].fc1.binact.double()
    x = torch.randn(4, 128, 8, dtype=torch.float64)
    a = act(x)
    b1 = torch.where(x >= 0, 1.0, -1.0).double()
    r = x - b1
    b2 = torch.where(r >= 0, 1.0, -1.0).double()
    s2 = (a - b1) / b2  # one scale per frame, on the Q16 grid, the mean of |r| rounded
    assert torch.equal(s2, s2[:, :1].expand_as(s2))
    assert torch.equal(s2 * ONE, torch.round(s2 * ONE))
    assert (s2[:, :1] - r.abs().mean(dim=1, keepdim=True)).abs().max().item() <= 0.5 / ONE
    assert lpb_sign(torch.zeros(3)).tolist() == [1.0, 1.0, 1.0]  # sign(0) = +1
    assert act(torch.zeros(1, 128, 8)).abs().max().item() == 0.0  # b1 = +1, r = -1, s2 = 1: a = 0


def test_grid_roundings_pass_gradients_straight_through():
    x = (torch.arange(-6, 7, dtype=torch.float64) * 0.37 / ONE).requires_grad_()
    for f in (grid.round_half_up, lambda v: grid.fixed(v, 15), grid.sat):
        x.grad = None
        y = f(x)
        assert not torch.equal(y.detach(), x.detach()) or f is grid.sat
        y.sum().backward()
        assert torch.equal(x.grad, torch.ones_like(x))
    slope = torch.full((3,), 0.25, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[-1.0], [2.0], [-3.0]], dtype=torch.float64).T.reshape(1, 3)
    grid.prelu(y, slope).sum().backward()
    assert slope.grad.tolist() == [-1.0, 0.0, -3.0]  # d/dslope of slope * y on the negative side


def test_training_mode_learns_under_the_grid_and_eval_is_on_it():
    """Train mode: outputs on the grid, gradients reach weights, thresholds, slopes, BN; eval: on it too."""
    model = build_model({"kind": "student"}, 12).double()
    model.norm.set(9000, 2000.0)
    out = model(_feats().double(), ("1", "1/8"))
    for o in out.values():
        for p in [o["logits"], *o["blocks"].values()]:
            assert torch.equal(p * ONE, torch.round(p * ONE))
    sum(o["logits"].pow(2).mean() for o in out.values()).backward()
    for name in (
        "conv1.weight",
        "bn1.weight",
        "prelu1.weight",
        "conv2.binact.t2",
        "proj.bias",
        "blocks.7.fc2_act.w8.weight",
        "blocks.7.fc1.weight",
        "classifier.bias",
    ):
        g = model.get_parameter(name).grad
        assert g is not None and g.abs().sum().item() > 0, name
    model.eval()
    with torch.no_grad():
        o = model(_feats(2, 1).double(), ("1/2",))["1/2"]
    for p in [o["logits"], *o["blocks"].values()]:
        assert torch.equal(p * ONE, torch.round(p * ONE))


@pytest.mark.parametrize("width", WIDTHS)
def test_each_thin_path_runs_exactly_its_blocks(width):
    model = build_model({"kind": "student"}, 12).eval()
    ran: list[int] = []
    for i, blk in enumerate(model.blocks):
        blk.register_forward_hook(lambda *_, i=i: ran.append(i))
    with torch.no_grad():
        out = model(_feats(2), (width,))
    assert ran == PATH_BLOCKS[width]
    assert sorted(out[width]["blocks"]) == PATH_BLOCKS[width]


def test_per_path_bn_exists_only_where_the_path_runs():
    model = build_model({"kind": "student"}, 12)
    for i, blk in enumerate(model.blocks):
        keys = set(blk.fc2_bn.keys())
        expect = {"w" + (w.split("/")[1] if "/" in w else "1") for w in WIDTHS if i in PATH_BLOCKS[w]}
        assert keys == expect


def test_configs_are_valid_json_objects():
    for p in CONFIG_DIR.glob("*.json"):
        assert isinstance(json.loads(p.read_text()), dict), p


def test_experiment_configs_load():
    """The configs of the documented experiments (TRAINING.md) load with the trainer's defaults filled in."""
    found = sorted((CONFIG_DIR / "experiments").glob("*.json"))
    assert found
    for p in found:
        cfg = load_config(p)
        assert cfg["name"] == p.stem and cfg["model"]["kind"] in ("teacher", "student"), p


def test_haar_dwt_preserves_energy_and_fid_vanishes_on_equal_features():
    from bifsmn_mcu.training.distill import fid_loss, haar_dwt2, hed_loss

    x = torch.randn(3, 128, 8, dtype=torch.float64)
    parts = haar_dwt2(x)
    assert all(p.shape == (3, 64, 4) for p in parts)
    assert torch.allclose(sum(p.pow(2).sum() for p in parts), x.pow(2).sum())
    const = torch.full((1, 4, 4), 3.0)
    ll, lh, hl, hh = haar_dwt2(const)
    assert (
        torch.allclose(ll, torch.full_like(ll, 6.0))
        and lh.abs().max() == hl.abs().max() == hh.abs().max() == 0
    )
    blocks = {3: x, 7: 2 * x}
    assert fid_loss(blocks, blocks).item() < 1e-12
    assert fid_loss(blocks, {3: torch.randn_like(x), 7: x}).item() > 0.1
    assert hed_loss(blocks, {3: torch.randn_like(x), 7: x}).item() > 0.1


def test_bn_calibration_uses_full_path_for_shared_bn_and_own_path_for_thin_bn():
    import copy

    from bifsmn_mcu.training.calibrate import calibrate_bn

    torch.manual_seed(0)
    model = build_model({"kind": "student"}, 12)
    model.norm.set(9000, 2000.0)
    feats = _feats(16, seed=3).numpy()
    model.train()
    model(torch.from_numpy(feats), WIDTHS)  # training mixes the paths into the shared running stats
    other = copy.deepcopy(model)
    for blk in other.blocks:  # other running stats and thin-path BNs: must not matter for shared BNs
        blk.mem_bn.running_mean.normal_()
        for key, bn in blk.fc2_bn.items():
            if key != "w1":
                bn.weight.data.normal_()
    calibrate_bn(model, feats, batch=8)
    calibrate_bn(other, feats, batch=8)
    for a, b in zip(model.blocks, other.blocks, strict=True):
        assert torch.equal(a.mem_bn.running_mean, b.mem_bn.running_mean)
        assert torch.equal(a.fc1_bn.running_var, b.fc1_bn.running_var)
        assert torch.equal(a.fc2_bn["w1"].running_mean, b.fc2_bn["w1"].running_mean)
    seen: list = []
    blk = model.blocks[7]
    hook = blk.register_forward_pre_hook(lambda _m, inp: seen.append(inp[0]))
    with torch.no_grad():
        model.eval()
        model(torch.from_numpy(feats), ("1/8",))
        hook.remove()
        z = blk.fc2(blk.hidden(seen[0])[1])  # the input of the 1/8 path's fc2 BN
    # the 1/8 path's own BN holds the statistics of its input with every shared BN frozen (eval)
    assert torch.allclose(blk.fc2_bn["w8"].running_mean, z.mean(dim=(0, 2)), atol=1e-5)
    assert model.blocks[7].mem_bn.momentum == 0.1


def test_soft_kl_is_zero_on_equal_logits_and_pulls_towards_the_teacher():

    t = torch.randn(5, 12, dtype=torch.float64)
    assert soft_kl(t, t, 2.0).item() < 1e-12
    s = torch.zeros(5, 12, dtype=torch.float64, requires_grad=True)
    loss = soft_kl(s, t, 2.0)
    assert loss.item() > 0
    loss.backward()
    # a gradient step lowers the loss (the gradient points away from the teacher's distribution)
    with torch.no_grad():
        assert soft_kl(s - 0.5 * s.grad, t, 2.0).item() < loss.item()


def test_soft_label_kd_runs_without_a_feature_distillation_method():
    torch.manual_seed(0)
    model = build_model({"kind": "student"}, 12)
    model.norm.set(9000, 2000.0)
    teacher = build_model({"kind": "teacher"}, 12).eval()
    teacher.norm.set(9000, 2000.0)
    x, y = _feats(), torch.arange(6) % 12
    paths, weights = ("1",), {"1": 1.0}
    plain = {"method": "none", "weight": 0.01, "kd": 0.0}
    kd = {"method": "none", "weight": 0.01, "kd": 1.0, "kd_T": 2.0}
    model.eval()  # same forward both times
    with torch.no_grad():
        base, out = batch_loss(model, teacher, x, y, paths, weights, plain)
        with_kd, _ = batch_loss(model, teacher, x, y, paths, weights, kd)
        expect = soft_kl(out["1"]["logits"], teacher(x)["1"]["logits"], 2.0)
    assert torch.allclose(with_kd - base, expect)
    assert expect.item() > 0
