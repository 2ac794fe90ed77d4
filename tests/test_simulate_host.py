"""Host C (generated, gcc -std=c99 -Wall -Wextra -Werror) == numpy integer reference, bit for bit."""

import subprocess

import numpy as np
import pytest
from conftest import require_tool

from bifsmn_mcu.frontend.reference import features as ref_features
from bifsmn_mcu.model import WIDTHS, intref
from bifsmn_mcu.model.fold import fold
from bifsmn_mcu.model.random_deploy import random_deploy_state, random_features
from bifsmn_mcu.simulate.host import HostModel, SimulationError


@pytest.fixture(scope="module")
def ir():
    return fold(random_deploy_state(21))


@pytest.mark.parametrize("width", WIDTHS)
def test_host_c_equals_intref_every_width(ir, width, tmp_path):
    require_tool("gcc")
    feats = random_features(22, 40)
    with HostModel.build(ir, width, workdir=tmp_path) as hm:
        c = hm.infer_features(feats)
    r = intref.logits(ir, feats, width)
    assert c.shape == (40, 12)
    assert (c == r).all(), f"{int((c != r).any(axis=1).sum())} clips differ"


def test_one_build_of_every_path_switches_at_run_time(ir, tmp_path):
    """generate --width all: one library, each path selected with <prefix>_set_width == intref of that path
    (ASan + UBSan on); a path the build lacks is refused."""
    require_tool("gcc")
    feats = random_features(26, 12)
    with HostModel.build(ir, "1/4,1,1/8,1/2", workdir=tmp_path / "all", sanitize=True) as hm:
        assert hm.width == "1/4" and hm.widths == ["1/4", "1", "1/8", "1/2"]  # the first runs after boot
        for w in ("1/4", "1", "1/8", "1/2", "1/4"):
            hm.width = w
            assert (hm.infer_features(feats) == intref.logits(ir, feats, w)).all(), w
            layers, ref = hm.infer_layers(feats[:2]), intref.run_layers(ir, feats[:2], w)
            assert list(layers) == list(ref), w
            assert all((layers[n] == np.asarray(ref[n]).reshape(2, -1)).all() for n in layers), w
    with HostModel.build(ir, "1,1/8", workdir=tmp_path / "two") as hm:
        hm.width = "1/8"
        assert (hm.infer_features(feats) == intref.logits(ir, feats, "1/8")).all()
        hm.width = "1/2"
        with pytest.raises(SimulationError, match="not in this build"):
            hm.infer_features(feats)
        proc = subprocess.run([str(hm.exe), "features", "--width", "1/2"], input=b"", capture_output=True)
        assert proc.returncode == 3 and b"width 1/2 is not in this build (1,1/8)" in proc.stderr


def test_host_c_equals_intref_other_seeds_and_prefix(tmp_path):
    require_tool("gcc")
    for seed in (23, 24):
        ir = fold(random_deploy_state(seed))
        feats = random_features(seed, 16)
        with HostModel.build(ir, "1/2", workdir=tmp_path / str(seed), prefix="my_kws2") as hm:
            assert (hm.infer_features(feats) == intref.logits(ir, feats, "1/2")).all()


def test_sanitizers_clean_and_pcm_through_c_front_end(ir, tmp_path):
    """ASan + UBSan build, PCM streamed through the C front end in odd chunk sizes."""
    require_tool("gcc")
    rng = np.random.default_rng(5)
    t = np.arange(16000) / 16000.0
    pcm = np.stack(
        [
            (3000 * np.sin(2 * np.pi * f * t) + rng.normal(0, 300, 16000)).astype(np.int16)
            for f in (200.0, 700.0, 2500.0)
        ]
    )
    with HostModel.build(ir, "1", workdir=tmp_path, sanitize=True) as hm:
        for chunk in (160, 77, 16000):
            feats, logits = hm.infer_pcm(pcm, chunk=chunk)
            assert (feats == ref_features(pcm)).all()
            assert (logits == intref.logits(ir, feats, "1")).all()


def test_saturating_paths_match(tmp_path):
    """Huge BN scales push requantize and the residual adds into int32 saturation: C still equals."""
    require_tool("gcc")
    d = random_deploy_state(25)
    for blk in d["blocks"]:
        blk["mem"]["bn_scale"][:8] *= 3e4
        blk["mem"]["bn_bias"][8:16] = 4e5
    d["proj"]["bias"][:4] = 6e5
    ir = fold(d)
    feats = random_features(26, 12)
    r = intref.logits(ir, feats, "1")
    p = intref.run_layers(ir, feats, "1")
    assert any((v == 2**31 - 1).any() or (v == -(2**31)).any() for v in p.values())  # saturation happened
    with HostModel.build(ir, "1", workdir=tmp_path, sanitize=True) as hm:
        assert (hm.infer_features(feats) == r).all()


def _real_clips(shared_data, n):
    from bifsmn_mcu.data.cache import audio_for
    from bifsmn_mcu.data.speech_part import load_speech_part

    clips = load_speech_part(shared_data / "speech_commands_v0.02_part")
    idx = np.linspace(0, len(clips) - 1, n).round().astype(int)
    return audio_for([clips[i] for i in idx], progress=False)


def test_real_clips_pcm_fast(ir, shared_data, tmp_path):
    require_tool("gcc")
    pcm = _real_clips(shared_data, 24)
    with HostModel.build(ir, "1/4", workdir=tmp_path) as hm:
        feats, c = hm.infer_pcm(pcm)
    assert (feats == ref_features(pcm)).all()
    assert (c == intref.logits(ir, feats, "1/4")).all()


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_real_clips_300_every_width(ir, shared_data, width, tmp_path):
    require_tool("gcc")
    pcm = _real_clips(shared_data, 320)
    feats = np.concatenate([ref_features(pcm[i : i + 64]) for i in range(0, len(pcm), 64)])
    with HostModel.build(ir, width, workdir=tmp_path) as hm:
        c = hm.infer_features(feats)
    assert (c == intref.logits(ir, feats, width)).all()


def test_layer_hook_gives_every_layer(ir, tmp_path):
    """The generated model's layer hook exposes each layer's output, equal to intref.run_layers."""
    require_tool("gcc")
    feats = random_features(27, 3)
    ref = intref.run_layers(ir, feats, "1/8")
    with HostModel.build(ir, "1/8", workdir=tmp_path) as hm:
        got = hm.infer_layers(feats)
    assert list(got) == list(ref)
    for name, v in ref.items():
        assert (got[name] == v.reshape(3, -1)).all(), name
