"""Host C front end (ASan + UBSan) == numpy reference on edge signals and any chunk size."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import require_tool

from bifsmn_mcu.frontend import DEFAULT_FEATURES as CFG
from bifsmn_mcu.frontend import FeatureConfig, features
from bifsmn_mcu.frontend.reference import frame_signal, power_spectrum
from bifsmn_mcu.frontend.verify import build_host_frontend, compare_features, run_host_frontend


def edge_signals() -> dict[str, np.ndarray]:
    n = CFG.clip_samples
    t = np.arange(n)
    rng = np.random.default_rng(1234)
    sig = {
        "silence": np.zeros(n),
        "square_full_scale": np.where((t // 20) % 2 == 0, 32767, -32768),
        "square_nyquist": np.where(t % 2 == 0, 32767, -32768),
        "dc_min": np.full(n, -32768),
        "dc_offset_noise": 12000 + rng.normal(0, 300, n),
        "clipped_sine": np.clip(90000 * np.sin(2 * np.pi * 1000 * t / CFG.sample_rate), -32768, 32767),
        "white_noise_full": rng.integers(-32768, 32768, n),
        "white_noise_quiet": rng.normal(0, 3, n),
        # worst case for FFT growth: full-scale sign pattern matching one bin's cosine in every frame
        "bin_matched": np.where(np.cos(2 * np.pi * 37 * (t % CFG.hop) / CFG.n_fft) >= 0, 32767, -32768),
        "impulses": (t % 500 == 240) * 32767,
    }
    return {k: np.asarray(v).round().clip(-32768, 32767).astype(np.int16) for k, v in sig.items()}


@pytest.fixture(scope="module")
def sanitized_exe(tmp_path_factory):
    require_tool("gcc")
    return build_host_frontend(CFG, tmp_path_factory.mktemp("fe"), sanitize=True)


@pytest.mark.parametrize("chunks", [(1,), (7,), (160,), (512,), (4096,), (0,), (1, 7, 160, 3, 511)])
def test_edge_signals_bit_exact(sanitized_exe, chunks):
    sig = edge_signals()
    pcm = np.stack(list(sig.values()))
    cmp = compare_features(run_host_frontend(sanitized_exe, pcm, CFG, chunks), features(pcm, CFG))
    assert cmp.ok, f"{list(sig)[cmp.first_mismatch[0]]}: {cmp.first_mismatch}"


def test_edge_signals_are_not_trivial():
    sig = edge_signals()
    f = features(np.stack(list(sig.values())), CFG)
    assert (f[0] == 15 * 256).all()  # silence sits on the energy floor
    assert len({int(x.max()) for x in f}) == len(f)
    # the largest possible |2 X[k]| (~2^27.9, full-scale DC) is reached: the C's int32 headroom
    # arguments (4 b < 2^31 in the twiddle products) are exercised at their limit
    p = power_spectrum(frame_signal(sig["dc_min"], CFG), CFG)
    assert np.sqrt(p.max() * 2.0**CFG.power_shift) > 2**27.8


def test_random_clips_bit_exact(sanitized_exe):
    rng = np.random.default_rng(7)
    scale = rng.uniform(1, 20000, (24, 1))
    pcm = (rng.standard_normal((24, CFG.clip_samples)) * scale).clip(-32768, 32767).astype(np.int16)
    cmp = compare_features(run_host_frontend(sanitized_exe, pcm, CFG, (333,)), features(pcm, CFG))
    assert cmp.ok, cmp.first_mismatch


def test_other_shape_config_bit_exact(tmp_path):
    require_tool("gcc")
    cfg = FeatureConfig(n_mels=40, n_frames=49, window=320, hop=320)
    exe = build_host_frontend(cfg, tmp_path, sanitize=True)
    pcm = np.stack(list(edge_signals().values()))
    cmp = compare_features(run_host_frontend(exe, pcm, cfg, (7, 160)), features(pcm, cfg))
    assert cmp.ok, cmp.first_mismatch
